#!/bin/sh
# ccstat_analyze.sh: `ccstat analyze` against workloads whose answers are
# known, on ext4 and on btrfs.
#   tests/vm/run tests/guest/ccstat_analyze.sh tests/lib/tap.sh \
#       tests/guest/ccstat_lib.sh tools/ccstat-static build/guest/ccio
#
# - causes: first reads miss as cold; reads after truncate-and-rewrite
#   miss as invalidated; with the store refusing (no free memory for it,
#   nothing to evict) re-reads miss as refused; a cyclic scan larger than
#   the store misses as evicted.
# - sizing: a read pattern with two reuse distances (file A read twice as
#   often as B and C, through a cgroup with 8 MiB of page cache) runs at
#   store sizes C, 2C and 4C; the curve ccstat predicts from the run at C
#   must match the hit ratio measured at each size within 5 points.
# - saved reads: the sectors ccstat says the hits saved are those the
#   disk did not read (/proc/diskstats, a cold read against a re-read
#   that partly hits), within 2 %.
. ./tap.sh
. ./ccstat_lib.sh
require_cleancache
[ -x ./ccio ] || bail_out "ccio not passed as a FILE"

PARAM=/sys/module/tmem_local/parameters
CG=/sys/fs/cgroup/ccstat-analyze
OUT=/tmp/analyze.json
cap0=$(cat $PARAM/max_size)
minfree0=$(cat $PARAM/min_free)

echo +memory >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p $CG
echo 8M >$CG/memory.max

# analyze DEV SCRIPT: run SCRIPT under `ccstat analyze -j --dev DEV`; the
# report (one JSON line, on stderr like perf stat's) goes to $OUT, and is
# kept for the schema check
analyze() {
	$CC -j analyze --dev "$1" -- sh -c "$2" 2>$OUT >/dev/null
	set -- $?
	cat $OUT >>/tmp/analyze.all.json
	return $1
}

# tot KEY: a number of the report's "total" object (its first KEY)
tot() {
	sed -n 's/.*"total":{\(.*\)/\1/p' $OUT | tr ',{}[]' '\n\n\n\n\n' |
		sed -n 's/^"'"$1"'":\(-\{0,1\}[0-9.][0-9.]*\)$/\1/p' | head -n 1
}

# cause NAME: misses of that cause in the total
cause() {
	sed -n 's/.*"total":{.*"misses_by_cause":{\([^}]*\)}.*/\1/p' $OUT |
		sed -n 's/.*"'"$1"'":\([0-9.]*\).*/\1/p'
}

# evicted REASON: the total's store evictions for that reason
evicted() {
	sed -n 's/.*"total":{.*"evictions":{\([^}]*\)}.*/\1/p' $OUT |
		tr ',' '\n' | sed -n 's/^"'"$1"'":\([0-9]*\)$/\1/p'
}

# predicted FACTOR: the total's predicted hit ratio at FACTOR x the store
predicted() {
	sed -n 's/.*"total":{\(.*\)/\1/p' $OUT |
		sed -n 's/.*"factor":'"$1"',"size_bytes":[0-9]*,"predicted_hit_pct":\([0-9.]*\).*/\1/p' |
		head -n 1
}

# within A B TOL: |A - B| <= TOL (decimals allowed)
within() {
	awk -v a="$1" -v b="$2" -v t="$3" \
		'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'
}

