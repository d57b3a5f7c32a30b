#!/bin/sh
# In-guest: the coherency stress on ext4 and btrfs: random read / write /
# O_DIRECT / mmap / truncate / punch on four files, the page cache dropped
# every 997 operations, a small store so that it evicts all the time;
# every read is checked against an in-memory model.  Zero mismatches.
. /run/test/tap.sh
. /run/test/lib.sh

ops=100000
[ -f /run/test/stress.conf ] && . /run/test/stress.conf
echo $((512 * PAGE)) > /sys/module/tmem_local/parameters/max_size
for fs in ext4 btrfs; do
	m=/mnt/$fs
	pool=$(pool_of $m)
	h=$(pstat $pool succ_gets); p=$(pstat $pool puts)
	out=$($CCIO stress $m 4 $ops 7)
	ok $? "$fs: $ops random operations, no stale read"
	diag "$fs: $out"
	diag "$fs: cleancache puts $(delta $p "$(pstat $pool puts)") hits $(delta $h "$(pstat $pool succ_gets)") evictions $(tstat $pool evictions)"
	# The stress must have gone through cleancache, or it proves nothing.
	ok $(( $(pstat $pool succ_gets) > h ? 0 : 1 )) "$fs: the stress was served by cleancache"
done
dmesg | grep -qE "BUG:|WARNING:|Oops"
ok $((! $?)) "the kernel logged no BUG, WARNING or Oops"
done_testing
exit $?
