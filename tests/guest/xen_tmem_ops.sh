#!/bin/sh
# In-guest, on Xen with tmem (VM_HYPERVISOR=xen-tmem): cleancache on ext4
# and btrfs with xen_tmem as the store.  Every step's counts are exact,
# and the frontend's counters and the transport's (one per hypercall
# outcome) must tell the same story, and so must Xen's own per-pool
# counters, read from dom0 with xen-tmem-stat (XEN_SYSCTL_tmem_op).  The
# KUnit suite xen_tmem_hypervisor, run at boot, drives the transport
# directly against the real Xen: replacement, exclusive gets, flushes and
# destroy.
# Run: VM_HYPERVISOR=xen-tmem VM_APPEND="kunit.enable=1 ..." tests/vm/run \
#          tests/guest/xen_tmem_ops.sh tests/lib/tap.sh tests/guest/lib.sh \
#          build/guest/ccio build/guest/xen-tmem-stat tests/kunit/kunit.sh
. /run/test/tap.sh
. /run/test/lib.sh
# ext4 15 and btrfs 14, 8 more; the KUnit suite's count and 4 cases, or
# one skip when it was not booted with it
if grep -q "kunit.filter_glob=xen_tmem_hypervisor" /proc/cmdline; then
	plan 42
else
	plan 38
fi

N=64		# pages per file
ops=5000	# coherency stress operations per filesystem
[ -f /run/test/stress.conf ] && . /run/test/stress.conf

model() { echo /tmp/model.$1; }

test_puts_and_gets() {	# fs mnt pool
	local fs=$1 m=$2 pool=$3 b hv
	snap /tmp/s0
	$CCIO fill $m/a $N 1
	b=$(pstat $pool puts) hv=$(hvpool $pool pages)
	drop
	is "$(delta $b "$(pstat $pool puts)")" $N "$fs: dropping a $N-page file puts $N pages into Xen"
	is "$(delta $hv "$(hvpool $pool pages)")" $N "$fs: Xen's pool $pool holds $N more pages"
	b=$(pstat $pool succ_gets)
	$CCIO check $m/a $N 1
	ok $? "$fs: the re-read content is identical"
	is "$(delta $b "$(pstat $pool succ_gets)")" $N "$fs: the re-read gets all $N pages from Xen"
	is "$(hvpool $pool pages)" "$hv" "$fs: private pool: Xen dropped every page it gave back (exclusive gets)"
	reconcile "$fs: put and get"
	rm $m/a
}

# Xen's own per-pool counters (XEN_SYSCTL_tmem_op LIST) against the
# frontend's row for the same pool: both count from the pool's creation.
test_hypervisor_counts() {	# fs pool
	local fs=$1 pool=$2
	is "puts=$(hvlist $pool good_puts) hits=$(hvlist $pool found_gets) flushes=$(hvlist $pool flushes) flush_objs=$(hvlist $pool flush_objs)" \
	   "puts=$(pstat $pool puts) hits=$(pstat $pool succ_gets) flushes=$(pstat $pool invalidates) flush_objs=$(pstat $pool inode_invalidates)" \
	   "$fs: Xen's counters for pool $pool equal the guest's"
	diag "$fs: Xen pool $pool: $($XTS list | grep "^pool=$pool ")"
}

# An O_DIRECT write invalidates the file: FLUSH_OBJECT must reach Xen, so
# that every get afterwards misses and the read sees the new data.
test_flush_object() {	# fs mnt pool
	local fs=$1 m=$2 pool=$3 hit miss
	$CCIO fill $m/o $N 2; $CCIO fill "$(model o)" $N 2
	drop
	snap /tmp/s0
	hit=$(pstat $pool succ_gets); miss=$(pstat $pool failed_gets)
	$CCIO dwrite $m/o $((3 * PAGE)) $PAGE 90
	$CCIO pwrite "$(model o)" $((3 * PAGE)) $PAGE 90
	cmp $m/o "$(model o)" >/dev/null
	ok $? "$fs: an O_DIRECT write is read back, not the old pages"
	if [ $fs = ext4 ]; then
		is "$(delta $hit "$(pstat $pool succ_gets)") $(delta $miss "$(pstat $pool failed_gets)")" \
		   "0 $N" "$fs: after the flush every get misses (0 hits, $N misses)"
	else
		# btrfs: the pages still hit after the O_DIRECT write, with the
		# right data; reported, not asserted
		diag "$fs: after the O_DIRECT write: $(delta $hit "$(pstat $pool succ_gets)") hits, $(delta $miss "$(pstat $pool failed_gets)") misses"
	fi
	reconcile "$fs: flush object"
	rm -f $m/o "$(model o)"
}

