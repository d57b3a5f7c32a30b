#!/bin/sh
# In-guest: the coherency stress on ext4 and btrfs at once: random read /
# write / O_DIRECT / mmap / truncate / punch on four files each, the page
# cache dropped every 251 operations, a small store so that it evicts;
# every read is checked against an in-memory model.  Zero mismatches.
. /run/test/tap.sh
. /run/test/lib.sh

ops=100000
[ -f /run/test/stress.conf ] && . /run/test/stress.conf
# 64 pages against up to 1024 in the files: the store evicts constantly
echo $((64 * PAGE)) > /sys/module/tmem_local/parameters/max_size
for fs in ext4 btrfs; do
	pool=$(pool_of /mnt/$fs)
	echo "$(pstat $pool puts) $(pstat $pool succ_gets)" > /tmp/before.$fs
	( $CCIO stress /mnt/$fs 4 $ops 7 > /tmp/out.$fs 2>&1; echo $? > /tmp/rc.$fs ) &
done
wait
for fs in ext4 btrfs; do
	pool=$(pool_of /mnt/$fs)
	read p h < /tmp/before.$fs
	is "$(cat /tmp/rc.$fs)" 0 "$fs: $ops random operations, no stale read"
	diag "$fs: $(cat /tmp/out.$fs)"
	diag "$fs: cleancache puts $(delta $p "$(pstat $pool puts)") hits $(delta $h "$(pstat $pool succ_gets)") evictions $(tstat $pool evictions)"
	ok $(( $(tstat $pool evictions) > 0 ? 0 : 1 )) "$fs: the store evicted during the stress"
	# The stress must have gone through cleancache, or it proves nothing.
	ok $(( $(pstat $pool succ_gets) > h ? 0 : 1 )) "$fs: the stress was served by cleancache"
done
dmesg | grep -qE "BUG:|WARNING:|Oops"
ok $((! $?)) "the kernel logged no BUG, WARNING or Oops"
done_testing
exit $?
