#!/bin/sh
# In-guest, on the local store: pool ids have no fixed limit.  100 small
# filesystems (busybox mke2fs images on tmpfs, loop-mounted as ext4) are
# mounted beside the VM's ext4 and btrfs: each gets a pool of its own in the frontend and in
# the store, pages round-trip through the 100th, and unmounting them all
# destroys all 100 pools.
# Run: tests/vm/run tests/guest/cleancache_pools.sh tests/lib/tap.sh \
#          tests/guest/lib.sh build/guest/ccio
. /run/test/tap.sh
. /run/test/lib.sh
plan 11

NFS=100		# loop-mounted filesystems
NP=8		# pages put and got on the last one

diag "store: $(cat $CC/backend)"
mounted=0
i=1
while [ $i -le $NFS ]; do
	img=/tmp/p$i.img m=/mnt/p$i
	# Sparse images: tmpfs holds only what mke2fs writes
	truncate -s 4M $img && mke2fs -q -F -b 4096 $img >/dev/null 2>&1 &&
		mkdir -p $m && mount -t ext4 -o loop $img $m && mounted=$((mounted + 1))
	i=$((i + 1))
done
is $mounted $NFS "$NFS small ext4 filesystems are loop-mounted"

# The pool of every mount, one a line ("" for a mount without a pool)
i=1
while [ $i -le $NFS ]; do
	echo "$(pool_of /mnt/p$i)"
	i=$((i + 1))
done > /tmp/pools
is "$(grep -c '^$' /tmp/pools)" 0 "every mount got a pool"
is "$(grep -v '^$' /tmp/pools | sort -u | wc -l)" $NFS "... $NFS distinct pools"
last=$(tail -n 1 /tmp/pools)
diag "pools: $(tr '\n' ' ' < /tmp/pools)"
ok $([ -n "$last" ] && [ "$last" -ge 64 ]; echo $?) "the last mount's pool id is beyond 63 ($last)"
is "$(tstat "$last" refs) $(tstat "$last" shared)" "1 0" "the store has the last pool, private"

# Pages round-trip through the last filesystem's pool
m=/mnt/p$NFS
$CCIO fill $m/f $NP 77
b=$( [ -n "$last" ] && pstat "$last" puts || echo 0)
drop
a=$( [ -n "$last" ] && pstat "$last" puts || echo 0)
is "$(delta "$b" "$a")" $NP "dropping $NP pages of the last filesystem puts $NP pages"
b=$( [ -n "$last" ] && pstat "$last" succ_gets || echo 0)
$CCIO check $m/f $NP 77
ok $? "the last filesystem reads its data back"
a=$( [ -n "$last" ] && pstat "$last" succ_gets || echo 0)
is "$(delta "$b" "$a")" $NP "... all $NP pages from cleancache"

# Unmount all: every pool goes, in the frontend and in the store
b=$(gstat fs_invalidates)
i=1 umounted=0
while [ $i -le $NFS ]; do
	umount /mnt/p$i && umounted=$((umounted + 1))
	i=$((i + 1))
done
is "$umounted $(delta "$b" "$(gstat fs_invalidates)")" "$NFS $NFS" \
   "all $NFS unmount, each destroying its pool"
left=0
for p in $(grep -v '^$' /tmp/pools); do
	[ "$(pstat "$p" puts)" = nopool ] || left=$((left + 1))
	[ "$(tstat "$p" refs)" = nopool ] || left=$((left + 1))
done
is $left 0 "no pool of theirs is left in either table"
no_kernel_reports
done_testing
exit $?
