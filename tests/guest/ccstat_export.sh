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
# The exporter runs with --analyze, so the dashboard's analysis row has
# data, and writes a textfile too, every 0.5 s: its ccstat_scrapes_total
# tells when Prometheus has scraped after each phase of the workload
# (so each series is scraped before the increases rate() must see, at
# any speed).  Then `export --analyze --prom-file` around a workload whose
# answer is known: a file of M pages written past the page cache, read
# (M cold misses), evicted into a store of M/2 pages (it drops the
# oldest: the last M/2 pages stay), read again (M/2 hits, M/2 misses
# with cause evicted).  Every put comes before every get, so the page
# at index i has a reuse distance of M - i puts, its own included.  The
# bytes saved are checked against the disk: the re-read reads that many
# fewer sectors than the cold read (/proc/diskstats).
. ./tap.sh
. ./ccstat_lib.sh
require_cleancache

N=${N:-512}		# pages per file: 2 MiB, x2 filesystems
HOLD=${HOLD:-45}

M=${M:-1024}		# pages of the analysis file: 4 MiB, x2 filesystems

plan 31
LIVE=/tmp/live.prom
$CC export --listen 0.0.0.0:9587 --top-inodes 20 --analyze --prom-file $LIVE 0.5 \
	2>/tmp/export.err &
pid=$!
i=0
while ! grep -q ':2573 00000000:0000 0A' /proc/net/tcp 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 200 ] && break
	sleep 0.1
done
ok $([ $i -le 200 ] && kill -0 $pid 2>/dev/null && echo 0 || echo 1) \
	"exporter listens on 0.0.0.0:9587 when told to"
# scrapes: /metrics answered, as of the textfile's last rewrite
scrapes() {
	awk '$1 == "ccstat_scrapes_total" { print $2 }' $LIVE 2>/dev/null
}
# rewritten: until the textfile is a newer one than now (a rename: a new
# inode)
rewritten() {
	f0=$(ls -i $LIVE 2>/dev/null) j=0
	while [ "$(ls -i $LIVE 2>/dev/null)" = "$f0" ]; do
		j=$((j + 1))
		[ $j -gt 1200 ] && return 1
		sleep 0.1
	done
}
# wait_scraped: until a scrape has read the maps after now.  The count
# goes up under the same lock as the scrape's read; a textfile written
# after a rewrite that came after now was read after now, and a scrape
# counted beyond it read the maps later still.  3,000 polls: a deadline
# for a hang, not a speed limit; after one miss the others do not wait.
wait_scraped() {
	[ -z "${noscrape:-}" ] || return 1
	rewritten && rewritten || { noscrape=1; return 1; }
	c0=$(scrapes) j=0
	while [ "$(scrapes)" -le "${c0:-0}" ]; do
		j=$((j + 1))
		[ $j -gt 3000 ] && { noscrape=1; return 1; }
		sleep 0.1
	done
}

ksnap /tmp/k0
echo "@@export-ready@@"
wait_scraped || diag "no scrape of the initial counters"

# The workload: per filesystem write+evict (puts), read (gets, hits),
# evict into a small store and read again (hits and misses), delete one
# file (invalidates).  After each phase, a scrape: each new series is
# scraped before the increases that rate() must see.
for fs in /mnt/ext4 /mnt/btrfs; do
	make_file $fs/a $N
	wait_scraped || diag "$fs: no scrape after the writes"
	cat $fs/a >/dev/null
	wait_scraped || diag "$fs: no scrape after the first read"
	# A store of N/4 pages: the next re-read has hits and misses
	cap=$(cat /sys/module/tmem_local/parameters/max_size)
	echo $((N / 4 * PAGE)) >/sys/module/tmem_local/parameters/max_size
	echo 1 >/proc/sys/vm/drop_caches
	wait_scraped || diag "$fs: no scrape after the eviction"
	cat $fs/a >/dev/null
	echo "$cap" >/sys/module/tmem_local/parameters/max_size
	make_file $fs/b $((N / 2))
	rm $fs/b
	sync
	wait_scraped || diag "$fs: no scrape after the re-read"
