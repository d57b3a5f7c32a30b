#!/bin/sh
# In-guest: no stale page under any path.  Every way of changing file
# data without the page cache (Documentation/admin-guide/mm/cleancache.rst
# lists each with its hook), run on the real path after the file's old
# pages went to cleancache, against a model on tmpfs; O_DIRECT writes
# racing buffered reads; a put the store refuses while it keeps an older
# copy; the block device's own page cache; swap files; and copies that
# survive inode reclaim (echo 3 > drop_caches) but never an unlinked file.
# Boot with tmem_local.prealloc=1: a store with a shrinker gives its
# pages back at echo 3 (drop_caches drops reclaimable memory), as
# hypervisor memory would not.
. /run/test/tap.sh
. /run/test/lib.sh

SMALL=64	# pages per file
SET=4		# files in the re-read set

# What applies here, decided before any test: fallocate's range modes
# and reflinks where the filesystem has them (btrfs has no collapse or
# insert range, ext4 no reflink), so that one it has and refuses (ccio
# exits 3) is a failure, not a skip; and the refused-put check only on
# a kernel with fault injection (faults.config: the debug kernel, make
# test-debug), which the normal test kernel leaves out by design.
falloc_modes() { case $1 in ext4) echo zero collapse insert ;; btrfs) echo zero ;; esac; }
fault_injection=0
[ -d $TL/fail_put ] && fault_injection=1
# The backend; per filesystem ext4 40 and btrfs 34, 3 more each with
# fault injection; failed writeback and generation changes (6); the
# kernel's reports
plan $(( 1 + 40 + 34 + 6 * fault_injection + 6 + 1 ))
[ $fault_injection = 1 ] ||
	diag "no $TL/fail_put (CONFIG_FAULT_INJECTION_DEBUG_FS, debug kernel only): the refused-put checks do not apply"

model() { echo /tmp/model.$1; }

# prime FILE NAME SEED: FILE and its model hold SMALL pages of SEED, and
# the file's pages are in cleancache, not in the page cache
prime() {
	$CCIO fill "$1" $SMALL "$3"
	cp "$1" "$(model "$2")"
	drop
}

# same FILE NAME DESC: after a drop, FILE reads back as its model
same() {
	drop
	cmp "$1" "$(model "$2")" >/dev/null 2>&1
	ok $? "$3"
}

# counter NAME: a global counter, 0 if this kernel does not have it
counter() {
	local v
	v=$(cat $CC/"$1" 2>/dev/null)
	echo "${v:-0}"
}

test_fallocate() {	# fs mnt
	local fs=$1 m=$2 mode
	for mode in $(falloc_modes $fs); do
		prime $m/f$mode f$mode 31
		$CCIO falloc $m/f$mode "$(model f$mode)" $mode $((4 * PAGE)) $((8 * PAGE)) >/dev/null
		is $? 0 "$fs: fallocate $mode range"
		same $m/f$mode f$mode "$fs: no stale data after fallocate $mode range"
		rm -f $m/f$mode
	done
}

# Reflinks: btrfs only (ext4 has none)
test_reflink() {	# fs mnt
	local fs=$1 m=$2
	# clone a range of another file over cached pages
	$CCIO fill $m/src $SMALL 41
	cp $m/src "$(model src)"
	prime $m/dst dst 42
	$CCIO clone $m/src $((2 * PAGE)) $m/dst $((8 * PAGE)) $((16 * PAGE)) >/dev/null
	is $? 0 "$fs: FICLONERANGE"
	dd if="$(model src)" of="$(model dst)" bs=$PAGE skip=2 seek=8 count=16 conv=notrunc 2>/dev/null
	same $m/dst dst "$fs: no stale data after a reflink clone"
	# dedupe identical files, then change the source: the
	# destination keeps its data, from disk or cleancache
	prime $m/dd1 dd1 43
	prime $m/dd2 dd2 43
	$CCIO dedupe $m/dd1 0 $m/dd2 0 $((SMALL * PAGE))
	is $? 0 "$fs: FIDEDUPERANGE shares the extents"
	drop
	$CCIO pwrite $m/dd1 0 $((SMALL * PAGE)) 7
	same $m/dd2 dd2 "$fs: no stale data after dedupe and a write to the source"
	rm -f $m/src $m/dst $m/dd1 $m/dd2
}

