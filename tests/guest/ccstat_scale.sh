#!/bin/sh
# ccstat_scale.sh: what makes ccstat safe on a large host, on the real
# path (patched kernel, BPF loaded).
#   tests/vm/run tests/guest/ccstat_scale.sh tests/lib/tap.sh \
#       tests/guest/ccstat_lib.sh tools/ccstat-static build/guest/ccio
# - map memory: what the kernel charges for each command's maps (the
#   memlock of every BPF map fd, which is what bpftool map show prints) is
#   within ccstat's bound, stat creates no inode-sized map, and the bounds
#   on 256 CPUs meet the targets (8 MiB stat, 64 MiB top);
# - ageing: 300 inodes through a 64-row inode map: no map-full drops (the
#   LRU map drops idle rows), and the totals are still exact;
# - naming without a walk: inode paths come from the kernel's dentry
#   names, also for a file deleted before ccstat prints it;
# - unmount: the rows of a destroyed pool leave the map, their counts stay;
# - -c CGROUP includes the cgroup's descendants, and only them.
. ./tap.sh
. ./ccstat_lib.sh
require_cleancache
plan 29
CCIO=/run/test/ccio
# decided before anything is measured: the map bound holds for kernels
# without lockdep, whose spinlocks are bigger
DEBUG_KERNEL=
debug_kernel && DEBUG_KERNEL=1

# memlock PID [TYPE]: the sum of the memlock of PID's BPF map fds; with
# TYPE, of those of that map_type only
memlock() {
	for f in /proc/$1/fdinfo/*; do
		awk -v t="${2:-}" '/^map_type:/ { m = $2 } /^memlock:/ { l = $2 }
		     END { if (m != "" && (t == "" || m == t)) print l }' "$f" 2>/dev/null
	done | awk '{ s += $1 } END { print s + 0 }'
}

# max_entries PID: the max_entries of PID's BPF maps, smallest first, but
# for the ring buffer (BPF_MAP_TYPE_RINGBUF, 27), whose max_entries are bytes
max_entries() {
	for f in /proc/$1/fdinfo/*; do
		awk '/^map_type:/ { m = $2 } /^max_entries:/ { e = $2 }
		     END { if (m != "" && m != 27) print e }' "$f" 2>/dev/null
	done | sort -n
}

# bound FILE FIELD: from "ccstat: BPF maps: N bytes (bound B on C CPUs, D on 256)"
bound() {
	sed -n 's/^ccstat: BPF maps: \([0-9]*\) bytes (bound \([0-9]*\) on [0-9]* CPUs, \([0-9]*\) on 256)$/\1 \2 \3/p' "$1" |
		awk -v f="$2" '{ print $f }'
}

# ---- map memory per command ----
check_memory() {	# NAME TARGET_256 ARGS...
	name=$1
	target=$2
	shift 2
	rm -f /tmp/mem.out /tmp/mem.err
	$CC -v "$@" >/tmp/mem.out 2>/tmp/mem.err &
	pid=$!
	wait_for /tmp/mem.out .
	ok $? "$name: attached and printed"
	used=$(memlock $pid)
	# BPF_MAP_TYPE_ARRAY (2): only the skeleton's global data (.rodata,
	# .bss), which ccstat neither sizes nor counts
	data=$(memlock $pid 2)
	max_entries $pid >/tmp/mem.entries
	biggest=$(tail -n 1 /tmp/mem.entries)
	second=$(tail -n 2 /tmp/mem.entries | head -n 1)
	kill -INT $pid
	wait $pid
	cat /tmp/mem.out >>/tmp/mem.json
	ours=$(bound /tmp/mem.err 1)
	here=$(bound /tmp/mem.err 2)
	at256=$(bound /tmp/mem.err 3)
	diag "$name: BPF maps $used bytes (fdinfo memlock, as bpftool; $data of them global data), ccstat says $ours; bound $here on $(nproc) CPUs, $at256 on 256 CPUs; largest map $biggest entries"
	# nothing touched a filesystem since the load (the filesystem map
	# allocates rows as they appear): the same bytes, exactly
	test -n "$ours" && [ $((used - data)) -eq "$ours" ]
	ok $? "$name: ccstat reports what the kernel charges for its maps ($((used - data)) bytes)"
	if [ -n "$DEBUG_KERNEL" ]; then
		skip "$name: within the bound computed from the map definitions" \
			"debug kernel (lockdep): every bucket lock carries a lockdep map; the bound is for kernels without"
	else
		test -n "$here" && [ "$used" -le "$here" ]
		ok $? "$name: within the bound computed from the map definitions ($used <= $here)"
	fi
	test -n "$at256" && [ "$at256" -le "$target" ]
	ok $? "$name: bound on 256 CPUs $at256 <= $target"
}
check_memory stat $((8 << 20)) -j stat --total 1
# one map with room (the filesystem map), every other one entry
[ "$biggest" -gt 1 ] && [ "$biggest" -lt 1000 ] && [ "$second" = 1 ]
ok $? "stat: no inode or task map beyond one entry (largest map: $biggest entries, the next $second)"
check_memory top $((64 << 20)) -j top 1

# ---- -r: rates per second, end to end ----
# Each report's rate times its interval is the gets of that interval:
# summed over the reports they are the 16 gets of one cold read (a rate
# stuck at 0/s, or a wrong divisor, misses them)
make_file /mnt/ext4/rate 16
$CC -j -r stat 1 >/tmp/rate.json &
st=$!
wait_for /tmp/rate.json '"total"'
cat /mnt/ext4/rate >/dev/null
n=$(wc -l </tmp/rate.json)
i=0
while [ "$(wc -l </tmp/rate.json)" -le "$n" ] && [ $i -lt 1200 ]; do i=$((i + 1)); sleep 0.1; done
kill -INT $st
wait $st
! grep -q '"gets":' /tmp/rate.json
ok $? "stat -r -j: rates per second, no counts"
gets=$(while read -r l; do
	echo "$(echo "$l" | sed -n 's/.*"interval_s":\([0-9.]*\).*/\1/p')" \
	     "$(jtotal "$l" | sed -n 's/.*"gets_per_s":\([0-9.]*\).*/\1/p')"
done </tmp/rate.json | awk 'NF == 2 { s += $1 * $2 } END { printf "%.0f", s }')
is "$gets" 16 "stat -r -j: gets_per_s x interval_s, summed, = the 16 gets of the read"
# ---- ageing: more inodes than the map holds ----
$CCIO mkfiles /mnt/ext4/many 300
sync
echo 1 >/proc/sys/vm/drop_caches
out=$($CC --map-entries 64 run -a -j -- $CCIO readfiles /mnt/ext4/many 300 2>&1 >/dev/null)
ok $? "run with a 64-row inode map over 300 files"
echo "$out" >>/tmp/run.json
tot=$(jtotal "$out")
is "$(jnum "$tot" hits)" 300 "all 300 gets counted in the totals (hits)"
is "$(jnum "$out" inode_map_full)" 0 "no inode map-full drops: idle rows made room"
rows=$(echo "$out" | sed -n 's/.*"inodes":\[\([^]]*\)\].*/\1/p' | grep -o '"ino":' | wc -l)
test "$rows" -gt 0 && test "$rows" -le 64
ok $? "the inode map held at most 64 rows ($rows)"
rm -rf /mnt/ext4/many

