#!/bin/sh
# The README's demo, in the test VM: a sample workload re-reads files on
# ext4 and btrfs while the page cache is dropped, and ccstat shows what
# cleancache does with it, live.
. /run/test/lib.sh
CCSTAT=/run/test/ccstat-static

echo "== kernel: $(uname -r); cleancache backend: $(cat $CC/backend)"
$CCSTAT check -d 1 | sed 's/^/   /'

for fs in ext4 btrfs; do
	$CCIO fill /mnt/$fs/demo 2048 1	# 8 MiB each
done
# Workload: re-read both files, dropping the page cache every second;
# every 5th round rewrites a piece (invalidations) and truncates a file.
(
	i=0
	while [ ! -f /tmp/stop ]; do
		i=$((i + 1))
		for fs in ext4 btrfs; do cat /mnt/$fs/demo > /dev/null; done
		if [ $((i % 5)) = 0 ]; then
			$CCIO pwrite /mnt/ext4/demo 0 65536 7
			$CCIO fill /mnt/btrfs/scratch 64 $i
			rm /mnt/btrfs/scratch
		fi
		drop
		sleep 1
	done
) &

echo
echo "== ccstat stat 1 10: per filesystem, every second"
$CCSTAT stat -T 1 10
echo
echo "== ccstat top 2 2: the live view (off a terminal: plain text per interval)"
$CCSTAT top 2 2
echo
echo "== ccstat run -- COMMAND: per inode and per task, for one command"
# One command re-reads both files after a drop: its gets are hits.
drop
$CCSTAT run -- sh -c 'cat /mnt/ext4/demo /mnt/btrfs/demo > /dev/null' 2>&1
touch /tmp/stop
wait
echo
echo "== the kernel's own counters (debugfs cleancache/)"
for c in puts puts_refused succ_gets failed_gets invalidates inode_invalidates fs_invalidates; do
	printf '   %-18s %s\n' $c "$(cat $CC/$c)"
done
echo "   pools:"; sed 's/^/     /' $CC/pools
echo
echo "== a few tracepoint events (tracefs events/cleancache)"
echo 1 > $TP/events/cleancache/enable
cat /mnt/ext4/demo > /dev/null; drop; head -c 65536 /mnt/ext4/demo > /dev/null
echo 0 > $TP/events/cleancache/enable
grep cleancache_ $TP/trace | head -6 | sed 's/^ */   /'