test_copy_file_range() {	# fs mnt
	local fs=$1 m=$2
	$CCIO fill $m/csrc $SMALL 51
	cp $m/csrc "$(model csrc)"
	prime $m/cdst cdst 52
	$CCIO copy $m/csrc $PAGE $m/cdst $((5 * PAGE)) $((20 * PAGE))
	is $? 0 "$fs: copy_file_range"
	$CCIO copy "$(model csrc)" $PAGE "$(model cdst)" $((5 * PAGE)) $((20 * PAGE))
	same $m/cdst cdst "$fs: no stale data after copy_file_range"
	rm -f $m/csrc $m/cdst
}

test_remount() {	# fs mnt
	local fs=$1 m=$2 pool b
	pool=$(pool_of $m)
	prime $m/ro ro 61
	mount -o remount,ro $m
	b=$(pstat $pool succ_gets)
	cmp $m/ro "$(model ro)" >/dev/null
	ok $? "$fs: read-only remount reads correct data"
	is "$(delta $b "$(pstat $pool succ_gets)")" $SMALL "$fs: ... from cleancache: the pool survives a remount"
	mount -o remount,rw $m
	drop
	$CCIO pwrite $m/ro $((3 * PAGE)) $((4 * PAGE)) 62
	$CCIO pwrite "$(model ro)" $((3 * PAGE)) $((4 * PAGE)) 62
	same $m/ro ro "$fs: no stale data after a write following a remount"
	rm -f $m/ro
}

test_btrfs_compression() {	# mnt
	local m=$1
	if ! mount -o remount,compress=zlib $m 2>/dev/null; then
		skip "btrfs: no stale data with compression" "compress=zlib refused"
		return
	fi
	# Constant pages compress: the extents are compressed ones.
	$CCIO pwrite $m/z 0 $((SMALL * PAGE)) 71
	$CCIO pwrite "$(model z)" 0 $((SMALL * PAGE)) 71
	drop
	cmp $m/z "$(model z)" >/dev/null
	ok $? "btrfs: compressed extents read back correctly"
	drop
	$CCIO pwrite $m/z $((10 * PAGE)) $((3 * PAGE)) 72
	$CCIO pwrite "$(model z)" $((10 * PAGE)) $((3 * PAGE)) 72
	same $m/z z "btrfs: no stale data after overwriting compressed extents"
	$CCIO dwrite $m/z $((20 * PAGE)) $((2 * PAGE)) 73
	$CCIO pwrite "$(model z)" $((20 * PAGE)) $((2 * PAGE)) 73
	same $m/z z "btrfs: no stale data after O_DIRECT over compressed extents"
	rm -f $m/z
	mount -o remount,compress=no $m
}

test_btrfs_encoded_write() {	# mnt
	local m=$1 rc
	prime $m/enc enc 161
	$CCIO encwrite $m/enc $((3 * PAGE)) 2 171 >/dev/null
	rc=$?
	if [ $rc = 3 ]; then
		skip "btrfs: no stale data after an encoded write" "no BTRFS_IOC_ENCODED_WRITE"
	else
		is $rc 0 "btrfs: BTRFS_IOC_ENCODED_WRITE of zlib data"
		$CCIO pwrite "$(model enc)" $((3 * PAGE)) $((2 * PAGE)) 171
		same $m/enc enc "btrfs: no stale data after an encoded write"
	fi
	rm -f $m/enc
}

