#!/bin/sh
# In-guest, debug kernel (VM_KERNEL_CHECKS=1, the irqsoff tracer): the
# local store never keeps interrupts off for a whole object or a whole
# pool.  A file of PAGES pages goes to cleancache; truncating it flushes
# the object (tmem_local_flush_object), unmounting destroys the full
# pool (tmem_local_pool_empty).  Before each, the irqsoff tracer's
# maximum is reset; after, the longest section and the stack at its end
# are printed.  Both drop the lock every TMEM_LOCAL_FREE_BATCH pages, so
# the longest section must be well under the whole operation: held for
# the whole object it would take all of it.
# Boot with tmem_local.prealloc=1 (no shrinker: echo 1 > drop_caches
# leaves the store full) and a max_size above the file.
. /run/test/tap.sh
. /run/test/lib.sh

PAGES=${PAGES:-16384}	# 64 MiB: 64 batches of 256 pages
IRQSOFF=/sys/kernel/tracing/instances/irqsoff

if [ ! -r $IRQSOFF/tracing_max_latency ]; then
	plan 1
	skip "irqs-off sections of a flush and a pool destroy" \
		"no irqsoff tracer (run with VM_KERNEL_CHECKS=1 on the debug kernel)"
	done_testing
	exit $?
fi
plan 13	# 4 per filesystem, 4 for the pool destroyed at unmount, the reports

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# The longest section measured, written back to the tracer at the end so
# that the lane's summary counts it (the trace shown is the last one)
worst=0

# measure DESC COMMAND...: run COMMAND with the tracer's maximum reset;
# one result: the longest irqs-off section is under half the command's time
measure() {
	local desc=$1 t0 t1 us ms
	shift
	echo 0 > $IRQSOFF/tracing_max_latency
	t0=$(now_ms)
	"$@"
	t1=$(now_ms)
	us=$(cat $IRQSOFF/tracing_max_latency)
	ms=$((t1 - t0))
	[ "$us" -gt "$worst" ] && worst=$us
	diag "$desc: $ms ms in all, longest irqs-off section $us us"
	grep -E '^#.*=> (started|ended) at:' $IRQSOFF/trace | sed 's/^# */  /' |
		while read -r line; do diag "  $line"; done
	sed -n '/<stack trace>/,$p' $IRQSOFF/trace | grep '^ =>' | head -n 8 |
		while read -r line; do diag "  $line"; done
	[ "$ms" -gt 0 ] && [ $((us * 2 / 1000)) -lt "$ms" ]
	ok $? "$desc: the longest irqs-off section ($us us) is under half of the $ms ms it took"
}

# fill_store FS: a PAGES-page file on FS, its pages in the store
fill_store() {
	local before now
	use_fs "$1" || return 1
	before=$(tstat "$pool" pages)
	$CCIO fill $m/big $PAGES 7
	drop
	now=$(tstat "$pool" pages)
	[ $((now - before)) -ge $((PAGES * 9 / 10)) ]
	ok $? "$1: at least 90% of the file's $PAGES pages are in the store ($((now - before)))"
}

for fs in ext4 btrfs; do
	fill_store $fs || continue
	flushed=$(tstat "$pool" flushed_pages)
	measure "$fs: truncating a $PAGES-page file (one object flushed)" \
		truncate -s 0 $m/big
	n=$(($(tstat "$pool" flushed_pages) - flushed))
	[ $n -ge $((PAGES * 9 / 10)) ]
	ok $? "$fs: ... and the store flushed its pages ($n)"
	rm -f $m/big
done

# A full pool destroyed at unmount (the last test: the disks go away)
if fill_store ext4; then
	measure "ext4: unmounting with $(tstat "$pool" pages) pages in the pool (pool destroyed)" \
		umount /mnt/ext4
	[ -z "$(pool_of /mnt/ext4)" ]
	ok $? "ext4: the pool is gone after unmount"
fi

echo "$worst" > $IRQSOFF/tracing_max_latency
no_kernel_reports
done_testing
exit $?