# Unmount destroys the pool in Xen: Xen hands the same id out again and
# the new pool misses every page.
test_remount() {	# fs mnt disk
	local fs=$1 m=$2 disk=$3 pool pool2 miss
	$CCIO fill $m/m $N 9
	drop
	pool=$(pool_of $m)
	snap /tmp/s0
	umount $m
	mount -t $fs $disk $m
	pool2=$(pool_of $m)
	is "$pool2" "$pool" "$fs: Xen gives the new mount the destroyed pool's id"
	miss=$(pstat $pool2 failed_gets)
	$CCIO check $m/m $N 9
	ok $? "$fs: data is intact after remount"
	is "$(delta $miss "$(pstat $pool2 failed_gets)")" $N "$fs: the new pool misses all $N pages"
	reconcile "$fs: unmount and mount"
	rm $m/m
}

is "$(cat $CC/backend)" xen_tmem "Xen tmem is the cleancache store"
is "$(cat $XT/registered)" Y "the transport registered"
dmesg | grep -q "xen_tmem: registered: cleancache pages go to Xen tmem"
ok $? "... and said so"
for fs in ext4 btrfs; do
	m=/mnt/$fs
	case $fs in ext4) disk=/dev/vda ;; btrfs) disk=/dev/vdb ;; esac
	pool=$(pool_of $m)
	ok $([ -n "$pool" ]; echo $?) "$fs: Xen gave $m a pool"
	[ -n "$pool" ] || continue
	test_puts_and_gets $fs $m $pool
	test_flush_object $fs $m $pool
	test_hypervisor_counts $fs $pool
	test_remount $fs $m $disk
done

# The coherency stress, both filesystems at once, through Xen
snap /tmp/s0
for fs in ext4 btrfs; do
	( $CCIO stress /mnt/$fs 4 $ops 7 > /tmp/out.$fs 2>&1; echo $? > /tmp/rc.$fs ) &
done
wait
for fs in ext4 btrfs; do
	is "$(cat /tmp/rc.$fs)" 0 "$fs: $ops random operations through Xen tmem, no stale read"
	diag "$fs: $(cat /tmp/out.$fs)"
done
snap /tmp/s1
hits=$(sdelta cc_succ_gets)
ok $(( hits > 0 ? 0 : 1 )) "the stress was served by Xen tmem ($hits hits)"
reconcile "coherency stress"

# The KUnit suite against the real hypervisor, run at boot
if grep -q "kunit.filter_glob=xen_tmem_hypervisor" /proc/cmdline; then
	sh /run/test/kunit.sh | grep -E '^(not )?ok .*xen_tmem_hypervisor\.' > /tmp/kunit.hv
	is "$(wc -l < /tmp/kunit.hv)" 4 "the KUnit suite xen_tmem_hypervisor ran its 4 cases"
	while read -r line; do
		case $line in
		"ok "*) ok 0 "${line#ok - }" ;;
		*) ok 1 "${line#not ok - }" ;;
		esac
	done < /tmp/kunit.hv
else
	skip "kunit xen_tmem_hypervisor" "not booted with kunit.filter_glob=xen_tmem_hypervisor"
fi
dmesg | grep -qE "BUG:|WARNING:|Oops"
ok $((! $?)) "the kernel logged no BUG, WARNING or Oops"
done_testing
exit $?
