#!/bin/sh
# In-guest integration test of cleancache on ext4 and btrfs, against the
# kernel's own counters: puts and gets by exact counts, the store at
# capacity, coherency after truncate / punch / write() / O_DIRECT / mmap /
# rename / unlink / remount, every tracepoint's fields, the store's
# free-memory threshold and its /proc/meminfo line.
# Run: tests/vm/run tests/guest/cleancache_ops.sh tests/guest/ccio \
#          tests/lib/tap.sh tests/guest/lib.sh
. /run/test/tap.sh
. /run/test/lib.sh
plan 82	# 34 per filesystem and 14 more

N=256		# pages in the main file: 1 MiB
SMALL=64	# pages in the coherency files
CAP=64		# store capacity, in pages, for the capacity test

# model NAME: the expected contents live on tmpfs, which cleancache ignores
model() { echo /tmp/model.$1; }

# same FILE NAME DESC: the file on disk equals its model, after a drop
same() {
	drop
	cmp "$1" "$(model "$2")" >/dev/null 2>&1
	ok $? "$3"
}

test_puts_and_gets() {	# fs mnt pool
	local fs=$1 m=$2 pool=$3 b
	$CCIO fill $m/a $N 1
	b=$(pstat $pool puts)
	drop
	is "$(delta $b "$(pstat $pool puts)")" $N "$fs: dropping a $N-page file puts $N pages"
	is "$(tstat $pool pages)" $N "$fs: the store holds $N pages"

	b=$(pstat $pool succ_gets)
	$CCIO check $m/a $N 1
	ok $? "$fs: the re-read content is identical"
	is "$(delta $b "$(pstat $pool succ_gets)")" $N "$fs: the re-read gets $N pages from cleancache"
	is "$(tstat $pool pages)" 0 "$fs: private pool: gets were exclusive"
	rm $m/a
}

test_capacity() {	# fs mnt pool
	local fs=$1 m=$2 pool=$3 old ev hit miss put
	old=$(cat /sys/module/tmem_local/parameters/max_size)
	echo $((CAP * PAGE)) > /sys/module/tmem_local/parameters/max_size
	$CCIO fill $m/b $N 2
	ev=$(tstat $pool evictions); put=$(pstat $pool puts)
	drop
	is "$(delta $put "$(pstat $pool puts)")" $N "$fs: at capacity every put still succeeds"
	is "$(delta $ev "$(tstat $pool evictions)")" $((N - CAP)) "$fs: the store evicted $((N - CAP)) pages"
	hit=$(pstat $pool succ_gets); miss=$(pstat $pool failed_gets)
	$CCIO check $m/b $N 2
	ok $? "$fs: content is correct with a full store"
	is "$(delta $hit "$(pstat $pool succ_gets)")" $CAP "$fs: $CAP pages hit"
	is "$(delta $miss "$(pstat $pool failed_gets)")" $((N - CAP)) "$fs: $((N - CAP)) pages missed"
	echo "$old" > /sys/module/tmem_local/parameters/max_size
	rm $m/b
}

