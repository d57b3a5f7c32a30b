#!/usr/bin/env bash
# dashboards.sh: the rules pass `promtool check rules` and their unit
# tests; every PromQL expression of the Grafana dashboard parses and runs
# on a real Prometheus scraping a synthetic exporter (no BPF needed; with
# --analyze, so the analysis row has data too), and those the synthetic
# data can feed return data; ccstat-plot turns a
# `stat --csv` file into a PNG and an SVG.  TAP.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. tests/lib/prometheus.sh

exp_pid='' tmp=$(mktemp -d)
cleanup() {
	[ -n "$exp_pid" ] && kill "$exp_pid" 2>/dev/null && wait "$exp_pid" 2>/dev/null
	prom_stop
	rm -rf "$tmp"
}
trap cleanup EXIT

out=$(promtool check rules dashboards/ccstat-rules.yml 2>&1)
t_ok $? "promtool check rules dashboards/ccstat-rules.yml"
echo "$out" | sed 's/^/# /'
out=$(cd dashboards/tests && promtool test rules ccstat-rules.test.yml 2>&1)
t_ok $? "promtool test rules (recording ratio, reuse curve per filesystem, collapse, map-full share of operations without BPF run counts, exporter down)"
echo "$out" | sed 's/^/# /'
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["templating"]["list"][0]["type"] == "datasource"; assert all(p["datasource"]["uid"] == "${datasource}" for p in d["panels"])' dashboards/ccstat.json
t_ok $? "dashboard JSON: valid, datasource is a templated variable"

port=$(free_port)
tools/ccstat export --synthetic 50 --top-inodes 20 --analyze --store-size 64M --listen "127.0.0.1:$port" 2>"$tmp/exp.err" &
exp_pid=$!
prom_start "127.0.0.1:$port" "$root/dashboards/ccstat-rules.yml"
t_ok $? "prometheus on loopback scraping a synthetic exporter"
sleep 4
# pools, bytes stored, the store and the backend come from debugfs: none
# on the host; BPF run time only with --bpf-stats
out=$(dashboards/tests/check-exprs --require-data --retry 10 \
	--skip 'ccstat_pools\b|stored_bytes|ccstat_store_|backend_info|ccstat_bpf_run' "$PROM_URL" dashboards/ccstat.json)
rc=$?
echo "$out" | sed 's/^/# /'
t_ok $rc "every dashboard expression parses and runs ($(echo "$out" | grep -c '^ok') of $(echo "$out" | grep -c '^\(not \)\?ok'))"

# The recorded reuse curve exists for both synthetic filesystems: the
# rule's labels and families are the exporter's (its values are checked
# on fixtures by promtool test rules above).  Rules run every second; the
# first needs two scrapes behind it.
for i in $(seq 30); do
	curves=$(prom_value 'count(instance_device_le:ccstat_analyze_reuse_distance_puts_bucket_per_sampled_gets:ratio_rate5m{le="+Inf"})')
	[ "$curves" = 2 ] && break
	sleep 1
done
t_ok $([ "$curves" = 2 ] && echo 0 || echo 1) \
	"recorded reuse curve on live data, one per filesystem ($curves)"

printf 'time,interval_s,device,fstype,pool,puts,puts_refused,gets,hits,misses,hit_pct,inval_pages,inval_inodes,inval_fs,pages_stored,mountpoint\n' >"$tmp/s.csv"
for i in 0 1 2 3 4; do
	echo "$((1000 + i)).000,1.000,254:0,ext4,0,10,0,100,$((20 * i)),$((100 - 20 * i)),0,0,0,0,,/mnt/ext4" >>"$tmp/s.csv"
	echo "$((1000 + i)).000,1.000,total,,,10,0,100,$((20 * i)),$((100 - 20 * i)),0,0,0,0,," >>"$tmp/s.csv"
done
tools/ccstat-plot -o "$tmp/h.png" "$tmp/s.csv" && file "$tmp/h.png" | grep -q 'PNG image'
t_ok $? "ccstat-plot: CSV to PNG"
tools/ccstat-plot -o "$tmp/h.svg" <"$tmp/s.csv" && grep -q '<svg' "$tmp/h.svg" && grep -q 'ext4\|254:0' "$tmp/h.svg"
t_ok $? "ccstat-plot: CSV on stdin to SVG, one line per device"
echo 'a,b' | tools/ccstat-plot -o "$tmp/x.png" 2>"$tmp/err"; rc=$?
t_ok $([ $rc != 0 ] && grep -q 'failed to read CSV' "$tmp/err" && echo 0 || echo 1) "ccstat-plot: a foreign CSV is one clear error"
# ccstat-plot -s (the sizing curve of `ccstat analyze -j`) is tested with
# the JSON schema's examples: tests/unit/jsoncheck.sh
echo "1..$n"
[ "$failed" = 0 ]
