#!/bin/sh
# In-guest, on either store (tmem_local, or xen_tmem under Xen): ocfs2
# asks for a pool shared by its volume UUID, and only ocfs2 gets one.
# A clone of the ocfs2 volume (same UUID) is mounted beside it: pages one
# mount put are served to the other (shared by UUID), and a get leaves
# the page for the next one (shared gets are not exclusive).  Two clones
# of an ext4 filesystem (same UUID too) keep private pools: a page one
# put is never served to the other.
# Run: VM_OCFS2=1 tests/vm/run tests/guest/ocfs2_shared.sh tests/lib/tap.sh \
#          tests/guest/lib.sh build/guest/ccio [build/guest/xen-tmem-stat]
. /run/test/tap.sh
. /run/test/lib.sh

N=64			# pages in the shared file
A=/mnt/ocfs2 B=/mnt/ocfs2b
backend=$(cat $CC/backend)
diag "store: $backend"
# 19, and 5 on the local store or 5 on Xen tmem
case $backend in
tmem_local) plan 24 ;;
xen_tmem) plan 24 ;;
*) plan 19 ;;
esac

shared_of() { table_get $CC/pools "$1" shared; }

grep -q " $A ocfs2 " /proc/mounts
ok $? "ocfs2 (local mode) is mounted at $A" || bail_out "no ocfs2 at $A"
uuid=$(ls /sys/kernel/debug/ocfs2/ 2>/dev/null | head -n 1)
diag "ocfs2 volume UUID: $uuid"
pool=$(pool_of $A)
is "$(shared_of "$pool")" 1 "ocfs2 got a shared pool at mount"

# The data, then a clone of the volume with the same UUID
$CCIO fill $A/f $N 31
sync
umount $A
# Xen 4.12 makes a pool shared only for a UUID dom0 authorized
if [ "$backend" = xen_tmem ]; then
	$XTS auth "$uuid"
	ok $? "dom0 authorizes shared pools for the volume's UUID"
fi
dd if=/dev/vdc of=/dev/vdd bs=1M 2>/dev/null
ok $? "the volume is cloned to /dev/vdd"
mkdir -p $B
# The frontend's pools table has one row per pool id, and the local store
# gives both mounts the same id: the row lists the devices of both.
mount -t ocfs2 /dev/vdc $A && pa=$(pool_of $A)
# A reads (the pool is empty: misses); the clone joining must not reset
# the pool's counters
b=$(pstat "$pa" failed_gets)
cat $A/f > /dev/null
is "$(delta "$b" "$(pstat "$pa" failed_gets)")" $N "a cold read misses all $N pages"
misses=$(pstat "$pa" failed_gets)
mount -t ocfs2 /dev/vdd $B && pb=$(pool_of $B)
ok $? "the volume and its clone are mounted side by side"
is "$(pstat "$pa" failed_gets)" "$misses" "the clone's mount keeps the pool's counters"
is "$(shared_of "$pa") $(shared_of "$pb")" "1 1" "both mounts are in shared pools"
if [ "$backend" = tmem_local ]; then
	is "$pb" "$pa" "the local store keys the shared pool by UUID: one pool"
	is "$(tstat "$pa" shared) $(tstat "$pa" refs)" "1 2" "... shared, with two users"
	is "$(pstat "$pa" mounts)" "$(dev_of $A),$(dev_of $B)" \
	   "the pool's row lists both mounts"
fi

# A drops: its pages go to the pool
b=$(pstat "$pa" puts)
drop
is "$(delta "$b" "$(pstat "$pa" puts)")" $N "dropping the cache puts $N pages into the shared pool"
[ "$backend" = xen_tmem ] && h0=$(xstat gets_hit)

# B never read the file: its reads come from what A put
b=$(pstat "$pb" succ_gets)
$CCIO check $B/f $N 31
ok $? "the clone reads the right data"
is "$(delta "$b" "$(pstat "$pb" succ_gets)")" $N "... all $N pages from the pages the other mount put"
# ... and the pages are still there for A: not exclusive
b=$(pstat "$pa" succ_gets)
$CCIO check $A/f $N 31
ok $? "the volume reads the right data"
is "$(delta "$b" "$(pstat "$pa" succ_gets)")" $N "... all $N pages again: shared gets are not exclusive"
case $backend in
tmem_local) is "$(tstat "$pa" pages)" $N "the store still holds the $N pages" ;;
xen_tmem)
	is "$(delta "$h0" "$(xstat gets_hit)")" $((2 * N)) "Xen answered all $((2 * N)) gets with the page"
	is "$(hvpool "$pa" pages)" $N "Xen's shared pool still holds the $N pages"
	is "$(hvpool "$pa" shared) $(hvpool "$pa" uuid)" "1 $(echo "$uuid" | tr A-F a-f)" \
	   "Xen's pool is shared and named by the volume UUID"
	is "$(hvpool "$pb" uuid)" "$(hvpool "$pa" uuid)" "... and the clone's pool id names the same pool" ;;
esac
# Leave in the order of joining (see drivers/xen/tmem.c's KUnit suite).
# The clone still uses its pool: it stays, counters and all, until the
# last unmount.
hits=$(pstat "$pb" succ_gets)
umount $A
is "$(shared_of "$pb") $(pstat "$pb" succ_gets)" "1 $hits" \
   "the first unmount leaves the clone's pool shown, with its counters"
if [ "$backend" = tmem_local ]; then
	drop
	$CCIO check $B/f $N 31
	is "$? $(delta "$hits" "$(pstat "$pb" succ_gets)")" "0 $N" \
	   "... and still counting: the clone reads its $N pages back from it"
fi
umount $B
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
