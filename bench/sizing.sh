#!/bin/sh
# Benchmark (in the VM), for `ccstat analyze`:
#  - the sizing curve: the test's two-distance read pattern run at store
#    sizes C, 2C and 4C on ext4 and btrfs; the hit ratio predicted from
#    the run at C next to the one measured at each size
#  - the tracking's cost: BPF run time per program run under
#    `ccstat analyze` next to `ccstat run -a` (what stat and top load), on
#    the same cleancache-bound workload (re-read a file from cleancache)
. ./tap.sh
. ./ccstat_lib.sh
ANALYZE_LIB=1 . ./ccstat_analyze.sh

for m in /mnt/ext4 /mnt/btrfs; do
	check_sizing $m >/dev/null
done
cat /tmp/an.bench

f=/mnt/ext4/an.cost n=8192 rounds=${ROUNDS:-5}
direct $f $n
cat $f >/dev/null
W="i=0; while [ \$i -lt $rounds ]; do echo 1 >/proc/sys/vm/drop_caches; cat $f >/dev/null; i=\$((i + 1)); done"
for pass in 1 2 3; do
	$CC -j --bpf-stats run -a -- sh -c "$W" 2>/tmp/run.json >/dev/null
	$CC -j --bpf-stats analyze -- sh -c "$W" 2>/tmp/an.json >/dev/null
	s=$(grep -o '"bpf_ns_per_run":[0-9]*' /tmp/run.json | cut -d: -f2)
	a=$(grep -o '"bpf_ns_per_event":[0-9.]*' /tmp/an.json | cut -d: -f2)
	awk -v s="$s" -v a="$a" -v p=$pass 'BEGIN {
		printf "bench analyze_cost pass=%d stat_ns_per_event=%.0f analyze_ns_per_event=%.0f ratio=%.2f\n", p, s, a, s ? a / s : 0
	}'
done
