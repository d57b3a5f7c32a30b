#!/bin/sh
# ccstat_counts.sh: ccstat's counts equal the kernel's own.
#   tests/vm/run tests/guest/ccstat_counts.sh tests/lib/tap.sh \
#       tests/guest/ccstat_lib.sh tools/ccstat-static
# A deterministic workload (write N pages, sync, drop caches so they are
# put, read them back so they are gotten) runs under `ccstat run -a -j`
# (summary on stderr), which snapshots the debugfs counters itself at its start and end.  The
# run's totals and its filesystem row must equal the debugfs deltas
# exactly, and its inode row must show N puts and N hits, on ext4 and on
# btrfs, with the tp_btf programs and with the fentry fallback.  Then
# `ccstat stat -j --total` must agree with debugfs over the same workload.
. ./tap.sh
plan 73	# 16 per run (tp_btf and fentry, ext4 and btrfs), 8 for stat
. ./ccstat_lib.sh
require_cleancache

N=64

# The workload, run by ccstat: snapshot, write+evict, read, snapshot
cat >/tmp/workload.sh <<'EOS'
. /run/test/ccstat_lib.sh
ksnap /tmp/k0
for c in 5 6 7 8 9 10; do echo "$c $(kpool "$DEV" $c)"; done >/tmp/p0
make_file "$FILE" "$N"
cat "$FILE" >/dev/null
for c in 5 6 7 8 9 10; do echo "$c $(kpool "$DEV" $c)"; done >/tmp/p1
ksnap /tmp/k1
EOS

# pdelta COLUMN: the pool row's change during the workload
pdelta() {
	echo $(( $(awk -v c="$1" '$1 == c { print $2 }' /tmp/p1) - \
		 $(awk -v c="$1" '$1 == c { print $2 }' /tmp/p0) ))
}

check_run() {	# MOUNT ATTACH
	FILE=$1/cc_counts.$2
	DEV=$(devof "$1")
	rm -f "$FILE"
	export FILE DEV N
	# the summary goes to stderr, like perf stat's
	out=$($CC --attach="$2" run -a -j -- sh /tmp/workload.sh 2>&1 >/dev/null)
	ok $? "$2 $1: ccstat run -a -j succeeds"
	echo "$out" >>/tmp/run.json
	tot=$(jtotal "$out")
	for pair in puts:puts puts_refused:puts_refused hits:succ_gets \
		misses:failed_gets inval_pages:invalidates \
		inval_inodes:inode_invalidates; do
		ours=${pair%%:*}
		theirs=${pair#*:}
		is "$(jnum "$tot" "$ours")" "$(kdelta /tmp/k0 /tmp/k1 "$theirs")" \
			"$2 $1: total $ours = debugfs $theirs delta"
	done
	fs=$(jrow "$out" filesystems "\"device\":\"$DEV\"")
	for pair in puts:5 puts_refused:6 hits:7 misses:8 inval_pages:9 \
		inval_inodes:10; do
		is "$(jnum "$fs" "${pair%%:*}")" "$(pdelta "${pair#*:}")" \
			"$2 $1: filesystem ${pair%%:*} = debugfs pool delta"
	done
	ino=$(stat -c %i "$FILE")
	row=$(jrow "$out" inodes "\"ino\":$ino,")
	is "$(jnum "$row" puts)" "$N" "$2 $1: inode $ino has $N puts"
	is "$(jnum "$row" hits)" "$N" "$2 $1: inode $ino has $N hits"
	is "$(jnum "$row" misses)" 0 "$2 $1: inode $ino has no misses"
	rm -f "$FILE"
	sync
}

for attach in tp_btf fentry; do
	for mnt in /mnt/ext4 /mnt/btrfs; do
		check_run "$mnt" "$attach"
	done
done

# ccstat stat -j --total over the same workload (ext4)
FILE=/mnt/ext4/cc_stat
DEV=$(devof /mnt/ext4)
export FILE DEV N
$CC stat -j --total 1 >/tmp/stat.json &
pid=$!
wait_for /tmp/stat.json '"total"'
ok $? "stat -j --total printed its first line"
sh /tmp/workload.sh
sleep 1.5
kill -INT $pid
wait $pid
ok $? "stat exits 0 on SIGINT"
last=$(tail -n 1 /tmp/stat.json)
tot=$(jtotal "$last")
for pair in puts:puts hits:succ_gets misses:failed_gets \
	inval_pages:invalidates inval_inodes:inode_invalidates; do
	is "$(jnum "$tot" "${pair%%:*}")" "$(kdelta /tmp/k0 /tmp/k1 "${pair#*:}")" \
		"stat --total: ${pair%%:*} = debugfs ${pair#*:} delta"
done
fs=$(jrow "$last" filesystems "\"device\":\"$DEV\"")
is "$(jnum "$fs" hits)" "$(pdelta 7)" "stat --total: ext4 hits = pool delta"
json_valid "run -a -j, stat -j --total" /tmp/run.json /tmp/stat.json
rm -f "$FILE"

done_testing
exit $?
