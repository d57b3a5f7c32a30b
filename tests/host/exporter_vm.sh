#!/usr/bin/env bash
# exporter_vm.sh: a real Prometheus on the host scrapes `ccstat export`
# running in the test VM (through VM_HOSTFWD, loopback only) during a
# workload.  Every PromQL expression of the Grafana dashboard must return
# data, and the hit ratio, hits and gets Prometheus holds must equal the
# kernel's own counters over the workload (printed by the guest).  The
# scrapes come every 5 s with 5 s to answer (a TCG guest is slow); the
# guest waits for a scrape after each phase, and the host for one after
# the workload, so no step depends on the machine's speed.  TAP.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. tests/lib/prometheus.sh
echo "TAP version 13"

hostport=$(free_port)
log=$(mktemp "${TMPDIR:-/tmp}/ccstat-exportvm.XXXXXX")
VM_HOSTFWD="tcp:127.0.0.1:$hostport-:9587" VM_TIMEOUT=${VM_TIMEOUT:-600} \
	tests/vm/run tests/guest/ccstat_export.sh tests/lib/tap.sh \
	tests/guest/ccstat_lib.sh tools/ccstat-static >"$log" 2>&1 &
vm=$!
cleanup() {
	kill "$vm" 2>/dev/null; wait "$vm" 2>/dev/null
	prom_stop
	rm -f "$log"
}
trap cleanup EXIT

# wait_mark MARK SECS: until the guest printed MARK
wait_mark() {
	local i
	for i in $(seq $(($2 * 10))); do
		grep -q -- "$1" "$log" && return 0
		kill -0 "$vm" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

PROM_SCRAPE_INTERVAL=5s prom_start "127.0.0.1:$hostport" "$root/dashboards/ccstat-rules.yml"
t_ok $? "prometheus serves on $PROM_URL, scraping 127.0.0.1:$hostport"
wait_mark @@export-ready@@ 400
t_ok $? "guest exporter ready"
wait_mark @@export-quiet@@ 400
t_ok $? "guest workload done"
# a sample Prometheus scraped after the workload: the final counts
# (a deadline for a hang: the guest keeps serving for HOLD seconds)
quiet=$(date +%s.%N)
for i in $(seq 600); do
	last=$(prom_value 'timestamp(ccstat_build_info{job="ccstat"})')
	[ "$last" != none ] && python3 -c "import sys; sys.exit(not $last > $quiet)" && break
	sleep 0.1
done
up=$(prom_value 'up{job="ccstat"}')
t_ok $([ "$up" = 1 ] && echo 0 || echo 1) "Prometheus scrapes the guest (up=$up)"
scraped=$(prom_value 'count_over_time(up{job="ccstat"}[5m])')
echo "# scrapes so far: $scraped"

# Every expression the dashboard uses returns data (workload in the last
# few minutes: rate windows of 5m see it)
# (BPF run time only with --bpf-stats, which the guest does not give)
tests_out=$(dashboards/tests/check-exprs --require-data --rate-interval 5m \
	--skip 'ccstat_bpf_run' "$PROM_URL" dashboards/ccstat.json)
rc=$?
echo "$tests_out" | sed 's/^/# /'
t_ok $rc "every dashboard expression returns data from the live exporter"

# Prometheus's numbers equal the kernel's over the workload (the exporter
# attached before the first kernel snapshot; nothing else runs)
kd=$(grep -o '@@kdelta[^@]*@@' "$log" | head -n1)
kv() { echo "$kd" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
hits=$(prom_value 'sum(ccstat_gets_total{result="hit"})')
gets=$(prom_value 'sum(ccstat_gets_total)')
puts=$(prom_value 'sum(ccstat_puts_total{result="stored"})')
ratio=$(prom_value 'sum(ccstat_gets_total{result="hit"}) / sum(ccstat_gets_total)')
kratio=$(python3 -c "print($(kv succ_gets) / ($(kv succ_gets) + $(kv failed_gets)))" 2>/dev/null)
echo "# kernel: $kd"
echo "# prometheus: hits=$hits gets=$gets puts=$puts ratio=$ratio kernel ratio=$kratio"
t_ok $([ "$hits" = "$(kv succ_gets)" ] && [ -n "$hits" ] && echo 0 || echo 1) "hits: Prometheus $hits = kernel succ_gets $(kv succ_gets)"
t_ok $([ "$gets" = "$(($(kv succ_gets) + $(kv failed_gets)))" ] && echo 0 || echo 1) "gets: Prometheus $gets = kernel succ_gets + failed_gets"
t_ok $([ "$puts" = "$(kv puts)" ] && echo 0 || echo 1) "puts: Prometheus $puts = kernel puts $(kv puts)"
t_ok $(python3 -c "import sys; sys.exit(0 if abs(float('$ratio') - float('$kratio')) < 1e-9 else 1)" 2>/dev/null; echo $?) \
	"hit ratio: Prometheus $ratio = kernel $kratio"
rec=$(prom_value 'sum(instance_device:ccstat_gets:rate5m) > 0')
t_ok $([ "$rec" != none ] && echo 0 || echo 1) "recording rule instance_device:ccstat_gets:rate5m evaluates on live data ($rec)"
info=$(prom_value 'count(ccstat_pool_info)')
t_ok $([ "$info" = 2 ] && echo 0 || echo 1) "ccstat_pool_info: one per mounted pool ($info)"
nopool=$(prom_value 'count(ccstat_gets_total{pool!=""})')
t_ok $([ "$nopool" = none ] && echo 0 || echo 1) "no pool label on the counters ($nopool)"
cap=$(prom_value 'ccstat_store_capacity_bytes')
t_ok $([ "$cap" != none ] && [ "$cap" != 0 ] && echo 0 || echo 1) "store capacity in bytes ($cap)"
lost=$(prom_value 'count(ccstat_events_lost_total)')
t_ok $([ "$lost" = none ] && echo 0 || echo 1) "no events_lost series: export has no ring buffer"
sd=$(prom_value 'max_over_time(ccstat_scrape_duration_seconds[5m])')
echo "# max scrape duration in the guest: $sd s"

wait "$vm"
vmrc=$?
t_ok $vmrc "guest test exits 0"
echo "1..$n"
# The guest's console, its TAP stream and the kernel's messages, after
# this stream: tests/run-all counts it and scans it for kernel reports
echo "# ---- guest ----"
cat "$log"
[ "$failed" = 0 ]