# direct FILE PAGES: write PAGES random pages with O_DIRECT (no page
# cache, so nothing is put and the first read is a cold one).  btrfs
# falls back to buffered writes for files with data checksums (and then
# evicts the pages, which puts them): its files are NOCOW.
direct() {
	rm -f "$1"
	# (the test's files sit at the top of their mount)
	if [ "$(awk -v m="${1%/*}" '$2 == m { print $3 }' /proc/mounts)" = btrfs ]; then
		./ccio nocow "$1" || return 1
	fi
	dd if=/dev/urandom of="$1" bs=$PAGE count="$2" oflag=direct conv=notrunc 2>/dev/null
}

set_cap() {	# BYTES
	echo "$1" >$PARAM/max_size
}

stored() {
	cat $DBG/tmem_local/stored_pages
}

# sectors DEVNODE: sectors read from the whole device so far
sectors() {
	awk -v d="${1#/dev/}" '$3 == d { print $6 }' /proc/diskstats
}

check_causes() {	# MOUNT
	mnt=$1 dev=$(devof "$1") f=$1/an.causes n=512
	rm -f "$f"
	direct "$f" $n
	analyze "$dev" "cat $f >/dev/null"
	is "$(tot misses)" $n "$mnt: $n first reads miss"
	is "$(cause cold)" $n "$mnt: and every miss is cold"

	# put (tracked), truncate, rewrite, read: the copies were flushed
	analyze "$dev" "echo 1 >/proc/sys/vm/drop_caches; truncate -s 0 $f;
		dd if=/dev/urandom of=$f bs=$PAGE count=$n oflag=direct conv=notrunc 2>/dev/null;
		cat $f >/dev/null"
	is "$(tot puts)" $n "$mnt: $n pages put before the truncate"
	is "$(cause invalidated)" $n "$mnt: reads after truncate and rewrite miss as invalidated"
	is "$(tot hits)" 0 "$mnt: and none hits"

	# refused: nothing in the store to reuse and no free memory for it
	rm -rf /mnt/ext4/an.* /mnt/btrfs/an.*
	sync
	is "$(stored)" 0 "$mnt: the store is empty once the files are gone"
	direct "$f" $n
	echo 64G >$PARAM/min_free
	analyze "$dev" "cat $f >/dev/null; echo 1 >/proc/sys/vm/drop_caches; cat $f >/dev/null"
	echo "$minfree0" >$PARAM/min_free
	is "$(tot puts_refused)" $n "$mnt: with no memory to spare every put is refused"
	is "$(cause refused)" $n "$mnt: and the re-reads miss as refused"
	is "$(cause cold)" $n "$mnt: after as many cold first reads"
	rm -f "$f"
}

# The sizing workload: three 12 MiB files, read A B A C twice through
# the cgroup; A comes back after about 2 x 12 MiB - 8 MiB of puts, B and
# C after about 4 x 12 MiB - 8 MiB.
NF=3072
SIZING='echo $$ >'$CG'/cgroup.procs
for i in 1 2; do for x in A B A C; do cat $D/an.$x >/dev/null; done; done'

# bdi MOUNT: the read_ahead_kb file of the filesystem's backing device
bdi() {
	if [ "$(awk -v m="$1" '$2 == m { print $3 }' /proc/mounts)" = btrfs ]; then
		src=$(awk -v m="$1" '$2 == m { print $1 }' /proc/mounts)
		for d in /sys/fs/btrfs/*/devices/"${src#/dev/}"; do
			echo "${d%/devices/*}/bdi/read_ahead_kb"
		done
	else
		echo "/sys/class/bdi/$(devof "$1")/read_ahead_kb"
	fi
}

sizing_run() {	# MOUNT CAP_PAGES
	rm -f "$1"/an.[ABC]
	for x in A B C; do direct "$1/an.$x" $NF; done
	set_cap $(($2 * PAGE))
	D=$1 analyze "$(devof "$1")" "D=$1; $SIZING"
}

check_sizing() {	# MOUNT
	mnt=$1 c=$NF
	gets=$((NF * 8)) cold=$((NF * 3))
	# btrfs reads ahead 4 MiB at a time: in an 8 MiB cgroup that evicts
	# pages before they are read, and the re-reads muddle the distances
	ra=$(bdi "$mnt") ra0=$(cat "$ra")
	echo 128 >"$ra"

	# a second analyzer follows a quarter of the keys of the same run
	$CC -j analyze --sample 0.25 --dev "$(devof "$mnt")" >/tmp/an.q 2>/tmp/an.q.err &
	q=$!
	wait_for /tmp/an.q.err Tracing
	sizing_run "$mnt" $c
	kill -INT $q
	wait $q
	cat /tmp/an.q >>/tmp/analyze.all.json
	cp $OUT /tmp/an.run1
	got=$(tot gets)
	within "$got" $gets $((gets / 100))
	ok $? "$mnt: the pattern makes about $gets gets ($got; pages still cached need none)"
	is "$(cause cold)" $cold "$mnt: the first read of each file is cold ($cold)"
	within "$(cause evicted)" $(($(tot misses) - cold)) 0
	ok $? "$mnt: at a store smaller than both distances every other miss is evicted"
	[ "$(evicted silent)" = 0 ] && [ "$(evicted capacity)" -ge "$(cause evicted)" ]
	ok $? "$mnt: each one named by the store's cleancache_evict (capacity $(evicted capacity), silent $(evicted silent))"
	p1=$(predicted 1) p2=$(predicted 2) p4=$(predicted 4)
	m1=$(tot measured_hit_pct)
	diag "$mnt: predicted from C=$((c / 256)) MiB: 1x $p1%, 2x $p2%, 4x $p4%"
	diag "$(sed -n 's/.*"total":{.*\("reuse_distance":\[[^]]*\]\).*/\1/p' $OUT)"

	sizing_run "$mnt" $((2 * c))
	m2=$(tot measured_hit_pct)
	sizing_run "$mnt" $((4 * c))
	m4=$(tot measured_hit_pct)
	diag "$mnt: measured: 1x $m1%, 2x $m2%, 4x $m4%"
	# the quarter sample: its own prediction and tracked share
	OUT=/tmp/an.q
	q2=$(predicted 2) q4=$(predicted 4) share=$(tot tracked_share)
	OUT=/tmp/analyze.json
	diag "$mnt: with --sample 0.25: tracked $share of gets; predicted 2x $q2%, 4x $q4%"
	within "$share" 0.25 0.03
	ok $? "$mnt: --sample 0.25 tracks about a quarter of the gets ($share)"
	within "$q2" "$m2" 5 && within "$q4" "$m4" 5
	ok $? "$mnt: and its predictions at 2C and 4C are within 5 points too ($q2%, $q4%)"
	within "$p1" "$m1" 5
	ok $? "$mnt: prediction at C ($p1%) is within 5 points of the measured $m1%"
	within "$p2" "$m2" 5
	ok $? "$mnt: prediction at 2C ($p2%) is within 5 points of the measured $m2%"
	within "$p4" "$m4" 5
	ok $? "$mnt: prediction at 4C ($p4%) is within 5 points of the measured $m4%"
	warm=$(($(tot gets) - cold))
	awk -v h="$(tot hits)" -v w=$warm 'BEGIN { exit !(h >= 0.95 * w) }'
	ok $? "$mnt: with the store above every distance, re-reads hit ($(tot hits) of $warm)"
	fs=$(awk -v m="$mnt" '$2 == m { print $3 }' /proc/mounts)
	for k in 1 2 4; do
		eval "pk=\$p$k mk=\$m$k"
		awk -v fs=$fs -v s=$((k * c / 256)) -v p="$pk" -v m="$mk" 'BEGIN {
			e = p - m; if (e < 0) e = -e
			printf "bench sizing fs=%s size_mib=%d predicted_pct=%.2f measured_pct=%.2f error_pts=%.2f\n", fs, s, p, m, e
		}' >>/tmp/an.bench
	done
	rm -f "$mnt"/an.[ABC]
	set_cap "$cap0"
	echo "$ra0" >"$ra"
}

check_saved() {	# MOUNT
	mnt=$1 dev=$(devof "$1") f=$1/an.saved n=8192
	node=$(awk -v m="$mnt" '$2 == m { print $1 }' /proc/mounts)
	rm -f "$f"
	direct "$f" $n
	set_cap $((n / 2 * PAGE))
	echo 3 >/proc/sys/vm/drop_caches
	s0=$(sectors "$node")
	cat "$f" >/dev/null
	s1=$(sectors "$node")
	analyze "$dev" "echo 1 >/proc/sys/vm/drop_caches
		awk -v d=${node#/dev/} '\$3 == d { print \$6 }' /proc/diskstats >/tmp/s2
		cat $f >/dev/null
		awk -v d=${node#/dev/} '\$3 == d { print \$6 }' /proc/diskstats >/tmp/s3"
	cold=$((s1 - s0)) warm=$(($(cat /tmp/s3) - $(cat /tmp/s2)))
	hits=$(tot hits) saved=$(tot saved_sectors)
	diag "$mnt: cold read $cold sectors, re-read $warm sectors, $hits hits"
	[ "$hits" -gt 0 ] && [ "$hits" -lt $n ]
	ok $? "$mnt: part of the re-read hits ($hits of $n)"
	within $((cold - warm)) "$saved" "$(awk -v s="$saved" 'BEGIN { print s * 0.02 }')"
	ok $? "$mnt: the disk read $((cold - warm)) fewer sectors, within 2 % of the $saved saved"
	disk=$(tot saved_disk_seconds)
	diag "$mnt: saved disk time ${disk:-unknown} s; $(grep -o '"bpf_ns_per_event":[0-9.]*' $OUT)"
	rm -f "$f"
	set_cap "$cap0"
}

# bench/sizing.sh sources this file for its functions only
[ -n "${ANALYZE_LIB:-}" ] && return 0

MOUNTS=${ANALYZE_MOUNTS:-/mnt/ext4 /mnt/btrfs}
plan $((21 * $(echo $MOUNTS | wc -w) + 1))
for m in $MOUNTS; do
	check_causes $m
	check_sizing $m
	check_saved $m
done
json_valid "analyze -j, over a command and over an interval" /tmp/analyze.all.json
[ -f /tmp/an.bench ] && sed 's/^/# /' /tmp/an.bench
done_testing
