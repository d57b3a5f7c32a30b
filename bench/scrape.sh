#!/usr/bin/env bash
# Benchmark (on the host, no BPF): exporter scrape time with 10,000
# inodes in the top-K set, 4 series each (--synthetic serves fake inodes
# through the same collect, render and HTTP path).  Prints the median of 10 scrapes over HTTP, the render
# time the exporter reports, and its RSS; never asserts.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$root/tools/ccstat" export --synthetic 10000 --top-inodes 10000 \
	--listen "127.0.0.1:$port" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
times=()
for _ in $(seq 10); do
	sleep 0.3	# past the 250 ms reuse window: a real collection each
	times+=("$(curl -s -o /tmp/ccstat-scrape.$$ -w '%{time_total}' "http://127.0.0.1:$port/metrics")")
done
samples=$(grep -vc '^#' /tmp/ccstat-scrape.$$)
render=$(sed -n 's/^ccstat_scrape_duration_seconds \(.*\)/\1/p' /tmp/ccstat-scrape.$$)
rm -f /tmp/ccstat-scrape.$$
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 5p)
echo "bench scrape inodes=10000 samples=$samples median_http_s=$median render_s=$render rss_kb=$(awk '/VmRSS/ { print $2 }' /proc/$pid/status)"
