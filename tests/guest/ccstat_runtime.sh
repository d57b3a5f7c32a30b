#!/bin/sh
# ccstat_runtime.sh: what ccstat costs and leaves behind while it runs.
#   tests/vm/run tests/guest/ccstat_runtime.sh tests/lib/tap.sh \
#       tests/guest/ccstat_lib.sh tools/ccstat-static build/guest/ccio
#
# - BPF run-time statistics: off unless --bpf-stats (the kernel says so:
#   BPF_ENABLE_STATS hands out an "anon_inode:bpf-stats" descriptor, held
#   while they are on), and the cost is null rather than 0 without them.
# - SIGTERM during a 60 s interval ends `stat` and `analyze` at once, each
#   with its final report.
# - `run` creates its cgroup below the caller's own cgroup and leaves
#   cgroup.subtree_control as it found it.
# - `analyze --map-entries 1024` over 10,000 pages: the record map fills,
#   the sample shrinks (fixed-size SHARDS), and no miss is `unknown`.
# - follow mode (no cgroup v2): more forks than the followed-pid map holds
#   (8192), each exiting, and the last child's gets are still counted.
. ./tap.sh
. ./ccstat_lib.sh
require_cleancache
plan 28

CG=/sys/fs/cgroup
STATS=/proc/sys/kernel/bpf_stats_enabled
dev=$(devof /mnt/ext4)

