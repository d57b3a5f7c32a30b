# tests/guest/lib.sh: helpers for in-guest cleancache tests (busybox sh).
# Source after tap.sh.  Counters come from the kernel's own debugfs files:
# cleancache/<name> (global), cleancache/pools (per pool, frontend),
# cleancache/tmem_local/pools (per pool, local store) and
# cleancache/xen_tmem/<name> (the Xen transport).

CC=/sys/kernel/debug/cleancache
TL=$CC/tmem_local
XT=$CC/xen_tmem
TP=/sys/kernel/tracing
CCIO=/run/test/ccio
PAGE=4096

# dev_of MOUNTPOINT: the filesystem's MAJ:MIN (its s_dev)
dev_of() {
	awk -v m="$1" '$5 == m { print $3 }' /proc/self/mountinfo
}

# disk_of FS: the test VM's disk holding FS (ext4 or btrfs)
disk_of() {
	case $1 in ext4) echo /dev/vda ;; btrfs) echo /dev/vdb ;; esac
}

# use_fs FS: set m (mount point), disk and pool for FS, with one TAP
# result saying whether it has a pool; fail if it has none
use_fs() {
	m=/mnt/$1
	disk=$(disk_of "$1")
	pool=$(pool_of $m)
	ok $([ -n "$pool" ]; echo $?) "$1: a pool exists for $m"
	[ -n "$pool" ]
}

# no_kernel_reports: one TAP result: the kernel logged no BUG, WARNING or
# Oops (the lines themselves go to the log as a diagnostic)
no_kernel_reports() {
	dmesg | grep -E "BUG|WARNING|Oops|stack segment" && diag "kernel complained"
	dmesg | grep -qE "BUG:|WARNING:|Oops"
	ok $((! $?)) "the kernel logged no BUG, WARNING or Oops"
}

# pool_of MOUNTPOINT: the cleancache pool id of a mounted filesystem (a
# pool shared by several mounts lists them all in its "mounts" column)
pool_of() {
	awk -v dev="$(dev_of "$1")" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "mounts") mc = i; next }
		$2 == dev { print $1; next }
		mc { n = split($mc, d, ","); for (i = 1; i <= n; i++) if (d[i] == dev) { print $1; next } }' $CC/pools
}

# table_get FILE POOL COLUMN: a column of a pool's row in a pools table
table_get() {
	awk -v pool="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		$1 == pool { print (c ? $c : "nocol"); found = 1 }
		END { if (!found) print "nopool" }' "$1"
}

# pstat POOL COLUMN: frontend per-pool counter; tstat: the store's
pstat() { table_get $CC/pools "$1" "$2"; }
tstat() { table_get $TL/pools "$1" "$2"; }
# gstat NAME: global frontend counter; xstat NAME: the Xen transport's
gstat() { cat $CC/"$1"; }
xstat() { cat $XT/"$1"; }

# drop: write back, then drop the clean page cache (inodes stay; a test
# of inode reclaim writes 3 itself)
drop() {
	sync
	echo 1 > /proc/sys/vm/drop_caches
}

# delta VAR_BEFORE VALUE_NOW: arithmetic difference, for readability
delta() {
	echo $(($2 - $1))
}

# snap FILE: every frontend and Xen transport counter, "name value" a line
snap() {
	local c
	for c in puts puts_refused succ_gets failed_gets invalidates \
		 inode_invalidates fs_invalidates pools_created; do
		echo "cc_$c $(gstat $c)"
	done
	for c in $(ls $XT 2>/dev/null); do
		[ "$c" = registered ] || echo "xt_$c $(xstat $c)"
	done
} > "$1"

# sdelta NAME: the change of a counter from snapshot /tmp/s0 to /tmp/s1
sdelta() {
	echo $(( $(awk -v n="$1" '$1 == n { print $2 }' /tmp/s1) - \
		 $(awk -v n="$1" '$1 == n { print $2 }' /tmp/s0) ))
}

# reconcile DESC: since "snap /tmp/s0", each frontend outcome is one Xen
# hypercall outcome: puts, refusals (Xen declines a put with 0, or with
# -ENOMEM when it cannot make room), hits, misses, page and inode
# invalidations (FLUSH_PAGE, FLUSH_OBJECT), pools created and destroyed;
# and no hypercall failed otherwise.
reconcile() {
	local errs=0 e
	snap /tmp/s1
	for e in enosys enodev eperm einval efrozen other; do
		errs=$((errs + $(sdelta xt_errors_$e)))
	done
	is "puts=$(sdelta xt_puts) refused=$(( $(sdelta xt_puts_refused) + $(sdelta xt_errors_enomem) )) hits=$(sdelta xt_gets_hit) misses=$(sdelta xt_gets_miss) flush_pages=$(sdelta xt_flush_pages) flush_objects=$(sdelta xt_flush_objects) created=$(sdelta xt_pools_created) destroyed=$(sdelta xt_pools_destroyed) errors=$errs" \
	   "puts=$(sdelta cc_puts) refused=$(sdelta cc_puts_refused) hits=$(sdelta cc_succ_gets) misses=$(sdelta cc_failed_gets) flush_pages=$(sdelta cc_invalidates) flush_objects=$(sdelta cc_inode_invalidates) created=$(sdelta cc_pools_created) destroyed=$(sdelta cc_fs_invalidates) errors=0" \
	   "$1: the hypervisor saw exactly what the frontend counted"
}

# The hypervisor's view (Xen with tmem, tests/xen/xen-tmem-stat.c):
# hvpool POOL FIELD: "pages", "shared" or "uuid" of a Xen pool of dom0;
# hvlist POOL FIELD: Xen's own counter for it ("good_puts", "found_gets",
# "flushes", "flush_objs", ...).  "nopool" when Xen has no such pool.
XTS=/run/test/xen-tmem-stat
hvfield() {	# POOL FIELD: from "pool=ID key=value ..." lines on stdin
	awk -v pool="$1" -v f="$2" '
		{ split("", kv); for (i = 1; i <= NF; i++) { split($i, a, "="); kv[a[1]] = a[2] } }
		kv["pool"] == pool { print kv[f]; found = 1 }
		END { if (!found) print "nopool" }'
}
hvpool() { $XTS pools | hvfield "$1" "$2"; }
hvlist() { $XTS list | hvfield "$1" "$2"; }

# check_late_pools: after a backend registered at runtime (its events in
# /tmp/trace), ext4 and btrfs, mounted before, each have a pool whose
# creation was traced, and 32 pages round-trip through it.
check_late_pools() {
	local fs m pool b
	for fs in ext4 btrfs; do
		m=/mnt/$fs
		pool=$(pool_of $m)
		ok $([ -n "$pool" ]; echo $?) "$fs, mounted before, got a pool at registration"
		grep -q "cleancache_pool_create: dev=$(dev_of $m) pool=$pool fstype=$fs shared=0 ret=0" /tmp/trace
		ok $? "$fs: cleancache_pool_create fires for it"
		[ -n "$pool" ] || continue
		$CCIO fill $m/late 32 21
		b=$(pstat $pool puts)
		drop
		is "$(delta $b "$(pstat $pool puts)")" 32 "$fs: puts work in the late pool"
		b=$(pstat $pool succ_gets)
		$CCIO check $m/late 32 21
		ok $? "$fs: data reads back"
		is "$(delta $b "$(pstat $pool succ_gets)")" 32 "$fs: ... from cleancache"
		rm $m/late
	done
}
