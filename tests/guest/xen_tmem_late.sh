#!/bin/sh
# In-guest, on Xen with tmem: the transport registers after filesystems
# are mounted and gives them Xen pools; backends cannot unregister.
# Boot with: xen_tmem.cleancache=0 tmem_local.enabled=0
. /run/test/tap.sh
. /run/test/lib.sh
plan 20

P=/sys/module/xen_tmem/parameters/cleancache
dmesg | grep -q "xen_tmem: not used for cleancache (xen_tmem.cleancache=0)"
ok $? "xen_tmem.cleancache=0 keeps the transport out at boot, with a message"
is "$(cat $CC/backend)" none "no backend yet"
is "$(awk 'NR > 1' $CC/pools | wc -l)" 0 "no pools before a backend registers"

echo > $TP/trace
echo 1 > $TP/events/cleancache/enable
echo 1 > $P
ok $? "writing 1 to $P registers the transport at runtime"
echo 0 > $TP/events/cleancache/enable
cat $TP/trace > /tmp/trace
is "$(cat $CC/backend) $(cat $XT/registered)" "xen_tmem Y" "xen_tmem is the backend now"
snap /tmp/s0
grep -q "cleancache_backend_register: backend=xen_tmem ret=0" /tmp/trace
ok $? "cleancache_backend_register fires"
check_late_pools
reconcile "late registration"
! echo 0 > $P 2>/dev/null
ok $? "the registered transport cannot be turned off"
! echo maybe > $P 2>/dev/null
ok $? "cleancache=maybe is rejected"
dmesg | grep -qE "BUG:|WARNING:|Oops"
ok $((! $?)) "the kernel logged no BUG, WARNING or Oops"
done_testing
exit $?