test_coherency() {	# fs mnt pool
	local fs=$1 m=$2 pool=$3 b f

	# truncate down, then up: the tail must read back as zeros
	$CCIO fill $m/t $SMALL 3; $CCIO fill "$(model t)" $SMALL 3
	drop
	b=$(pstat $pool inode_invalidates)
	truncate -s $((16 * PAGE)) $m/t "$(model t)"
	truncate -s $((SMALL * PAGE)) $m/t "$(model t)"
	ok $(( $(pstat $pool inode_invalidates) > b ? 0 : 1 )) "$fs: truncate invalidates the inode"
	same $m/t t "$fs: no stale data after truncate down and up"

	# hole punch
	$CCIO fill $m/p $SMALL 4; $CCIO fill "$(model p)" $SMALL 4
	drop
	$CCIO punch $m/p $((3 * PAGE)) $((5 * PAGE))
	$CCIO pwrite "$(model p)" $((3 * PAGE)) $((5 * PAGE)) 0
	same $m/p p "$fs: no stale data after a hole punch"

	# overwrite through write(), O_DIRECT and a shared mapping, each
	# after the old pages went to cleancache
	for how in pwrite dwrite mwrite; do
		f=w$how
		$CCIO fill $m/$f $SMALL 5; $CCIO fill "$(model $f)" $SMALL 5
		drop
		$CCIO $how $m/$f $((2 * PAGE)) $((3 * PAGE)) 90
		$CCIO pwrite "$(model $f)" $((2 * PAGE)) $((3 * PAGE)) 90
		same $m/$f $f "$fs: no stale data after an overwrite by $how"
	done

	# rename keeps the file (and its cached pages)
	$CCIO fill $m/r $SMALL 6; $CCIO fill "$(model r)" $SMALL 6
	drop
	b=$(pstat $pool succ_gets)
	mv $m/r $m/r2
	cmp $m/r2 "$(model r)" >/dev/null
	ok $? "$fs: a renamed file reads back correctly"
	is "$(delta $b "$(pstat $pool succ_gets)")" $SMALL "$fs: ... from cleancache"

	# unlink drops the pages; a new file under the same name is not stale
	$CCIO fill $m/u $SMALL 7
	drop
	b=$(tstat $pool pages)
	rm $m/u
	is "$(delta "$(tstat $pool pages)" $b)" $SMALL "$fs: unlink flushes the file's $SMALL pages"
	$CCIO fill $m/u $SMALL 8
	drop
	$CCIO check $m/u $SMALL 8
	ok $? "$fs: a new file with the old name reads its own data"
	rm -f $m/t $m/p $m/w* $m/r2 $m/u /tmp/model.*
}

test_remount() {	# fs mnt dev
	local fs=$1 m=$2 disk=$3 pool stored before fsinv miss
	$CCIO fill $m/m $SMALL 9
	drop
	pool=$(pool_of $m)
	stored=$(tstat $pool pages)
	before=$(cat $TL/stored_pages)
	fsinv=$(gstat fs_invalidates)
	umount $m
	is "$(delta $fsinv "$(gstat fs_invalidates)")" 1 "$fs: unmount invalidates the filesystem"
	is "$(pstat $pool puts)" nopool "$fs: the pool is gone at unmount"
	is "$(delta "$(cat $TL/stored_pages)" $before)" $stored "$fs: unmount frees all $stored stored pages"
	mount -t $fs $disk $m
	pool=$(pool_of $m)
	ok $([ -n "$pool" ]; echo $?) "$fs: mounting again creates a pool"
	miss=$(pstat $pool failed_gets)
	$CCIO check $m/m $SMALL 9
	ok $? "$fs: data is intact after remount"
	is "$(delta $miss "$(pstat $pool failed_gets)")" $SMALL "$fs: the new pool misses every page"
	rm $m/m
}

# trace_has EVENT AWK-CONDITION DESC: some EVENT line satisfies it
trace_has() {
	grep " $1: " /tmp/trace | awk "$2 { found = 1 } END { exit !found }"
	ok $? "$3"
}

test_tracepoints() {	# fs mnt disk
	local fs=$1 m=$2 disk=$3 pool dev ino
	echo > $TP/trace
	echo 1 > $TP/events/cleancache/enable
	$CCIO fill $m/e 8 10
	ino=$(stat -c %i $m/e)
	pool=$(pool_of $m)
	dev=$(dev_of $m)
	drop
	cat $m/e > /dev/null		# hits
	cat $m/e > /dev/null		# page cache, no event
	drop
	$CCIO fill $m/e2 2 11
	rm $m/e2			# invalidate inode
	truncate -s $PAGE $m/e
	umount $m
	mount -t $fs $disk $m
	$CCIO fill $m/miss 1 12
	echo 1 > /proc/sys/vm/drop_caches
	rm $m/miss
	echo 0 > $TP/events/cleancache/enable
	cat $TP/trace > /tmp/trace
	local pf="\$0 ~ /dev=$dev / && \$0 ~ /pool=$pool / && \$0 ~ /ino=$ino( |$)/"
	trace_has cleancache_put "$pf && /index=7 / && / ret=0/" "$fs: cleancache_put carries dev, pool, ino, index, ret"
	trace_has cleancache_get "$pf && /index=7 / && / ret=0/" "$fs: cleancache_get reports a hit"
	trace_has cleancache_invalidate_inode "$pf" "$fs: cleancache_invalidate_inode fires on truncate"
	trace_has cleancache_pool_destroy "/dev=$dev / && /pool=$pool / && /fstype=$fs /" "$fs: cleancache_pool_destroy fires at unmount"
	trace_has cleancache_pool_create "/dev=$dev / && /fstype=$fs / && /shared=0/ && / ret=0/" "$fs: cleancache_pool_create fires at mount"
	grep -q " cleancache_invalidate_page: dev=$dev " /tmp/trace
	ok $? "$fs: cleancache_invalidate_page fires"
	# a put refused or a miss: read a page that was never put
	rm $m/e
}

