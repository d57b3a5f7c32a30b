#!/bin/sh
# ccstat_json.sh: the JSON of every command, and names with any byte in
# them, in JSON and in text.
#   tests/vm/run tests/guest/ccstat_json.sh tests/lib/tap.sh \
#       tests/guest/ccstat_lib.sh tools/ccstat-static build/guest/ccio \
#       build/guest/ccstat-jsoncheck
#
# A file whose name holds a newline, a tab, an ESC and a byte that is not
# UTF-8 is put and read back while each command runs with -j (and
# --pretty); every record must match the schema of its type
# (tests/json/ccstat-records.json).  Its inode row must name it with the
# JSON escapes (\u000a, \u0009, \u001b, \ufffd), and the text summary
# with ls -b's (\n, \t, \033, \377), on one line.
. ./tap.sh
. ./ccstat_lib.sh
require_cleancache
[ -x ./ccstat-jsoncheck ] || bail_out "ccstat-jsoncheck not passed as a FILE"

plan 19
M=/mnt/ext4
DEV=$(devof $M)
NAME=$(printf 'odd\nname\t\033\377')
F="$M/$NAME"
J=/tmp/json
mkdir -p $J

# evict: its pages go to cleancache, the next read gets them back
evict() {
	echo 1 >/proc/sys/vm/drop_caches
}
dd if=/dev/urandom of="$F" bs=$PAGE count=16 2>/dev/null
sync
evict

$CC -j version >$J/version.json
json_valid "version -j" $J/version.json

# run: the summary on stderr; the file's inode row names it
evict
$CC run -a -j -- cat "$F" 2>$J/run.json >/dev/null
ok $? "run -a -j over the odd file"
json_valid "run -a -j" $J/run.json
grep -qF '"path":"/mnt/ext4/odd\u000aname\u0009\u001b\ufffd"' $J/run.json
ok $? "JSON: the path escaped as JSON (\\u000a \\u0009 \\u001b \\ufffd)"
evict
$CC run -a -- cat "$F" 2>$J/run.txt >/dev/null
grep -qF '/mnt/ext4/odd\nname\t\033\377' $J/run.txt &&
	! grep -q "^name" $J/run.txt
ok $? "text: the path escaped like ls -b, on one line"

# stat, top: intervals while the file is read
bg() {	# OUT ARGS...: ccstat in the background until its first record
	out=$1
	shift
	$CC "$@" >"$out" 2>/dev/null &
	pid=$!
	wait_for "$out" '"type"'
}
evict
bg $J/stat.json -j stat --total 1
cat "$F" >/dev/null
kill -INT $pid
wait $pid
ok $? "stat -j --total ends on SIGINT"
test -n "$(jrow "$(tail -n 1 $J/stat.json)" filesystems "\"device\":\"$DEV\"")"
ok $? "stat -j: a filesystem row for $DEV"
bg $J/rate.json -j -r stat 1
kill -INT $pid
wait $pid
bg $J/top.json -j top 1
evict
cat "$F" >/dev/null
n=$(wc -l <$J/top.json)
i=0
while [ "$(wc -l <$J/top.json)" -le "$n" ] && [ $i -lt 1200 ]; do i=$((i + 1)); sleep 0.1; done
kill -INT $pid
wait $pid
grep -q '"inodes":\[{"device"' $J/top.json
ok $? "top -j: inode rows"
json_valid "stat -j --total, stat -j -r, top -j" $J/stat.json $J/rate.json $J/top.json

# trace: events of the read
evict
$CC -j trace --dev "$DEV" >$J/trace.json 2>$J/trace.err &
pid=$!
wait_for $J/trace.err "Hit Ctrl-C"
cat "$F" >/dev/null
sleep 0.5
kill -INT $pid
wait $pid
grep -q '"type":"event"' $J/trace.json && grep -q '"type":"trace_summary"' $J/trace.json
ok $? "trace -j: events and the summary"
json_valid "trace -j" $J/trace.json

# check
$CC -j check -d 1 >$J/check.json
ok $? "check -j passes"
json_valid "check -j" $J/check.json

# analyze, over a command
evict
$CC -j analyze --dev "$DEV" -- cat "$F" 2>$J/analyze.json >/dev/null
grep -q '"type":"analyze"' $J/analyze.json
ok $? "analyze -j over a command"
json_valid "analyze -j" $J/analyze.json

# --pretty: the same records, indented
$CC --pretty stat 1 1 >$J/pretty.json
test "$(wc -l <$J/pretty.json)" -gt 10
ok $? "stat --pretty: indented, a record over many lines"
json_valid "stat --pretty" -p $J/pretty.json
evict
$CC --pretty analyze --dev "$DEV" -- cat "$F" 2>$J/apretty.json >/dev/null
json_valid "analyze --pretty" -p $J/apretty.json
./ccstat-jsoncheck $J/apretty.json >/dev/null
is $? 1 "the checker refuses indented output read as one record per line"

rm -f "$F"
done_testing
