#!/bin/sh
# Benchmark (in the VM): re-read a file set larger than the RAM left to the
# page cache, with the local store big enough and preallocated (booted
# with tmem_local.prealloc=1 tmem_local.max_size=...), and report which
# share of the re-read's page reads cleancache served.
# Target (DESIGN.md): >= 95 % of the re-read's gets are hits.
. /run/test/lib.sh

for fs in ext4 btrfs; do
m=/mnt/$fs
avail_kb=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
total_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)
store=$(cat /sys/module/tmem_local/parameters/max_size)
# A file set twice what the page cache can hold, four files
pages=$(( avail_kb * 2 / 4 / 4 ))
for i in 1 2 3 4; do $CCIO fill $m/set.$i $pages $i; done
drop
pool=$(pool_of $m)
h0=$(pstat $pool succ_gets); m0=$(pstat $pool failed_gets)
t0=$(date +%s)
for i in 1 2 3 4; do cat $m/set.$i > /dev/null; done
t1=$(date +%s)
h=$(( $(pstat $pool succ_gets) - h0 )); mi=$(( $(pstat $pool failed_gets) - m0 ))
echo "bench hit_ratio fs=$fs mem_total_kb=$total_kb mem_available_kb=$avail_kb store_bytes=$store"
echo "bench hit_ratio fs=$fs file_set_kb=$(( pages * 4 * 4 )) gets=$((h + mi)) hits=$h misses=$mi hit_pct=$(( h * 1000 / (h + mi) / 10 )).$(( h * 1000 / (h + mi) % 10 )) reread_s=$((t1 - t0))"
for i in 1 2 3 4; do $CCIO check $m/set.$i $pages $i || echo "bench hit_ratio: DATA MISMATCH in set.$i"; done
rm $m/set.*
done