test_ext4_data_journal() {	# mnt disk
	local m=$1 disk=$2 how f
	umount $m
	if ! mount -t ext4 -o data=journal $disk $m; then
		mount -t ext4 $disk $m
		skip "ext4 data=journal" "mount refused"
		return
	fi
	ok $([ -n "$(pool_of $m)" ]; echo $?) "ext4 data=journal: the filesystem has a pool"
	for how in pwrite mwrite dwrite; do
		f=j$how
		prime $m/$f $f 81
		$CCIO $how $m/$f $((2 * PAGE)) $((3 * PAGE)) 82
		$CCIO pwrite "$(model $f)" $((2 * PAGE)) $((3 * PAGE)) 82
		same $m/$f $f "ext4 data=journal: no stale data after an overwrite by $how"
	done
	rm -f $m/j*
	umount $m
	mount -t ext4 $disk $m
}

# O_DIRECT writes while another process reads the same pages through the
# page cache and evicts them: no read after a write returns older data.
test_dio_race() {	# fs mnt
	local fs=$1 m=$2 out
	out=$($CCIO diorace $m/race 64 ${DIORACE_ITERS:-300} 2>&1)
	ok $? "$fs: O_DIRECT writes racing buffered reads and eviction leave no stale copy"
	diag "$fs: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	rm -f $m/race
}

# Folios that leave through invalidation (here the one before a direct
# write) may hold stale data: they are invalidated, never put.  ext4
# only: btrfs writes cached ranges through the page cache instead, then
# evicts the fresh pages (a put of the new data, as it should be).
test_invalidation_never_puts() {	# fs mnt
	local fs=$1 m=$2 pool puts inv
	pool=$(pool_of $m)
	$CCIO fill $m/inv 16 95
	drop
	cat $m/inv > /dev/null		# cached again, gone from the store
	puts=$(pstat $pool puts); inv=$(pstat $pool invalidates)
	$CCIO dwrite $m/inv 0 $((16 * PAGE)) 96
	is "$(delta $puts "$(pstat $pool puts)")" 0 "$fs: folios invalidated before a direct write are not put"
	is "$(delta $inv "$(pstat $pool invalidates)")" 16 "$fs: ... but invalidated, all 16"
	$CCIO expect $m/inv 0 $((16 * PAGE)) 96
	ok $? "$fs: ... and the file reads the direct write"
	rm -f $m/inv
}

# A put the store refuses while it still holds an older copy of the page
# (as a hypervisor's error path may): that copy must never be read.
test_refused_put() {	# fs mnt
	local fs=$1 m=$2 pool fp=$TL/fail_put refused injected
	[ $fault_injection = 1 ] || return 0
	pool=$(pool_of $m)
	prime $m/rp rp 91
	# Whole pages, so nothing is read back: the old copies stay stored.
	$CCIO pwrite $m/rp 0 $((SMALL * PAGE)) 92
	$CCIO pwrite "$(model rp)" 0 $((SMALL * PAGE)) 92
	sync
	refused=$(pstat $pool puts_refused)
	injected=$(tstat $pool puts_failed_injected)
	echo 0 > $fp/verbose
	echo 100 > $fp/probability
	echo -1 > $fp/times
	drop
	echo 0 > $fp/probability
	is "$(delta $refused "$(pstat $pool puts_refused)")" $SMALL "$fs: the store refused $SMALL puts"
	is "$(delta $injected "$(tstat $pool puts_failed_injected)")" $SMALL "$fs: ... each counted as injected"
	same $m/rp rp "$fs: a refused put leaves no older copy behind"
	rm -f $m/rp
}

# Changing a file's generation (FS_IOC_SETVERSION) changes its key: the
# copies under the old key must go, or setting it back would find them.
# On the ext2 image: ext4 refuses the ioctl with metadata_csum.
test_setversion() {	# mnt
	local m=$1 gen
	$CCIO fill $m/v 16 151
	drop				# copies of 151 under the first key
	gen=$($CCIO version $m/v)
	$CCIO version $m/v $((gen ^ 1)) >/dev/null
	# Whole pages: nothing is read, so the old copies stay put.
	$CCIO pwrite $m/v 0 $((16 * PAGE)) 152
	drop				# copies of 152 under the second key
	is "$($CCIO version $m/v $gen)" "$gen" "ext4 on loop: the generation is back to $gen"
	drop
	$CCIO expect $m/v 0 $((16 * PAGE)) 152
	ok $? "ext4 on loop: no stale data after the generation changes and changes back"
	rm -f $m/v
}