test_get_miss_event() {	# fs mnt
	local fs=$1 m=$2 dev
	dev=$(dev_of $m)
	$CCIO fill $m/g 4 13
	drop
	# Empty the store so the next read misses.
	old=$(cat /sys/module/tmem_local/parameters/max_size)
	echo $PAGE > /sys/module/tmem_local/parameters/max_size
	echo "$old" > /sys/module/tmem_local/parameters/max_size
	echo > $TP/trace
	echo 1 > $TP/events/cleancache/cleancache_get/enable
	cat $m/g > /dev/null
	echo 0 > $TP/events/cleancache/cleancache_get/enable
	cat $TP/trace > /tmp/trace
	trace_has cleancache_get "/dev=$dev / && / ret=-61/" "$fs: cleancache_get reports a miss as -ENODATA"
	rm $m/g
}

test_bad_runtime_input() {
	local p=/sys/module/tmem_local/parameters
	! echo lots > $p/max_size 2>/dev/null
	ok $? "max_size=lots is rejected"
	! echo 0 > $p/max_size 2>/dev/null
	ok $? "max_size=0 is rejected"
	! echo 1T > $p/max_size 2>/dev/null
	ok $? "max_size beyond RAM is rejected"
	dmesg | grep -q "tmem_local: max_size 'lots' is not a size"
	ok $? "... with a clear kernel message"
	! echo 0 > $p/enabled 2>/dev/null
	ok $? "the registered store cannot be disabled"
	! echo maybe > $p/enabled 2>/dev/null
	ok $? "enabled=maybe is rejected"
}

# Below the free-memory threshold the store takes no new page: it reuses
# its oldest one (or refuses when it holds none), and says so.
test_min_free() {
	local p=/sys/module/tmem_local/parameters lowmem stored mf
	echo 0 > $p/min_free
	$CCIO fill /mnt/ext4/mf 16 121
	drop
	lowmem=$(cat $TL/alloc_lowmem)
	stored=$(cat $TL/stored_pages)
	echo 64G > $p/min_free
	mf=$(cat $p/min_free)
	$CCIO fill /mnt/ext4/mf2 16 122
	drop
	echo 0 > $p/min_free
	ok $(( $(cat $TL/alloc_lowmem) > lowmem ? 0 : 1 )) "below min_free the store skips page allocations (alloc_lowmem)"
	ok $(( $(cat $TL/stored_pages) <= stored ? 0 : 1 )) "... and does not grow ($stored -> $(cat $TL/stored_pages) pages)"
	$CCIO check /mnt/ext4/mf2 16 122
	ok $? "... and the data reads back correctly"
	# 64G, not 0: a value that pages and bytes would print differently
	is "$mf" $((64 << 30)) "min_free reads back in bytes (64G)"
	! echo lots > $p/min_free 2>/dev/null
	ok $? "min_free=lots is rejected"
	rm -f /mnt/ext4/mf /mnt/ext4/mf2
}

# /proc/meminfo shows the RAM the store holds.
test_meminfo() {
	local kb pages
	$CCIO fill /mnt/ext4/mi 32 131
	drop
	kb=$(awk '/^Cleancache:/ { print $2 }' /proc/meminfo)
	pages=$(( $(cat $TL/stored_pages) + $(cat $TL/free_pages) ))
	is "$kb" $((pages * PAGE / 1024)) "/proc/meminfo Cleancache: is the store's RAM ($pages pages)"
	rm -f /mnt/ext4/mi
}

is "$(cat $CC/backend)" tmem_local "the local tmem store is the backend"
for fs in ext4 btrfs; do
	use_fs $fs || continue
	test_puts_and_gets $fs $m $pool
	test_capacity $fs $m $pool
	test_coherency $fs $m $pool
	test_remount $fs $m $disk
	test_tracepoints $fs $m $disk
	test_get_miss_event $fs $m
done
test_bad_runtime_input
test_min_free
test_meminfo
no_kernel_reports
done_testing
exit $?
