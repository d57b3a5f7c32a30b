#!/bin/sh
# Benchmark (in the VM): a cleancache-bound workload (re-read a file whose
# pages live in cleancache, dropping the page cache between rounds), timed
# alternately without and with `ccstat stat 1` aggregating, three times
# each; and ccstat's own CPU time (during the workload only, not the BPF
# load) and memory at that 1-second refresh.
. /run/test/lib.sh
CCSTAT=/run/test/ccstat-static
m=/mnt/ext4
pages=8192	# 32 MiB
rounds=${ROUNDS:-20}
$CCIO fill $m/ovh $pages 1
drop
cat $m/ovh > /dev/null; drop		# warm: pages now in cleancache
pool=$(pool_of $m)

events() {
	echo $(( $(pstat $pool succ_gets) + $(pstat $pool failed_gets) + $(pstat $pool puts) ))
}

# workload: prints "EVENTS SECONDS"
workload() {
	local e0 t0 t1 i=0
	e0=$(events)
	t0=$(awk '{ print $1 }' /proc/uptime)
	while [ $i -lt $rounds ]; do cat $m/ovh > /dev/null; drop; i=$((i + 1)); done
	t1=$(awk '{ print $1 }' /proc/uptime)
	echo "$(( $(events) - e0 )) $(awk -v a=$t0 -v b=$t1 'BEGIN { print b - a }')"
}

rate() { awk -v e=$1 -v s=$2 'BEGIN { printf "%.0f", e / s }'; }
cputicks() { awk '{ print $14 + $15 }' /proc/$1/stat; }

for pass in 1 2 3; do
	set -- $(workload)
	echo "bench overhead pass=$pass without_ccstat events=$1 s=$2 events_per_s=$(rate $1 $2)"
	$CCSTAT stat 1 > /tmp/stat.out 2>&1 &
	pid=$!
	while ! grep -q DEVICE /tmp/stat.out; do sleep 0.2; done	# attached
	c0=$(cputicks $pid)
	set -- $(workload)
	c1=$(cputicks $pid)
	rss=$(awk '/VmRSS/ { print $2 }' /proc/$pid/status)
	kill -INT $pid; wait $pid
	echo "bench overhead pass=$pass with_ccstat events=$1 s=$2 events_per_s=$(rate $1 $2) ccstat_cpu_pct=$(awk -v c=$((c1 - c0)) -v s=$2 'BEGIN { printf "%.2f", c / s }') ccstat_rss_kb=$rss"
done
rm $m/ovh