# Puts racing generation changes: a put that read the old generation
# must not leave a copy that a later change back to it finds.
test_setversion_race() {	# mnt
	local m=$1 out
	out=$($CCIO verrace $m/vr 16 ${VERRACE_ROUNDS:-20} ${VERRACE_TOGGLES:-1500} 2>&1)
	ok $? "ext4 on loop: puts racing generation changes leave no stale copy"
	diag "ext4 on loop: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	rm -f $m/vr
}

# EXT4_IOC_MOVE_EXT (e4defrag) swaps the blocks of two files: the orig
# keeps its data, now in the donor's old blocks, and the donor's range
# maps the orig's old blocks, marked unwritten (it reads zeros).  Both
# files' old pages are in cleancache: the donor's are stale after it,
# and both files' copies must go (a read of unwritten blocks never asks
# cleancache, so only the store's page count shows a stale copy left).
test_move_ext() {	# mnt
	local m=$1 pool rc stored
	pool=$(pool_of $m)
	$CCIO fill $m/mo $SMALL 181
	$CCIO fill $m/md $SMALL 182
	drop
	stored=$(tstat $pool pages)
	$CCIO moveext $m/mo $m/md $SMALL >/dev/null
	rc=$?
	if [ $rc = 3 ]; then
		for rc in "moved all $SMALL pages" "drops both files' copies" \
			  "the donor reads what its blocks hold" "the orig keeps its data"; do
			skip "ext4: EXT4_IOC_MOVE_EXT $rc" "no EXT4_IOC_MOVE_EXT"
		done
		rm -f $m/mo $m/md
		return
	fi
	is $rc 0 "ext4: EXT4_IOC_MOVE_EXT moved all $SMALL pages"
	is "$(delta "$(tstat $pool pages)" $stored)" $((2 * SMALL)) \
	   "ext4: EXT4_IOC_MOVE_EXT drops both files' $((2 * SMALL)) copies"
	# No drop first: the move leaves the donor's folios cached but not
	# uptodate, and evicting those would invalidate their copies.
	$CCIO ondisk $m/md $SMALL
	ok $? "ext4: after EXT4_IOC_MOVE_EXT the donor reads what its blocks hold, not its old copies"
	drop
	$CCIO check $m/mo $SMALL 181
	ok $? "ext4: the orig keeps its data after EXT4_IOC_MOVE_EXT"
	rm -f $m/mo $m/md
}

# Data whose writeback failed never reached the disk: it must not be put
# (nor served later as if it had).  An ext2 image, mounted by ext4, on a
# loop device over a file on a small tmpfs: the file's blocks are punched
# out of the image and the tmpfs filled, so rewriting them fails.
test_failed_writeback() {
	local lo=/tmp/lo mnt=/mnt/lo dev b pool refused
	mkdir -p $lo $mnt
	mount -t tmpfs -o size=16M tmpfs $lo
	truncate -s 64M $lo/img
	dev=$(losetup -f)
	if ! { losetup $dev $lo/img && mke2fs -q -b 4096 $dev >/dev/null 2>&1 &&
	       mount -t ext4 $dev $mnt; }; then
		skip "failed writeback and generation changes" "no loop device or mke2fs"
		losetup -d $dev 2>/dev/null; umount $lo
		return
	fi
	test_setversion $mnt
	test_setversion_race $mnt
	pool=$(pool_of $mnt)
	$CCIO fill $mnt/f 16 141	# on disk and cached: PG_mappedtodisk
	for b in $($CCIO fibmap $mnt/f 16); do
		$CCIO punch $lo/img $((b * PAGE)) $PAGE
	done
	dd if=/dev/zero of=$lo/filler bs=64k 2>/dev/null
	# Whole pages: nothing is read; the fsync reports the failed write.
	! $CCIO pwrite $mnt/f 0 $((16 * PAGE)) 142 2>/dev/null
	ok $? "ext4 on loop: the rewrite fails to reach the disk"
	refused=$(pstat $pool puts)
	drop
	is "$(delta $refused "$(pstat $pool puts)")" 0 "ext4 on loop: pages whose writeback failed are not put"
	$CCIO expect $mnt/f 0 $((16 * PAGE)) 0
	ok $? "ext4 on loop: a re-read returns what the disk holds, not the lost write"
	umount $mnt; losetup -d $dev; umount $lo
}

