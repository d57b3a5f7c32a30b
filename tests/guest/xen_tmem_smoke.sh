#!/bin/sh
# In-guest, on a freshly built Xen with tmem (suite xen-build): the image
# tests/xen/build-xen-tmem made is a working tmem hypervisor.  The
# transport registers, a dropped file goes into Xen's pool and comes
# back from it with the same content, and Xen's own counters (read
# through the tmem sysctl) agree with the guest's.
# Run: VM_HYPERVISOR=xen-tmem XEN_TMEM=IMAGE tests/vm/run \
#          tests/guest/xen_tmem_smoke.sh tests/lib/tap.sh tests/guest/lib.sh \
#          build/guest/ccio build/guest/xen-tmem-stat
. /run/test/tap.sh
. /run/test/lib.sh
plan 8

N=64
is "$(cat $CC/backend) $(xstat registered)" "xen_tmem Y" "xen_tmem is the cleancache store"
use_fs ext4 || { done_testing; exit 1; }
$CCIO fill $m/a $N 7
b=$(pstat $pool puts) hv=$(hvpool $pool pages)
drop
is "$(delta $b "$(pstat $pool puts)")" $N "dropping a $N-page file puts $N pages"
is "$(delta "$hv" "$(hvpool $pool pages)")" $N "Xen's pool $pool holds $N more pages"
b=$(pstat $pool succ_gets)
$CCIO check $m/a $N 7
ok $? "the re-read content is identical"
is "$(delta $b "$(pstat $pool succ_gets)")" $N "the re-read gets all $N pages from cleancache"
is "puts=$(hvlist $pool good_puts) hits=$(hvlist $pool found_gets)" \
   "puts=$(pstat $pool puts) hits=$(pstat $pool succ_gets)" \
   "Xen's counters for pool $pool equal the guest's"
no_kernel_reports
done_testing
exit $?
