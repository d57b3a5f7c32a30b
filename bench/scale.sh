#!/bin/sh
# Benchmark (in the VM): ccstat with 100,000 files on the filesystem and a
# workload that keeps reading all of them back from cleancache (more
# inodes than the 65,536-row inode map holds, so the LRU map churns),
# 100 files from each of 1,000 cgroups (1,000 workloads and more).
# Prints, never asserts:
#  - first screen: seconds from attaching (the -v line ccstat prints once
#    its programs are attached) to the first report of `ccstat top -j 1`
#    (the 0.5 s first interval + read + render; nothing walks the
#    filesystem, whatever its size), and from starting ccstat (+ load);
#  - ccstat's CPU (% of one CPU) and RSS at a 1 s refresh meanwhile;
#  - the inode rows ccstat saw and its map-full drops.
. /run/test/lib.sh
CCSTAT=/run/test/ccstat-static
FILES=${FILES:-100000}
d=/mnt/ext4/big

now() { awk '{ print $1 }' /proc/uptime; }
cputicks() { awk '{ print $14 + $15 }' /proc/$1/stat; }

t0=$(now)
$CCIO mkfiles $d $FILES
drop
echo "bench scale files=$FILES create_s=$(awk -v a=$t0 -v b=$(now) 'BEGIN { printf "%.1f", b - a }')"
CGROUPS=${CGROUPS:-1000}
per=$((FILES / CGROUPS))
mkdir -p /sys/fs/cgroup/bench
i=0
while [ $i -lt $CGROUPS ]; do mkdir -p /sys/fs/cgroup/bench/c$i; i=$((i + 1)); done
(
	while :; do
		i=0
		while [ $i -lt $CGROUPS ]; do
			sh -c "echo \$\$ >/sys/fs/cgroup/bench/c$i/cgroup.procs; exec $CCIO readfiles $d $per $((i * per))"
			i=$((i + 1))
		done
		drop
	done
) &
reader=$!

for pass in 1 2 3; do
	rm -f /tmp/top.json /tmp/top.err
	t0=$(now)
	$CCSTAT -v -j --bpf-stats top 1 >/tmp/top.json 2>/tmp/top.err &
	pid=$!
	while ! grep -q '^ccstat: BPF maps' /tmp/top.err && kill -0 $pid 2>/dev/null; do sleep 0.02; done
	ta=$(now)
	while [ ! -s /tmp/top.json ] && kill -0 $pid 2>/dev/null; do sleep 0.02; done
	t1=$(now)
	c0=$(cputicks $pid)
	sleep 10
	c1=$(cputicks $pid)
	rss=$(awk '/VmRSS/ { print $2 }' /proc/$pid/status)
	kill -INT $pid
	wait $pid
	last=$(tail -n 1 /tmp/top.json)
	echo "bench scale pass=$pass cgroups=$CGROUPS first_screen_after_attach_s=$(awk -v a=$ta -v b=$t1 'BEGIN { printf "%.2f", b - a }') first_screen_after_start_s=$(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.2f", b - a }') interval_s=1 ccstat_cpu_pct=$(awk -v c=$((c1 - c0)) 'BEGIN { printf "%.1f", c / 10 }') ccstat_rss_kb=$rss inode_map_full=$(echo "$last" | sed -n 's/.*"inode_map_full":\([0-9]*\).*/\1/p') bpf_ns_per_run=$(echo "$last" | sed -n 's/.*"bpf_ns_per_run":\([0-9]*\).*/\1/p')"
done
kill $reader
wait $reader 2>/dev/null
sleep 1
i=0
while [ $i -lt $CGROUPS ]; do rmdir /sys/fs/cgroup/bench/c$i 2>/dev/null; i=$((i + 1)); done
rmdir /sys/fs/cgroup/bench 2>/dev/null
rm -rf $d
