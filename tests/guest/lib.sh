# tests/guest/lib.sh: helpers for in-guest cleancache tests (busybox sh).
# Source after tap.sh.  Counters come from the kernel's own debugfs files:
# cleancache/<name> (global), cleancache/pools (per pool, frontend) and
# cleancache/tmem_local/pools (per pool, store).

CC=/sys/kernel/debug/cleancache
TL=$CC/tmem_local
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

# pool_of MOUNTPOINT: the cleancache pool id of a mounted filesystem
pool_of() {
	awk -v dev="$(dev_of "$1")" 'NR > 1 && $2 == dev { print $1 }' $CC/pools
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
# gstat NAME: global frontend counter
gstat() { cat $CC/"$1"; }

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
