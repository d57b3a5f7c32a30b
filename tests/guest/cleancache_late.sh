#!/bin/sh
# In-guest: a backend that registers after filesystems are mounted gives
# them pools, and a bad boot setting is refused with a message.
# Boot with: tmem_local.enabled=0 tmem_local.max_size=lots
. /run/test/tap.sh
. /run/test/lib.sh
plan 18

dmesg | grep -q "tmem_local: max_size 'lots' is not a size"
ok $? "a bad tmem_local.max_size at boot is refused with a message"
# Default: a quarter of RAM as counted at boot (initmem is freed later)
cap=$(cat /sys/module/tmem_local/parameters/max_size)
mem=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) * 1024 ))
ok $(( cap > mem / 5 && cap <= mem / 4 ? 0 : 1 )) \
   "... and the store keeps its default capacity, a quarter of RAM ($cap of $mem bytes)"
is "$(cat $CC/backend)" none "no backend while tmem_local.enabled=0"
is "$(awk 'NR > 1' $CC/pools | wc -l)" 0 "no pools before a backend registers"

echo > $TP/trace
echo 1 > $TP/events/cleancache/enable
echo 1 > /sys/module/tmem_local/parameters/enabled
ok $? "the local store registers at runtime"
echo 0 > $TP/events/cleancache/enable
cat $TP/trace > /tmp/trace
is "$(cat $CC/backend)" tmem_local "tmem_local is the backend now"
grep -q "cleancache_backend_register: backend=tmem_local ret=0" /tmp/trace
ok $? "cleancache_backend_register fires"
check_late_pools
dmesg | grep -qE "BUG:|WARNING:|Oops"
ok $((! $?)) "the kernel logged no BUG, WARNING or Oops"
done_testing
exit $?