# ---- names from the kernel, no walk ----
mkdir -p /mnt/ext4/n1/n2 /mnt/btrfs/b1
make_file /mnt/ext4/top_named 4
make_file /mnt/ext4/n1/n2/deep_named 4
make_file /mnt/btrfs/b1/btrfs_named 4
# read, then delete: no walk could name a file that is gone
out=$($CC run -a -j -- sh -c 'cat /mnt/ext4/top_named /mnt/ext4/n1/n2/deep_named /mnt/btrfs/b1/btrfs_named >/dev/null; rm /mnt/ext4/n1/n2/deep_named' 2>&1 >/dev/null)
ok $? "run over named files"
echo "$out" >>/tmp/run.json
echo "$out" | grep -q '"path":"/mnt/ext4/top_named"'
ok $? "a file at the top: MOUNT/name"
echo "$out" | grep -q '"path":"/mnt/ext4/.../n2/deep_named"'
ok $? "a deeper file, deleted since: MOUNT/.../parent/name"
echo "$out" | grep -q '"path":"/mnt/btrfs/.../b1/btrfs_named"'
ok $? "btrfs: named under its mount"
rm -rf /mnt/ext4/top_named /mnt/ext4/n1 /mnt/btrfs/b1

# btrfs subvolumes: st_dev is not the superblock's, and inode numbers
# start afresh in each, so two files can share one; ccstat tells them
# apart by the subvolume's st_dev, and names both
$CCIO subvol /mnt/btrfs sv1 && $CCIO subvol /mnt/btrfs sv2
ok $? "two btrfs subvolumes created"
make_file /mnt/btrfs/sv1/same 8
make_file /mnt/btrfs/sv2/same 24
i1=$(stat -c %i /mnt/btrfs/sv1/same)
i2=$(stat -c %i /mnt/btrfs/sv2/same)
d1=$(stat -c %d /mnt/btrfs/sv1/same)
dm=$(stat -c %d /mnt/btrfs)
diag "sv1/same: ino $i1 st_dev $d1; sv2/same: ino $i2; /mnt/btrfs st_dev $dm"
test "$i1" = "$i2" && test "$d1" != "$dm"
ok $? "same inode number in both, st_dev not the superblock's"
out=$($CC run -a -j -- cat /mnt/btrfs/sv1/same /mnt/btrfs/sv2/same 2>&1 >/dev/null)
ok $? "run over both"
echo "$out" >>/tmp/run.json
r1=$(jrow "$out" inodes '"path":"/mnt/btrfs/.../sv1/same"')
r2=$(jrow "$out" inodes '"path":"/mnt/btrfs/.../sv2/same"')
is "$(jnum "$r1" hits):$(jnum "$r2" hits)" "8:24" "two rows, each with its own file's hits"
rm -f /mnt/btrfs/sv1/same /mnt/btrfs/sv2/same

