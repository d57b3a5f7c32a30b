#!/bin/sh
# ccstat_export.sh: the exporter in the guest, scraped from the host.
#   VM_HOSTFWD=tcp:127.0.0.1:HOSTPORT-:9587 tests/vm/run \
#       tests/guest/ccstat_export.sh tests/lib/tap.sh \
#       tests/guest/ccstat_lib.sh tools/ccstat-static
# Driven by tests/host/exporter_vm.sh, which runs a real Prometheus on the
# host and reads the marker lines below:
#   @@export-ready@@          exporter attached, first kernel snapshot
#   @@kdelta NAME=V ...@@     the kernel's counters over the workload
#   @@export-quiet@@          workload over; counters no longer move
# The guest then keeps serving for HOLD seconds so the host can query.
. ./tap.sh
. ./ccstat_lib.sh
require_cleancache

N=${N:-512}		# pages per file: 2 MiB, x2 filesystems
HOLD=${HOLD:-45}

plan 4
$CC export --listen 0.0.0.0:9587 --top-inodes 20 2>/tmp/export.err &
pid=$!
i=0
while ! grep -q ':2573 00000000:0000 0A' /proc/net/tcp 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 200 ] && break
	sleep 0.1
done
ok $([ $i -le 200 ] && kill -0 $pid 2>/dev/null && echo 0 || echo 1) \
	"exporter listens on 0.0.0.0:9587 when told to"
ksnap /tmp/k0
echo "@@export-ready@@"
sleep 4

# The workload: per filesystem write+evict (puts), read (gets, hits),
# evict into a small store and read again (hits and misses), delete one
# file (invalidates)
for fs in /mnt/ext4 /mnt/btrfs; do
	# Phases 2 s apart (scrapes are 1 s): each new series is scraped
	# before the increases that rate() must see
	make_file $fs/a $N
	sleep 2
	cat $fs/a >/dev/null
	sleep 2
	# A store of N/4 pages: the next re-read has hits and misses
	cap=$(cat /sys/module/tmem_local/parameters/max_size)
	echo $((N / 4 * PAGE)) >/sys/module/tmem_local/parameters/max_size
	echo 1 >/proc/sys/vm/drop_caches
	sleep 2
	cat $fs/a >/dev/null
	echo "$cap" >/sys/module/tmem_local/parameters/max_size
	make_file $fs/b $((N / 2))
	rm $fs/b
	sync
	sleep 2
done
ksnap /tmp/k1
line="@@kdelta"
for f in puts puts_refused succ_gets failed_gets invalidates inode_invalidates; do
	line="$line $f=$(kdelta /tmp/k0 /tmp/k1 $f)"
done
echo "$line@@"
sleep 3
echo "@@export-quiet@@"

sleep "$HOLD"
kill -TERM $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
wait $pid
rc=$?
is "$rc" 0 "exporter exits 0 on SIGTERM"
ok $([ -s /tmp/export.err ] && echo 1 || echo 0) "exporter printed no errors"
[ -s /tmp/export.err ] && diag "$(cat /tmp/export.err)"
ok $(grep -q ':2573 .* 0A' /proc/net/tcp && echo 1 || echo 0) "port closed after exit"
done_testing
