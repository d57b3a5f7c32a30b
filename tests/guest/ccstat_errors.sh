#!/bin/sh
# ccstat_errors.sh: bad input gives one "ccstat: failed to ..." line and
# exit status 2 (usage) or 1 (runtime); `ccstat check` passes on the
# cleancache kernel, reports the BPF map memory, and skips the hypervisor
# line (the local store has no hypervisor behind it).  The host runs the
# full set of usage errors (tests/unit/cli.sh); these are the ones that
# need the real system.
#   tests/vm/run tests/guest/ccstat_errors.sh tests/lib/tap.sh \
#       tests/guest/ccstat_lib.sh tools/ccstat-static
. ./tap.sh
plan 21
. ./ccstat_lib.sh
require_cleancache

# fails RC WANT_PREFIX DESC ARGS...: exit RC, exactly one stderr line
fails() {
	want_rc=$1
	want=$2
	desc=$3
	shift 3
	$CC "$@" >/tmp/out 2>/tmp/err
	rc=$?
	is "$rc:$(wc -l </tmp/err):$(cut -c1-${#want} /tmp/err)" "$want_rc:1:$want" "$desc"
}

fails 2 "ccstat: failed to parse arguments: unknown command" "unknown subcommand" frob
fails 2 "ccstat: failed to parse arguments: unknown option" "unknown flag" stat --frob
fails 2 "ccstat: failed to find process" "PID that does not exist" -p 4000000 stat
fails 2 "ccstat: failed to resolve cgroup" "cgroup that does not exist" -c /sys/fs/cgroup/nope stat
fails 2 "ccstat: failed to resolve cgroup" "cgroup path not in cgroup2" -c /tmp stat
fails 2 "ccstat: failed to parse listen address" "export: bad address, before BPF" export --listen 10.0.0.1:99999
fails 2 "ccstat: failed to parse arguments: run needs a command" "run without command" run
fails 127 "ccstat: failed to run command" "run with a missing command: 127, as a shell" run -- /nonexistent

if [ -x /run/test/ccio ]; then
	/run/test/ccio runas 65534 $CC stat 1 1 >/tmp/out 2>/tmp/err
	is "$?:$(wc -l < /tmp/err):$(cut -d: -f1-2 /tmp/err)" \
		"1:1:ccstat: failed to load BPF programs" "not root: one clear line"
	diag "$(cat /tmp/err)"
else
	skip "not root: one clear line" "no /run/test/ccio to drop privileges"
fi

$CC check >/tmp/check.txt 2>&1
rc=$?
cat /tmp/check.txt | sed 's/^/# /'
is "$rc" 0 "ccstat check passes"
grep -q '^ok    attach tp_btf' /tmp/check.txt
ok $? "check: tp_btf attach works"
grep -q '^ok    attach fentry' /tmp/check.txt
ok $? "check: fentry fallback works"
grep -q '^ok    reconcile' /tmp/check.txt
ok $? "check: totals reconcile with debugfs"
grep -q '^info  bpf memory .* bytes in [0-9]* maps (bound' /tmp/check.txt
ok $? "check: prints the BPF map memory and its bound"
# the local store has no hypervisor behind it: skipped, with the reason
is "$(grep -c ' hypervisor ' /tmp/check.txt) $(grep '^[a-zA-Z]* *hypervisor ' /tmp/check.txt)" \
   "1 skip  hypervisor     the store is tmem_local, not xen_tmem: no hypervisor pools to compare" \
   "check: the hypervisor line is one skip on the local store"

# check reconciles while something happens
dd if=/dev/urandom of=/mnt/ext4/cc_err bs=$PAGE count=64 2>/dev/null
sync
( sleep 1; echo 1 >/proc/sys/vm/drop_caches; cat /mnt/ext4/cc_err >/dev/null ) &
$CC -j check -d 3 >/tmp/check.json
is "$?" 0 "check -j with activity passes"
grep -q '"check":"reconcile","status":"ok"' /tmp/check.json
ok $? "check -j: reconcile ok with activity"
json_valid "check -j" /tmp/check.json
wait
rm -f /mnt/ext4/cc_err

$CC version | grep -q '^ccstat [0-9]'
ok $? "version"
$CC -V | grep -q '^ccstat [0-9]'
ok $? "-V"
$CC help | grep -q '^Usage: ccstat'
ok $? "help"

done_testing
exit $?