# stats_fds PID: the BPF run-time statistics descriptors PID holds
stats_fds() {
	for f in /proc/$1/fd/*; do readlink "$f"; done 2>/dev/null |
		grep -c 'anon_inode:bpf-stats'
}

# elapsed_since T0: whole seconds since T0 (date +%s)
elapsed_since() {
	echo $(( $(date +%s) - $1 ))
}

# ---- BPF run-time statistics, and SIGTERM during a long interval ----

N=32
A=/mnt/ext4/cc_rt_a
make_file $A $N
# the environment first: the sysctl switch on would time ccstat's
# programs whatever ccstat does
is "$(cat $STATS)" 0 "the bpf_stats_enabled sysctl is off"

rm -f /tmp/st.json /tmp/an.err
$CC -j stat --total 60 1 >/tmp/st.json 2>/tmp/st.err &
p=$!
wait_for /tmp/st.json '"total"'
ok $? "stat --total 60 1 attached (its zero line)"
is "$(stats_fds $p)" 0 "without --bpf-stats ccstat holds no BPF stats descriptor"
sleep 1
t0=$(date +%s)
kill -TERM $p
wait $p
rc=$?
el=$(elapsed_since $t0)
ok $rc "stat exits 0 on SIGTERM"
# a bound tied to the interval, not to the machine: long before 60 s
test "$el" -lt 30
ok $? "SIGTERM ended stat 60 1 at once (${el} s after the signal, interval 60 s)"
is "$(grep -c '"total"' /tmp/st.json)" 2 "stat printed its final line at SIGTERM"
grep -q '"bpf_run_time_ns":null' /tmp/st.json
ok $? "without --bpf-stats the cost is null, not 0"

# (the last run's lines must not pass for this one's first)
rm -f /tmp/st.json
$CC -j --bpf-stats stat --total 60 1 >/tmp/st.json 2>/tmp/st.err &
p=$!
wait_for /tmp/st.json '"total"'
ok $? "stat --bpf-stats attached (its zero line)"
is "$(stats_fds $p)" 1 "--bpf-stats holds the kernel's BPF stats on"
cat $A >/dev/null
kill -TERM $p
wait $p
cnt=$(jnum "$(tail -n 1 /tmp/st.json)" bpf_run_count)
ns=$(jnum "$(tail -n 1 /tmp/st.json)" bpf_ns_per_run)
test "${cnt:-0}" -ge $N
ok $? "with --bpf-stats the programs' runs are counted ($cnt >= $N gets)"
diag "BPF cost with --bpf-stats: ${ns:-?} ns per run over $cnt runs"

$CC -j analyze >/tmp/an.json 2>/tmp/an.err &
p=$!
wait_for /tmp/an.err 'Tracing'
ok $? "analyze (until a signal) attached"
sleep 1
t0=$(date +%s)
kill -TERM $p
wait $p
rc=$?
el=$(elapsed_since $t0)
ok $rc "analyze exits 0 on SIGTERM"
test "$el" -lt 30
ok $? "SIGTERM ended analyze at once (${el} s after the signal)"
grep -q '"type":"analyze"' /tmp/an.json
ok $? "analyze printed its report at SIGTERM"

# ---- run: its cgroup below the caller's, subtree_control untouched ----

# A child cgroup with ccstat inside it: the workload's cgroup must be
# created below it.  cat prints the cgroup it ran in.
mkdir -p $CG/cc-rt-parent
root_ctl0=$(cat $CG/cgroup.subtree_control)
parent_ctl0=$(cat $CG/cc-rt-parent/cgroup.subtree_control)
cat $A >/dev/null
echo 1 >/proc/sys/vm/drop_caches
out=$(sh -c "echo \$\$ >$CG/cc-rt-parent/cgroup.procs &&
	exec $CC -j run -- sh -c 'cat /proc/self/cgroup; cat $A >/dev/null'" \
	2>/tmp/run.json)
rc=$?
ok $rc "run from inside a child cgroup succeeds"
case "$out" in
"0::/cc-rt-parent/ccstat-run-"*) r=0 ;;
*) r=1 ;;
esac
ok $r "the workload's cgroup is below the caller's ($out)"
is "$(jnum "$(jtotal "$(cat /tmp/run.json)")" gets)" $N \
	"run counted the $N gets of the nested cgroup"
is "$(cat $CG/cc-rt-parent/cgroup.subtree_control)" "$parent_ctl0" \
	"the caller's cgroup.subtree_control is as it was"
is "$(cat $CG/cgroup.subtree_control)" "$root_ctl0" \
	"the root's cgroup.subtree_control is as it was"
ls -d $CG/cc-rt-parent/ccstat-run-* >/dev/null 2>&1
ok $((!$?)) "the run's cgroup is removed afterwards"
rmdir $CG/cc-rt-parent

# From the root cgroup with memory off in its subtree_control: ccstat may
# turn it on for the page charges, and must turn it off again.
echo -memory >$CG/cgroup.subtree_control 2>/dev/null
if grep -qw memory $CG/cgroup.subtree_control; then
	skip "run restores the root's subtree_control" "memory cannot be turned off at the root here"
else
	$CC run -- true 2>/dev/null
	grep -qw memory $CG/cgroup.subtree_control
	ok $((!$?)) "run turned off the memory controller it had turned on"
fi
echo "$root_ctl0" | tr ' ' '\n' | sed -n 's/^./+&/p' |
	while read c; do echo "$c" >$CG/cgroup.subtree_control; done

# ---- analyze: a fixed-size sample over more keys than the map holds ----

# Warm-up: W (10,000 pages, written with O_DIRECT, so never put before)
# is read once (cold misses) and its pages put into cleancache by
# dropping the page cache: these 10,000 sampled puts fill the 1024-entry
# record map.  After warm-up, W is re-read (hits) and C, a file never
# put, is read (1,000 misses, all cold: nothing of C was ever put).
# ccstat then must classify every miss (no `unknown`), find every
# sampled hit's put (hits_without_distance 0), and report the rate it
# shrank the sample to.
W=/mnt/ext4/cc_rt_w
C=/mnt/ext4/cc_rt_c
dd if=/dev/urandom of=$W bs=$PAGE count=10000 oflag=direct 2>/dev/null
dd if=/dev/urandom of=$C bs=$PAGE count=1000 oflag=direct 2>/dev/null
$CC -j analyze --dev "$dev" --map-entries 1024 -- sh -c "
	cat $W >/dev/null; echo 1 >/proc/sys/vm/drop_caches
	cat $W >/dev/null; cat $C >/dev/null" 2>/tmp/shards.json >/dev/null
ok $? "analyze --map-entries 1024 over 10,000 pages"
J=$(sed -n 's/.*"total":{\(.*\)/\1/p' /tmp/shards.json)
unknown=$(echo "$J" | sed -n 's/.*"misses_by_cause":{[^}]*"unknown":\([0-9.]*\).*/\1/p')
is "$unknown" 0 "no miss is unknown once the record map has filled"
sampled=$(echo "$J" | sed -n 's/.*"sampled":{"gets":[0-9]*,"hits":[0-9]*,"misses":\([0-9]*\).*/\1/p')
test "${sampled:-0}" -gt 0
ok $? "the sample saw misses after warm-up ($sampled)"
is "$(jnum "$(echo "$J" | sed -n 's/.*"sampled":{\([^}]*\)}.*/{\1}/p')" hits_without_distance)" 0 \
	"every sampled hit found its put in the map"
rate=$(sed -n 's/.*"sample_rate":\([0-9.e-]*\).*/\1/p' /tmp/shards.json)
awk -v r="$rate" 'BEGIN { exit !(r > 0 && r < 1) }'
ok $? "the effective sampling rate was lowered ($rate < 1)"
rm -f $W $C

# ---- follow mode: more forks than the followed-pid map holds ----

# Without cgroup v2, run follows COMMAND's process tree.  The environment
# first: unmount cgroup2 (the hierarchy lives on) and mount it back after.
if umount $CG 2>/dev/null; then
	cat $A >/dev/null
	echo 1 >/proc/sys/vm/drop_caches
	# 8300 subshells, one after another, each exiting; then one more
	# that reads A (not the script's last command: ash would run that
	# one in the followed shell itself, without a fork)
	$CC -v -j run -- sh -c "i=0
		while [ \$i -lt 8300 ]; do ( : ); i=\$((i + 1)); done
		( cat $A >/dev/null ); exit 0" 2>/tmp/follow.out >/dev/null
	rc=$?
	mount -t cgroup2 none $CG
	grep -q 'following pid' /tmp/follow.out
	ok $((rc | $?)) "run followed the process tree (no cgroup v2)"
	is "$(jnum "$(jtotal "$(grep '"type":"run"' /tmp/follow.out)")" gets)" $N \
		"the 8,301st child's $N gets are counted"
else
	skip "run followed the process tree (no cgroup v2)" "cannot unmount $CG"
	skip "the 8,301st child's gets are counted" "cannot unmount $CG"
fi

rm -f $A
done_testing
exit $?