# Copies outlive inode reclaim while the file stays linked.
test_inode_reclaim() {	# fs mnt
	local fs=$1 m=$2 pool i hit miss kept
	pool=$(pool_of $m)
	for i in $(seq 1 $SET); do $CCIO fill $m/set$i $SMALL $((100 + i)); done
	sync
	kept=$(counter inodes_kept)
	echo 3 > /proc/sys/vm/drop_caches
	ok $(( $(counter inodes_kept) > kept ? 0 : 1 )) "$fs: echo 3 evicted inodes and kept their copies"
	hit=$(pstat $pool succ_gets); miss=$(pstat $pool failed_gets)
	for i in $(seq 1 $SET); do
		$CCIO check $m/set$i $SMALL $((100 + i)) || break
	done
	ok $? "$fs: the file set reads back correctly after echo 3"
	hit=$(delta $hit "$(pstat $pool succ_gets)")
	miss=$(delta $miss "$(pstat $pool failed_gets)")
	diag "$fs: re-read after echo 3: $hit of $((hit + miss)) gets hit"
	ok $(( hit * 100 >= (hit + miss) * 95 && hit > 0 ? 0 : 1 )) \
	   "$fs: after echo 3, >= 95% of the re-read's gets hit ($hit of $((hit + miss)))"
	rm -f $m/set*
}

# An unlinked file's copies go with it, even when its inode number is
# reused at once (ext4 does).
test_inode_reuse() {	# fs mnt
	local fs=$1 m=$2 pool ino stored
	pool=$(pool_of $m)
	$CCIO fill $m/old $SMALL 111
	ino=$(stat -c %i $m/old)
	sync
	echo 3 > /proc/sys/vm/drop_caches
	stored=$(tstat $pool pages)
	rm $m/old
	is "$(delta "$(tstat $pool pages)" $stored)" $SMALL "$fs: unlink after inode reclaim flushes the file's $SMALL pages"
	$CCIO fill $m/new $SMALL 112
	[ "$(stat -c %i $m/new)" = "$ino" ] && diag "$fs: the new file reuses inode $ino"
	sync
	echo 3 > /proc/sys/vm/drop_caches
	$CCIO check $m/new $SMALL 112
	ok $? "$fs: a new file never reads an unlinked file's pages"
	rm -f $m/new
}

# The block device's own page cache (metadata, reads of /dev/vdX) is no
# regular file: never put, and invalidate_bdev() has nothing to flush.
test_bdev() {	# fs disk
	local fs=$1 disk=$2 b
	drop
	b=$(gstat puts)
	dd if=$disk of=/dev/null bs=64k count=64 2>/dev/null
	drop
	is "$(delta $b "$(gstat puts)")" 0 "$fs: pages of $disk's own page cache are never put"
}