done
ksnap /tmp/k1
line="@@kdelta"
for f in puts puts_refused succ_gets failed_gets invalidates inode_invalidates; do
	line="$line $f=$(kdelta /tmp/k0 /tmp/k1 $f)"
done
echo "$line@@"
# Prometheus holds the final counts before the host compares them
wait_scraped || diag "no scrape after the workload"
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

# pv FILE NAME LABELS: the value of sample NAME{LABELS} in FILE
pv() {
	awk -v h="$2{$3}" 'index($0, h " ") == 1 { print $2; found = 1 }
		END { if (!found) print "none" }' "$1"
}
# near A B TOL: |A - B| <= TOL (0: true)
near() {
	awk -v a="$1" -v b="$2" -v t="$3" \
		'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "none" && d <= t) }'
}

rm -f /mnt/ext4/a /mnt/btrfs/a
for fs in /mnt/ext4 /mnt/btrfs; do
	dd if=/dev/urandom of=$fs/c bs=$PAGE count=$M oflag=direct 2>/dev/null
done
sync
echo 1 >/proc/sys/vm/drop_caches
cap=$(cat /sys/module/tmem_local/parameters/max_size)
# one page, then M/2 pages: the store starts empty, and small
echo $PAGE >/sys/module/tmem_local/parameters/max_size
echo $((M / 2 * PAGE)) >/sys/module/tmem_local/parameters/max_size
ev0=$(cat $DBG/tmem_local/evictions)
st0=$(cat $DBG/tmem_local/stored_pages)	# at most the one page left
P=/tmp/analyze.prom
$CC export --analyze --prom-file $P 1 2>/tmp/analyze.err &
apid=$!
wait_for $P '^ccstat_analyze_sample_rate '
ok $? "export --analyze --prom-file writes the analysis series"
# sectors DEVNODE: sectors read from the whole device so far
sectors() {
	awk -v d="${1#/dev/}" '$3 == d { print $6 }' /proc/diskstats
}
ksnap /tmp/a0
for fs in /mnt/ext4 /mnt/btrfs; do
	node=$(awk -v m="$fs" '$2 == m { print $1 }' /proc/mounts)
	s0=$(sectors $node)
	cat $fs/c >/dev/null
	s1=$(sectors $node)
	echo 1 >/proc/sys/vm/drop_caches
	s2=$(sectors $node)
	cat $fs/c >/dev/null
	s3=$(sectors $node)
	echo "$((s1 - s0)) $((s3 - s2))" >/tmp/reads.${fs#/mnt/}
	# gone before the next filesystem's drop_caches can put it again
	rm $fs/c
done
ksnap /tmp/a1
ev1=$(cat $DBG/tmem_local/evictions)
# the exporter writes the file once more at exit: it has every event
kill -TERM $apid
wait $apid
is "$?" 0 "export --analyze exits 0 on SIGTERM"
ok $([ -s /tmp/analyze.err ] && echo 1 || echo 0) "export --analyze printed no errors"
[ -s /tmp/analyze.err ] && diag "$(cat /tmp/analyze.err)"
echo "$cap" >/sys/module/tmem_local/parameters/max_size

hits=$(kdelta /tmp/a0 /tmp/a1 succ_gets)
gets=$((hits + $(kdelta /tmp/a0 /tmp/a1 failed_gets)))
diag "kernel: $gets gets, $hits hits, $(kdelta /tmp/a0 /tmp/a1 puts) puts, $((ev1 - ev0)) evictions, $st0 pages stored before"
evsum=0
for fs in /mnt/ext4 /mnt/btrfs; do
	src=$(awk -v d=$fs '$5 == d { for (i = 7; i < NF; i++)
		if ($i == "-") { print $(i + 2); exit } }' /proc/self/mountinfo)
	L="device=\"$src\",fstype=\"${fs#/mnt/}\",mountpoint=\"$fs\""
	v() { pv $P "$1" "$L${2:+,$2}"; }
	fh=$(v ccstat_gets_total 'result="hit"')
	fg=$(($(v ccstat_gets_total 'result="hit"') + $(v ccstat_gets_total 'result="miss"')))
	diag "$fs: $(grep "^ccstat_analyze_misses_total{$L" $P | sed 's/.*cause=//' | tr '\n' ' ')"
	is "$fh:$fg" "$((M / 2)):$((2 * M))" "$fs: M/2 hits of 2M gets"
	is "$(v ccstat_analyze_sampled_gets_total)" $((2 * M)) "$fs: every get sampled at rate 1"
	ok $(near "$(v ccstat_analyze_misses_total 'cause="cold"')" $M 1; echo $?) \
		"$fs: M first reads are cold misses"
	ok $(near "$(v ccstat_analyze_misses_total 'cause="evicted"')" $((M / 2)) 1; echo $?) \
		"$fs: M/2 re-read misses were evicted"
	ok $(near "$(v ccstat_analyze_evictions_total 'reason="capacity"')" $((M / 2)) 0; echo $?) \
		"$fs: the store evicted M/2 pages for capacity"
	# the disk's view: the re-read read fewer sectors than the cold
	# read, by what the hits saved (metadata reads cancel out, within 2 %)
	read cold warm </tmp/reads.${fs#/mnt/}
	sb=$(v ccstat_analyze_saved_bytes_total)
	diag "$fs: cold read $cold sectors, re-read $warm sectors, saved $sb bytes"
	ok $(near "$sb" $(((cold - warm) * 512)) "$(awk -v s="$sb" 'BEGIN { print s * 0.02 }')"; echo $?) \
		"$fs: saved bytes = the sectors the re-read did not read, within 2 %"
	# the hits were 1..M/2 puts away, the evicted misses M/2+1..M
	is "$(v ccstat_analyze_reuse_distance_puts_bucket "le=\"$((M / 2))\"")" $((M / 2)) \
		"$fs: M/2 gets within a store of M/2 pages"
	is "$(v ccstat_analyze_reuse_distance_puts_bucket "le=\"$M\""):$(v ccstat_analyze_reuse_distance_puts_count)" "$M:$M" \
		"$fs: M gets within M pages, and M with a distance (_count)"
	# the store's size, M/2 pages: M/2 hits of 2M gets, as measured
	pr=$(v ccstat_analyze_predicted_hit_ratio 'factor="1"')
	ok $(near "$pr" "$(awk -v h=$fh -v g=$fg 'BEGIN { print h / g }')" 0.05; echo $?) \
		"$fs: predicted hit ratio at the store's size $pr = measured $fh/$fg within 0.05"
	ok $(near "$(v ccstat_analyze_predicted_hit_ratio 'factor="2"')" 0.5 0.05; echo $?) \
		"$fs: at twice the size every re-read would hit (0.5)"
	ok $(awk -v s="$(v ccstat_analyze_saved_disk_seconds_total)" 'BEGIN { exit !(s != "none" && s > 0) }'; echo $?) \
		"$fs: saved disk time known and > 0 ($(v ccstat_analyze_saved_disk_seconds_total) s)"
	evsum=$((evsum + $(v ccstat_analyze_evictions_total 'reason="capacity"')))
done
# the store first evicts the pages it held before (put before the
# analyzer started: no filesystem to count them for)
is "$evsum" $((ev1 - ev0 - st0)) "capacity evictions = the store's own count, less the $st0 pages it held before"
# The analyzer times puts and gets when the frontend's functions are in
# the kernel's BTF (fentry/fexit): decided from the kernel, then asserted
if grep -q __cleancache_get_folio /sys/kernel/btf/vmlinux 2>/dev/null &&
   grep -q __cleancache_put_folio /sys/kernel/btf/vmlinux 2>/dev/null; then
	is "$(pv $P ccstat_analyze_op_latency_seconds_count 'op="get"')" "$gets" \
		"get latency histogram counts every get"
else
	skip "__cleancache_get_folio/__cleancache_put_folio not in the kernel's BTF: no latency"
fi
done_testing
