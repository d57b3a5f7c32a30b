#!/bin/sh
# In-guest, on Xen with tmem: the ccstat counts test (ccstat_counts.sh),
# unchanged, with xen_tmem as the store underneath; then `ccstat check`'s
# hypervisor line against Xen's own pools.  ext4 is mounted afresh, so
# that its pool's counts start at zero in the guest and in Xen; 96 pages
# are put (A: 64, B: 32) and A is read back (64 exclusive gets): Xen must
# hold exactly B's 32 pages, and the line must say so.  Removing B then
# leaves Xen 32 pages short of what the guest's counts allow: still ok.
if [ "$(cat /sys/kernel/debug/cleancache/backend)" != xen_tmem ]; then
	echo "Bail out! the store is $(cat /sys/kernel/debug/cleancache/backend), not xen_tmem"
	exit 1
fi
echo "# store: xen_tmem"
sh ./ccstat_counts.sh
counts=$?

# A second TAP stream, after the first
. ./tap.sh
plan 17
. ./ccstat_lib.sh
require_cleancache

M=/mnt/ext4
umount $M && mount -t ext4 /dev/vda $M
ok $? "ext4 mounted afresh: a new pool"
pool=$(awk -v d="$(devof $M)" 'NR > 1 && $2 == d { print $1 }' $DBG/pools)
make_file $M/hv_a 64
make_file $M/hv_b 32
cat $M/hv_a >/dev/null
is "$(kpool "$(devof $M)" 5) $(kpool "$(devof $M)" 7)" "96 64" \
   "the guest put 96 pages into pool $pool and got 64 back"

$CC check -d 1 >/tmp/check.txt 2>&1
rc=$?
sed 's/^/# /' /tmp/check.txt
is "$rc" 0 "ccstat check passes on Xen"
is "$(grep "^[a-zA-Z]* *hypervisor *pool $pool:" /tmp/check.txt)" \
   "ok    hypervisor     pool $pool: pages Xen/guest 32/32, puts 96/96, hits 64/64" \
   "check: Xen holds exactly the 32 pages the guest left in pool $pool"
is "$(grep -c '^FAIL' /tmp/check.txt)" 0 "check: no line fails"
grep -q '^ok    hypervisor     pool [0-9]*: pages Xen/guest' /tmp/check.txt &&
	! grep -q '^skip  hypervisor' /tmp/check.txt
ok $? "check: every pool has a hypervisor line, none skipped"

$CC -j check -d 1 >/tmp/check.json
is "$?" 0 "check -j passes on Xen"
obj=$(sed 's/},{/}|{/g' /tmp/check.json | tr '|' '\n' | grep "\"check\":\"hypervisor\".*\"id\":$pool,")
diag "$obj"
is "$(echo "$obj" | grep -o '"status":"[a-zA-Z]*"')" '"status":"ok"' "check -j: the line is ok"
for kv in xen_bytes:$((32 * PAGE)) guest_bound_bytes:$((32 * PAGE)) xen_puts:96 guest_puts:96 \
	  xen_gets:64 guest_gets:64; do
	is "$(jnum "$obj" "${kv%%:*}")" "${kv#*:}" "check -j: ${kv%%:*} = ${kv#*:}"
done

json_valid "check -j on Xen" /tmp/check.json

# Removing B flushes its object: Xen drops the 32 pages, while the
# guest's counts, which cannot tell how many a flush dropped, still allow
# them: a shortfall, consistent, and said as such
rm $M/hv_b
sync
$CC check -d 1 >/tmp/check.txt 2>&1
is "$?" 0 "after a flush object, check passes"
line=$(grep "^[a-zA-Z]* *hypervisor *pool $pool:" /tmp/check.txt)
diag "$line"
case $line in
"ok    hypervisor     pool $pool: pages Xen/guest 0/32, puts 96/96, hits 64/64; 32 fewer in Xen: flushed or evicted (Xen evicted "[0-9]*" in all)")
	ok 0 "check: Xen's 32 pages fewer than the guest allows are a shortfall, ok" ;;
*)	ok 1 "check: Xen's 32 pages fewer than the guest allows are a shortfall, ok" ;;
esac
rm -f $M/hv_a

done_testing
rc=$?
[ $counts = 0 ] || [ $counts = 4 ] || rc=1
exit $rc
