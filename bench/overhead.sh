#!/bin/sh
# Benchmark (in the VM): a cleancache-bound workload (re-read a file whose
# pages live in cleancache, dropping the page cache between rounds) timed
# without ccstat, with `ccstat stat` aggregating, and again without; and
# ccstat's own CPU time and memory at a 1-second refresh.
. /run/test/lib.sh
CCSTAT=/run/test/ccstat-static
m=/mnt/ext4
pages=8192	# 32 MiB
rounds=${ROUNDS:-20}
$CCIO fill $m/ovh $pages 1
drop
cat $m/ovh > /dev/null; drop		# warm: pages now in cleancache

# workload: print events (gets + puts) per second
workload() {
	local pool=$(pool_of $m) e0 e1 t0 t1
	e0=$(( $(pstat $pool succ_gets) + $(pstat $pool failed_gets) + $(pstat $pool puts) ))
	t0=$(awk '{ print $1 }' /proc/uptime)
	i=0
	while [ $i -lt $rounds ]; do cat $m/ovh > /dev/null; drop; i=$((i + 1)); done
	t1=$(awk '{ print $1 }' /proc/uptime)
	e1=$(( $(pstat $pool succ_gets) + $(pstat $pool failed_gets) + $(pstat $pool puts) ))
	awk -v e=$((e1 - e0)) -v a=$t0 -v b=$t1 'BEGIN { printf "%d events in %.2f s = %.0f events/s\n", e, b - a, e / (b - a) }'
}

echo "bench overhead baseline1: $(workload)"
$CCSTAT stat 1 > /tmp/stat.out 2>&1 &
pid=$!
sleep 3	# attached
echo "bench overhead ccstat:    $(workload)"
rss=$(awk '/VmRSS/ { print $2 }' /proc/$pid/status)
cpu=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
hz=100
kill -INT $pid; wait $pid
echo "bench overhead baseline2: $(workload)"
echo "bench overhead ccstat_rss_kb=$rss ccstat_cpu_ticks=$cpu (USER_HZ=$hz) over the ccstat run"
grep -i "cost\|runs" /tmp/stat.out | tail -2
rm $m/ovh
