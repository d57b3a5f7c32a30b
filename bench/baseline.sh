#!/bin/sh
# make bench, baselines (in the VM, on the patched or the stock kernel):
# the same workload, printed as "bench NAME kernel=KIND ..." lines that
# bench/run pairs up into ratios.  /run/test/baseline.conf sets:
#   mode=churn     P3: page-cache churn with no cleancache backend
#   mode=reread    P1: re-read of a file set twice the page cache
#   mode=pressure  a memory-limited cgroup re-reading twice its limit
#   mode=storecost P4: the local store's put/get vs a 4 KiB memcpy
#   kernel=stock|patched
. /run/test/baseline.conf
CCIO=/run/test/ccio
PAGE=4096

now() { awk '{ print $1 }' /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# sectors read from a virtio disk so far (/proc/diskstats field 6)
sectors() { awk -v d="$1" '$3 == d { print $6 }' /proc/diskstats; }
avail_kb() { awk '/MemAvailable/ { print $2 }' /proc/meminfo; }
drop() { sync; echo 1 > /proc/sys/vm/drop_caches; }
hits() {
	if [ -r /sys/kernel/debug/cleancache/succ_gets ]; then
		cat /sys/kernel/debug/cleancache/succ_gets
	else
		echo 0
	fi
}

case $mode in
churn)
	# 3 x 128 MiB read in turn by a 256 MiB guest (each read evicts the
	# others), while a 16 MiB file is rewritten and deleted each round.
	m=/mnt/ext4
	for i in 1 2 3; do $CCIO fill $m/churn.$i 32768 $i; done
	drop
	for round in 1 2 3; do
		t0=$(now)
		for i in 1 2 3; do
			cat $m/churn.$i > /dev/null
			dd if=/dev/zero of=$m/scratch bs=64k count=256 2>/dev/null
			rm $m/scratch
		done
		t1=$(now)
		echo "bench p3_churn kernel=$kernel round=$round s=$(elapsed $t0 $t1) mem_available_kb=$(avail_kb)"
	done
	;;
reread)
	# A fixed 352 MiB file set (4 x 22528 pages) on each filesystem:
	# written, dropped, then re-read; sectors read and time of the re-read.
	for fs in ext4 btrfs; do
		m=/mnt/$fs
		[ $fs = ext4 ] && disk=vda || disk=vdb
		for i in 1 2 3 4; do $CCIO fill $m/set.$i 22528 $i; done
		drop
		s0=$(sectors $disk); h0=$(hits); t0=$(now)
		for i in 1 2 3 4; do cat $m/set.$i > /dev/null; done
		t1=$(now); s1=$(sectors $disk); h1=$(hits)
		bad=0
		for i in 1 2 3 4; do $CCIO check $m/set.$i 22528 $i || bad=$((bad + 1)); done
		echo "bench p1_reread kernel=$kernel fs=$fs file_set_kb=$((4 * 22528 * 4)) mem_available_kb=$(avail_kb) sectors_read=$((s1 - s0)) s=$(elapsed $t0 $t1) hit_pages=$((h1 - h0)) bad_files=$bad"
		rm $m/set.*
	done
	;;
pressure)
	# A process in a cgroup with memory.max=64M re-reads 128 MiB, five
	# rounds, no drop_caches: only reclaim evicts.
	m=/mnt/ext4
	cg=/sys/fs/cgroup/bench
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
	mkdir -p $cg
	echo 64M > $cg/memory.max
	# written from inside the cgroup, so its page cache is charged there
	echo $$ > $cg/cgroup.procs
	$CCIO fill $m/ws 32768 3
	sync
	for round in 1 2 3 4 5; do
		s0=$(sectors vda); h0=$(hits); t0=$(now)
		cat $m/ws > /dev/null
		t1=$(now); s1=$(sectors vda); h1=$(hits)
		echo "bench pressure kernel=$kernel round=$round working_set_kb=131072 memory_max_kb=65536 sectors_read=$((s1 - s0)) s=$(elapsed $t0 $t1) hit_pages=$((h1 - h0))"
	done
	echo $$ > /sys/fs/cgroup/cgroup.procs
	$CCIO check $m/ws 32768 3 || echo "bench pressure kernel=$kernel DATA MISMATCH"
	;;
storecost)
	# 64 MiB put on eviction, then got back on a re-read
	m=/mnt/ext4
	$CCIO fill $m/sc 16384 5
	sync
	/run/test/storecost /run/test/storecost.bpf.o sh -c \
		"echo 1 > /proc/sys/vm/drop_caches; cat $m/sc > /dev/null"
	;;
esac
