#!/bin/sh
# ccstat_workload.sh: `ccstat run -- COMMAND` counts only COMMAND.
#   tests/vm/run tests/guest/ccstat_workload.sh tests/lib/tap.sh \
#       tests/guest/ccstat_lib.sh tools/ccstat-static
# Files A (N pages) and B (M pages) are put into cleancache.  While a
# background job outside the run reads B and churns invalidations on
# another file (COMMAND waits for both), `ccstat run -j -- cat A` must
# report exactly N gets (all hits), no invalidations, and only its own
# task; the kernel's counters show that the background job was busy
# meanwhile.
. ./tap.sh
plan 15
. ./ccstat_lib.sh
require_cleancache

N=48
M=80
A=/mnt/ext4/cc_wl_a
B=/mnt/ext4/cc_wl_b
dd if=/dev/urandom of=$A bs=$PAGE count=$N 2>/dev/null
dd if=/dev/urandom of=$B bs=$PAGE count=$M 2>/dev/null
sync
echo 1 >/proc/sys/vm/drop_caches

# A handshake, not sleeps: COMMAND lets the background job read B and
# waits until it has, then reads A, then waits for two more background
# invalidations, so both happen while ccstat counts, however slow the host
ksnap /tmp/k0
rm -f /tmp/wl_go /tmp/wl_done
mkfifo /tmp/wl_go /tmp/wl_done
(
	read x </tmp/wl_go
	cat $B >/dev/null
	echo done >/tmp/wl_done
	while :; do
		dd if=/dev/zero of=/mnt/ext4/cc_wl_c bs=$PAGE count=8 2>/dev/null
		rm -f /mnt/ext4/cc_wl_c
	done
) &
bg=$!
out=$($CC run -j -- sh -c "echo go >/tmp/wl_go; read x </tmp/wl_done
	cat $A >/dev/null
	i=\$(cat $DBG/inode_invalidates)
	while [ \$(cat $DBG/inode_invalidates) -lt \$((i + 2)) ]; do sleep 0.1; done" 2>&1 >/dev/null)
rc=$?
kill $bg
wait $bg 2>/dev/null
ksnap /tmp/k1
ok $rc "ccstat run -j -- COMMAND succeeds"

tot=$(jtotal "$out")
is "$(jnum "$tot" gets)" "$N" "run counted exactly the $N gets of COMMAND"
is "$(jnum "$tot" hits)" "$N" "all of them hits"
is "$(jnum "$tot" inval_inodes)" 0 "none of the background invalidations"
is "$(jnum "$tot" puts)" 0 "no puts (COMMAND evicted nothing)"
others=$(echo "$out" | sed -n 's/.*"workloads":\[\(.*\)\],"cost".*/\1/p' |
	sed 's/},{/}|{/g' | tr '|' '\n' | grep -v '"comm":"cat"' |
	grep -v '"comm":"sh"' | grep -c comm)
is "$others" 0 "only COMMAND's tasks (sh, cat) appear"
gets=$(( $(kdelta /tmp/k0 /tmp/k1 succ_gets) + $(kdelta /tmp/k0 /tmp/k1 failed_gets) ))
test "$gets" -ge $((N + M))
ok $? "the kernel saw the background gets too ($gets >= $((N + M)))"
inv=$(kdelta /tmp/k0 /tmp/k1 inode_invalidates)
test "$inv" -ge 2
ok $? "the kernel saw background inode invalidations ($inv >= 2)"
ls -d /sys/fs/cgroup/ccstat-run-* >/dev/null 2>&1
ok $((!$?)) "the run's cgroup is removed afterwards"

# -p PID on a view: only that process.  A handshake, not a sleep: the
# process waits on a fifo until stat's first (--total: all-zero) line says
# the programs are attached; stat's last line comes on SIGINT after the
# process has exited.
cat $A >/dev/null
echo 1 >/proc/sys/vm/drop_caches
rm -f /tmp/go
mkfifo /tmp/go
# exec: the counted process itself reads (-p follows a tgid, not a tree)
sh -c "read x </tmp/go; exec cat $A >/dev/null" &
pid=$!
$CC -j -p $pid stat --total 1 >/tmp/p.json &
st=$!
wait_for /tmp/p.json '"total"'
ok $? "stat -p PID attached (first line)"
echo go >/tmp/go
wait $pid
kill -INT $st
wait $st
ok $? "stat -p PID exits 0 on SIGINT"
tot=$(jtotal "$(tail -n 1 /tmp/p.json)")
is "$(jnum "$tot" gets)" "$N" "stat -p PID counts that process's $N gets"
echo "$out" >/tmp/run.json
json_valid "run -j, stat -j -p" /tmp/run.json /tmp/p.json
run_rc=$($CC run -- sh -c 'exit 7' 2>/dev/null; echo $?)
is "$run_rc" 7 "run exits with COMMAND's status"
out=$($CC run -- echo hello 2>/dev/null)
is "$out" hello "run: COMMAND's output alone on stdout (summary on stderr)"

rm -f $A $B
done_testing
exit $?
