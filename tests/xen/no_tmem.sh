#!/bin/sh
# In-guest, dom0 on a Xen without tmem (tests/xen/dom0-no-tmem): the
# transport probes, declines in one line, and the local store takes over.
. /run/test/tap.sh
. /run/test/lib.sh
plan 6
dmesg | grep -q "Hypervisor detected: Xen PV"
ok $? "the kernel runs as a Xen PV domain"
v=$(dmesg | sed -n 's/.*Xen version: \([0-9.]*\).*/\1/p' | head -n 1)
diag "Xen version $v"
case $v in 4.17*) ok 0 "the hypervisor is Xen 4.17" ;; *) ok 1 "the hypervisor is Xen 4.17 (got '$v')" ;; esac
dmesg | grep -q "xen_tmem: the hypervisor has no tmem (tmem_op: -38): not registering"
ok $? "the transport finds no tmem and declines in one line"
dmesg | grep -q "tmem_local: registered"
ok $? "the local store takes over"
is "$(cat $CC/backend)" tmem_local "... and is cleancache's backend"
is "$(cat $XT/registered) $(xstat errors_enosys)" "N 1" "one probe, one -ENOSYS, not registered"
done_testing
exit $?
