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

# drop: write back, then drop the clean page cache (not inodes: evicting
# an inode invalidates its cleancache pages, by design)
drop() {
	sync
	echo 1 > /proc/sys/vm/drop_caches
}

# delta VAR_BEFORE VALUE_NOW: arithmetic difference, for readability
delta() {
	echo $(($2 - $1))
}
