#!/bin/sh
# In-guest, on either store (tmem_local, or xen_tmem under Xen): ocfs2 in
# local mode (no cluster stack) gets a private pool, like any local
# filesystem; only a cluster mount joins the pool shared by its volume
# UUID (KUnit covers that path: kernel/src/mm/cleancache_test.c).
# A clone of the local-mode volume (same UUID) is mounted beside it and
# written so that it diverges: each mount must read its own data back
# from its own pool.  Two clones of an ext4 filesystem (same UUID too)
# keep private pools the same way.
# Run: VM_OCFS2=1 tests/vm/run tests/guest/ocfs2_shared.sh tests/lib/tap.sh \
#          tests/guest/lib.sh build/guest/ccio [build/guest/xen-tmem-stat]
. /run/test/tap.sh
. /run/test/lib.sh

N=64			# pages in the file
A=/mnt/ocfs2 B=/mnt/ocfs2b
backend=$(cat $CC/backend)
diag "store: $backend"
# 20, and 1 on the local store or 3 on Xen tmem
case $backend in
tmem_local) plan 21 ;;
xen_tmem) plan 23 ;;
*) plan 20 ;;
esac

shared_of() { table_get $CC/pools "$1" shared; }

grep -q " $A ocfs2 " /proc/mounts
ok $? "ocfs2 (local mode) is mounted at $A" || bail_out "no ocfs2 at $A"
uuid=$(ls /sys/kernel/debug/ocfs2/ 2>/dev/null | head -n 1)
diag "ocfs2 volume UUID: $uuid"
pool=$(pool_of $A)
is "$(shared_of "$pool")" 0 "ocfs2 in local mode got a private pool at mount"

# The data, then a clone of the volume with the same UUID
$CCIO fill $A/f $N 31
sync
umount $A
# Xen 4.12 makes a pool shared only for a UUID dom0 authorized: authorize
# this one, so that a kernel asking for a shared pool would get one
if [ "$backend" = xen_tmem ]; then
	$XTS auth "$uuid"
	ok $? "dom0 authorizes shared pools for the volume's UUID"
fi
dd if=/dev/vdc of=/dev/vdd bs=1M 2>/dev/null
ok $? "the volume is cloned to /dev/vdd"
mkdir -p $B
# The clone first: drop_caches walks the superblocks in mount order, so
# the original's pages are put after the clone's (a pool shared by UUID
# would end up holding the original's data under the clone's keys).
mount -t ocfs2 /dev/vdd $B && pb=$(pool_of $B) &&
	mount -t ocfs2 /dev/vdc $A && pa=$(pool_of $A)
ok $? "the volume and its clone are mounted side by side"
ok $([ -n "$pa" ] && [ -n "$pb" ] && [ "$pa" != "$pb" ]; echo $?) \
   "... each with its own pool ($pa, $pb)"
is "$(shared_of "$pa") $(shared_of "$pb")" "0 0" "... both private"
case $backend in
tmem_local)
	is "$(tstat "$pa" shared) $(tstat "$pa" refs) $(tstat "$pb" shared) $(tstat "$pb" refs)" \
	   "0 1 0 1" "the store has two private pools, one user each" ;;
xen_tmem)
	is "$(hvpool "$pa" shared) $(hvpool "$pb" shared)" "0 0" \
	   "Xen's two pools are private" ;;
esac

# The clone overwrites the file with other data, and reads it back from
# its disk (pages read, not written, are what a drop puts): the two
# volumes have diverged.  Then the original reads its data (cold: misses).
$CCIO pwrite $B/f 0 $((N * PAGE)) 85 && drop &&
	$CCIO expect $B/f 0 $((N * PAGE)) 85
ok $? "the clone writes other data to the same file and reads it back"
b=$(pstat "$pa" failed_gets)
$CCIO check $A/f $N 31
ok $? "the volume reads its data"
is "$(delta "$b" "$(pstat "$pa" failed_gets)")" $N "... a cold read misses all $N pages"

# Both drop, the clone's pages first: each mount's go to its own pool
ba=$(pstat "$pa" puts) bb=$(pstat "$pb" puts)
drop
is "$(delta "$ba" "$(pstat "$pa" puts)") $(delta "$bb" "$(pstat "$pb" puts)")" "$N $N" \
   "dropping the cache puts $N pages into each pool"
[ "$backend" = xen_tmem ] && h0=$(xstat gets_hit)

# Each reads its own data back, from its own pool
b=$(pstat "$pb" succ_gets)
$CCIO expect $B/f 0 $((N * PAGE)) 85
ok $? "the clone reads its own data, not the original's" ||
	if $CCIO check $B/f $N 31 2>/dev/null; then
		diag "the clone read the original's data (seed 31)"
	else
		diag "the clone read neither its data nor the original's"
	fi
is "$(delta "$b" "$(pstat "$pb" succ_gets)")" $N "... all $N pages from its own pool"
b=$(pstat "$pa" succ_gets)
$CCIO check $A/f $N 31
ok $? "the volume reads its own data"
is "$(delta "$b" "$(pstat "$pa" succ_gets)")" $N "... all $N pages from its own pool"
[ "$backend" = xen_tmem ] &&
	is "$(delta "$h0" "$(xstat gets_hit)")" $((2 * N)) "Xen answered all $((2 * N)) gets with the page"
umount $A && umount $B
ok $? "both unmount"

# Two clones of one ext4 filesystem: same UUID, private pools
dd if=/dev/zero of=/tmp/e1.img bs=1M count=16 2>/dev/null
mke2fs -q -F -b 4096 /tmp/e1.img >/dev/null 2>&1
mkdir -p /mnt/e1 /mnt/e2
mount -t ext4 -o loop /tmp/e1.img /mnt/e1 && $CCIO fill /mnt/e1/f 16 41 &&
	umount /mnt/e1 && cp /tmp/e1.img /tmp/e2.img &&
	mount -t ext4 -o loop /tmp/e1.img /mnt/e1 &&
	mount -t ext4 -o loop /tmp/e2.img /mnt/e2
ok $? "two clones of an ext4 filesystem are mounted"
p1=$(pool_of /mnt/e1) p2=$(pool_of /mnt/e2)
ok $([ -n "$p1" ] && [ "$p1" != "$p2" ]; echo $?) "... each with its own pool ($p1, $p2)"
is "$(shared_of "$p1") $(shared_of "$p2")" "0 0" "... both private"
# The clone's new data goes to its pool; then the original's old data,
# under the same keys, to the original's.  The clone must read its own.
$CCIO pwrite /mnt/e2/f 0 $((16 * PAGE)) 85
drop
cat /mnt/e1/f > /dev/null
drop
$CCIO expect /mnt/e2/f 0 $((16 * PAGE)) 85
ok $? "the clone never reads the original's pages"
umount /mnt/e1 /mnt/e2

dmesg | grep -qE "BUG:|WARNING:|Oops"
ok $((! $?)) "the kernel logged no BUG, WARNING or Oops"
done_testing
exit $?
