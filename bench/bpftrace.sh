#!/bin/sh
# Benchmark (in the VM): ccstat's aggregation next to the same aggregation
# written as a bpftrace script (per filesystem, per inode, per workload
# count()), on the same cleancache-bound workload as overhead.sh (re-read
# a 32 MiB file from cleancache, dropping the page cache between rounds),
# alternating none / ccstat stat 1 / bpftrace, three passes.  The kernel's
# BPF statistics are on (sysctl) for both, so each program's run time and
# run count come from the same place: the fdinfo of the process's BPF
# program fds.  Prints, never asserts.
. /run/test/lib.sh
CCSTAT=/run/test/ccstat-static
BT="/run/test/ld-linux-x86-64.so.2 --library-path /run/test /run/test/bpftrace"
m=/mnt/ext4
pages=8192	# 32 MiB
rounds=${ROUNDS:-20}

cat >/tmp/cc.bt <<'BT'
tracepoint:cleancache:cleancache_put,
tracepoint:cleancache:cleancache_get,
tracepoint:cleancache:cleancache_invalidate_page
{
	@fs[args->dev, args->pool, probe, args->ret] = count();
	@ino[args->dev, args->ino, probe, args->ret] = count();
	@wl[cgroup, pid, comm, probe, args->ret] = count();
}
tracepoint:cleancache:cleancache_invalidate_inode
{
	@fs[args->dev, args->pool, probe, 0] = count();
	@ino[args->dev, args->ino, probe, 0] = count();
	@wl[cgroup, pid, comm, probe, 0] = count();
}
BT

echo 1 >/proc/sys/kernel/bpf_stats_enabled
$CCIO fill $m/bt $pages 1
drop
cat $m/bt >/dev/null; drop
pool=$(pool_of $m)

events() {
	echo $(( $(pstat $pool succ_gets) + $(pstat $pool failed_gets) + $(pstat $pool puts) ))
}

# workload: prints "EVENTS SECONDS"
workload() {
	e0=$(events)
	t0=$(awk '{ print $1 }' /proc/uptime)
	i=0
	while [ $i -lt $rounds ]; do cat $m/bt >/dev/null; drop; i=$((i + 1)); done
	t1=$(awk '{ print $1 }' /proc/uptime)
	echo "$(( $(events) - e0 )) $(awk -v a=$t0 -v b=$t1 'BEGIN { print b - a }')"
}

# progstat PID: "RUN_TIME_NS RUN_CNT" summed over PID's BPF programs
progstat() {
	for f in /proc/$1/fdinfo/*; do
		awk '/^prog_type:/ { p = 1 } /^run_time_ns:/ { t = $2 }
		     /^run_cnt:/ { c = $2 } END { if (p) print t, c }' "$f" 2>/dev/null
	done | awk '{ t += $1; c += $2 } END { print t + 0, c + 0 }'
}

rate() { awk -v e=$1 -v s=$2 'BEGIN { printf "%.0f", e / s }'; }

# measured NAME PID: run the workload under PID's programs, print a line
measured() {
	set -- "$1" "$2" $(progstat $2)
	name=$1 pid=$2 t0=$3 c0=$4
	set -- $(workload)
	ev=$1 s=$2
	set -- $(progstat $pid)
	echo "bench bpftrace pass=$pass with=$name events=$ev s=$s events_per_s=$(rate $ev $s) bpf_runs=$(($2 - c0)) bpf_ns=$(($1 - t0)) ns_per_run=$(awk -v t=$(($1 - t0)) -v c=$(($2 - c0)) 'BEGIN { printf "%.0f", c ? t / c : 0 }')"
}

for pass in 1 2 3; do
	set -- $(workload)
	echo "bench bpftrace pass=$pass with=none events=$1 s=$2 events_per_s=$(rate $1 $2)"

	$CCSTAT stat 1 >/tmp/stat.out 2>&1 &
	pid=$!
	while ! grep -q DEVICE /tmp/stat.out; do sleep 0.2; done	# attached
	measured ccstat $pid
	kill -INT $pid; wait $pid

	$BT /tmp/cc.bt >/tmp/bt.out 2>&1 &
	pid=$!
	while ! grep -q Attaching /tmp/bt.out && kill -0 $pid 2>/dev/null; do sleep 0.2; done
	sleep 1		# "Attaching" comes before the probes are live
	measured bpftrace $pid
	kill -INT $pid; wait $pid
done
grep -v '^@\|^$' /tmp/bt.out | head -n 5 | sed 's/^/# bpftrace: /'
rm $m/bt