# ---- unmount: a destroyed pool's row leaves the map, its counts stay ----
DEV=$(devof /mnt/btrfs)
src=$(awk '$2 == "/mnt/btrfs" { print $1; exit }' /proc/mounts)
make_file /mnt/btrfs/um 16
ksnap /tmp/u0
$CC -j stat --total 1 >/tmp/um.json &
st=$!
wait_for /tmp/um.json '"total"'
cat /mnt/btrfs/um >/dev/null
umount /mnt/btrfs
# three more reports: the destroyed pool's row is unchanged for two
lines=$(wc -l </tmp/um.json)
i=0
while [ "$(wc -l </tmp/um.json)" -lt $((lines + 3)) ] && [ $i -lt 1200 ]; do
	i=$((i + 1)); sleep 0.1
done
mount -t btrfs "$src" /mnt/btrfs
ok $? "btrfs mounted again"
cat /mnt/btrfs/um >/dev/null
ksnap /tmp/u1
kill -INT $st
wait $st
last=$(tail -n 1 /tmp/um.json)
fsgets=$(echo "$last" | sed -n 's/.*"filesystems":\[\([^]]*\)\].*/\1/p' |
	sed 's/},{/}\n{/g' | sed -n 's/.*"gets":\([0-9]*\).*/\1/p' |
	awk '{ s += $1 } END { print s + 0 }')
is "$fsgets" "$(( $(kdelta /tmp/u0 /tmp/u1 succ_gets) + $(kdelta /tmp/u0 /tmp/u1 failed_gets) ))" \
	"stat --total across an unmount: the filesystem rows' gets = debugfs delta (the retired row kept its counts)"
# the 16 hits came from the destroyed pool (the new one only missed):
# they are still there, whether its id was reused or not
rows=$(echo "$last" | sed -n 's/.*"filesystems":\[\([^]]*\)\].*/\1/p' |
	sed 's/},{/}\n{/g' | grep "\"device\":\"$DEV\"")
diag "rows for $DEV: $rows"
is "$(echo "$rows" | sed -n 's/.*"hits":\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')" 16 \
	"the unmounted pool's 16 hits are still reported for $DEV"
rm -f /mnt/btrfs/um

# ---- -c CGROUP: the cgroup and its descendants ----
N=32
mkdir -p /sys/fs/cgroup/cc_parent/cc_child
make_file /mnt/ext4/cg_in $N
make_file /mnt/ext4/cg_out $N
rm -f /tmp/cg_go
mkfifo /tmp/cg_go
sh -c 'echo $$ >/sys/fs/cgroup/cc_parent/cc_child/cgroup.procs; read x </tmp/cg_go; exec cat /mnt/ext4/cg_in >/dev/null' &
child=$!
$CC -j -c cc_parent stat --total 1 >/tmp/cg.json &
st=$!
wait_for /tmp/cg.json '"total"'
ok $? "stat -c cc_parent attached"
cat /mnt/ext4/cg_out >/dev/null		# outside the subtree
echo go >/tmp/cg_go
wait $child
kill -INT $st
wait $st
tot=$(jtotal "$(tail -n 1 /tmp/cg.json)")
is "$(jnum "$tot" gets)" $N "-c counts the $N gets of a task in a child cgroup, not the $N outside"
rmdir /sys/fs/cgroup/cc_parent/cc_child /sys/fs/cgroup/cc_parent
rm -f /mnt/ext4/cg_in /mnt/ext4/cg_out

json_valid "stat -j, top -j, stat -j -r, run -a -j, stat -j -c" /tmp/mem.json \
	/tmp/rate.json /tmp/run.json /tmp/um.json /tmp/cg.json
done_testing
exit $?
