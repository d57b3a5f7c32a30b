#!/bin/sh
# ccstat_trace.sh: one line per event, and lost events are reported.
#   tests/vm/run tests/guest/ccstat_trace.sh tests/lib/tap.sh \
#       tests/guest/ccstat_lib.sh tools/ccstat-static
. ./tap.sh
plan 10
. ./ccstat_lib.sh
require_cleancache

N=32
F=/mnt/ext4/cc_trace
DEV=$(devof /mnt/ext4)
make_file $F $N
ino=$(stat -c %i $F)

# one get line per page of F, in text and in JSON
$CC trace --dev "$DEV" --op get >/tmp/t.txt &
pid=$!
wait_for /tmp/t.txt '^TIME'
ok $? "trace prints its header once attached"
cat $F >/dev/null
sleep 0.5
kill -INT $pid
wait $pid
ok $? "trace exits 0 on SIGINT"
is "$(awk -v i="$ino" '$5 == "get" && $8 == i' /tmp/t.txt | wc -l)" "$N" \
	"text: one get line per page of the file"
is "$(grep -c '^# [0-9]* events, 0 lost$' /tmp/t.txt)" 1 "text: summary line, nothing lost"

echo 1 >/proc/sys/vm/drop_caches
$CC -j trace --op get,put --dev "$DEV" >/tmp/t.json 2>/tmp/t.err &
pid=$!
wait_for /tmp/t.err "Hit Ctrl-C"	# attached
cat $F >/dev/null
sleep 0.5
kill -INT $pid
wait $pid
is "$(grep "\"ino\":$ino," /tmp/t.json | grep -c '"op":"get"')" "$N" \
	"JSON: one get object per page"
is "$(grep -c '"op":"put"' /tmp/t.json)" 0 "JSON: no put while nothing is evicted"
is "$(tail -n 1 /tmp/t.json | sed -n 's/.*"events_lost":\([0-9]*\).*/\1/p')" 0 \
	"JSON: final line reports 0 lost events"

# flood: a 4 KiB ring buffer cannot hold the puts of one drop_caches
BIG=2048
dd if=/dev/urandom of=/mnt/ext4/cc_flood bs=$PAGE count=$BIG 2>/dev/null
sync
$CC -j trace --op put --ringbuf-kib 4 >/tmp/f.json 2>/tmp/f.err &
pid=$!
wait_for /tmp/f.err "Hit Ctrl-C"	# attached
ksnap /tmp/k0
echo 1 >/proc/sys/vm/drop_caches
ksnap /tmp/k1
sleep 0.5
kill -INT $pid
wait $pid
last=$(tail -n 1 /tmp/f.json)
events=$(echo "$last" | sed -n 's/.*"events":\([0-9]*\).*/\1/p')
lost=$(echo "$last" | sed -n 's/.*"events_lost":\([0-9]*\).*/\1/p')
puts=$(( $(kdelta /tmp/k0 /tmp/k1 puts) + $(kdelta /tmp/k0 /tmp/k1 puts_refused) ))
if [ "${lost:-0}" -gt 0 ] || ! debug_kernel; then
	test "${lost:-0}" -gt 0
	ok $? "flood: lost events reported ($lost)"
else
	# Puts are too slow there to outrun the reader
	skip "flood: lost events reported" "debug kernel: none lost"
fi
is "$((events + lost))" "$puts" "flood: printed + lost = the kernel's puts"
is "$(grep -c '"op":"put"' /tmp/f.json)" "$events" "flood: one line per printed event"
rm -f $F /mnt/ext4/cc_flood

done_testing
exit $?