# A swap file's blocks are written by swap I/O, not through its page
# cache: cleancache drops the file's copies at swapon (and swapoff), and
# neither stores nor returns the pages of an active swap file.  The file's
# pages go to cleancache first; an 8 MiB cgroup then pushes 28 MiB of
# anonymous memory through the swap file; after swapoff a buffered read
# must return what swap left on the disk, not the file's old pages.
test_swapfile() {	# fs mnt
	local fs=$1 m=$2 f=$2/swapfile n=8192 pool s0 s1 s2 p0 g0 moved
	local cg=/sys/fs/cgroup/ccswap
	if [ ! -e /proc/swaps ]; then
		skip "$fs: swap files" "this kernel has no CONFIG_SWAP"
		return
	fi
	pool=$(pool_of $m)
	rm -f $f
	[ $fs = btrfs ] && $CCIO nocow $f	# btrfs swaps only to NOCOW files
	s0=$(tstat $pool pages)
	$CCIO fill $f $n 151
	drop
	s1=$(tstat $pool pages)
	ok $(( s1 - s0 >= n ? 0 : 1 )) "$fs: the future swap file's $n pages are in cleancache ($((s1 - s0)) stored)"
	chmod 600 $f
	if ! { mkswap $f >/dev/null 2>&1 && swapon $f; }; then
		ok 1 "$fs: swapon $f"
		rm -f $f
		return
	fi
	# mkswap rewrote page 0 (its copy went then)
	s2=$(tstat $pool pages)
	ok $(( s1 - s2 >= n - 1 ? 0 : 1 )) "$fs: swapon drops the file's copies ($((s1 - s2)) of $n)"
	p0=$(pstat $pool puts)
	g0=$(( $(pstat $pool succ_gets) + $(pstat $pool failed_gets) ))
	dd if=$f of=/dev/null bs=64k 2>/dev/null
	drop
	dd if=$f of=/dev/null bs=64k 2>/dev/null
	is "$(delta $p0 "$(pstat $pool puts)")" 0 "$fs: pages of an active swap file are never put"
	is "$(delta $g0 $(( $(pstat $pool succ_gets) + $(pstat $pool failed_gets) )))" 0 \
	   "$fs: pages of an active swap file are never looked up"
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
	mkdir -p $cg
	echo 8M > $cg/memory.max
	sh -c "echo \$\$ > $cg/cgroup.procs && exec $CCIO anon 7168 152"
	ok $? "$fs: 28 MiB of anonymous memory in an 8 MiB cgroup round-trips through the swap file"
	rmdir $cg
	swapoff $f
	ok $? "$fs: swapoff $f"
	dd if=$f of=/tmp/swapdisk bs=64k iflag=direct 2>/dev/null
	moved=$($CCIO check /tmp/swapdisk $n 151 2>&1 | sed -n 's/.*: \([0-9]*\) of .*/\1/p')
	rm -f /tmp/swapdisk
	ok $(( ${moved:-0} >= 1000 ? 0 : 1 )) "$fs: swap rewrote ${moved:-0} of the file's $n pages on disk"
	drop
	$CCIO ondisk $f $n
	ok $? "$fs: after swapoff, buffered reads of the file return what swap left on disk"
	rm -f $f
}

is "$(cat $CC/backend)" tmem_local "the local tmem store is the backend"
# A preallocated store has room for every page it is offered: under
# memory pressure (a file larger than the guest's RAM written, dropped and
# read back) not one put may be refused for want of a page descriptor
# (reclaim's allocations get no emergency reserves; prealloc mode takes
# descriptors with its pages at boot).
test_prealloc_under_pressure() {	# fs mnt
	local fs=$1 m=$2 pages r0 p0
	pages=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) * 3 / 2 / 4 ))
	r0=$(counter puts_refused); p0=$(counter puts)
	$CCIO fill $m/pressure $pages 9
	drop
	$CCIO check $m/pressure $pages 9
	ok $? "$fs: a file of 1.5x RAM reads back correctly"
	is "$(( $(counter puts_refused) - r0 ))" 0 \
		"$fs: prealloc store under memory pressure refuses no put ($(( $(counter puts) - p0 )) stored)"
	rm -f $m/pressure
}

for fs in ext4 btrfs; do
	use_fs $fs || continue
	test_dio_race $fs $m
	test_refused_put $fs $m
	test_inode_reclaim $fs $m
	test_inode_reuse $fs $m
	test_prealloc_under_pressure $fs $m
	test_fallocate $fs $m
	[ $fs = ext4 ] || test_reflink $fs $m	# ext4 has no reflink
	test_copy_file_range $fs $m
	test_remount $fs $m
	test_bdev $fs $disk
	test_swapfile $fs $m
	case $fs in
	ext4)
		test_invalidation_never_puts $fs $m
		test_move_ext $m
		test_ext4_data_journal $m $disk
		;;
	btrfs)
		test_btrfs_compression $m
		test_btrfs_encoded_write $m
		;;
	esac
	rm -f /tmp/model.*
done
test_failed_writeback
no_kernel_reports
done_testing
exit $?
