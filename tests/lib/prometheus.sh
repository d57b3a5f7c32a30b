# tests/lib/prometheus.sh: a throwaway Prometheus server on loopback for
# the host-side tests (bash; sourced).  prom_start sets PROM_URL and
# PROM_PID; prom_stop ends it and removes its data.

# free_port: an unused TCP port on 127.0.0.1
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# prom_start TARGET [RULES]: scrape TARGET (HOST:PORT, job "ccstat") every
# PROM_SCRAPE_INTERVAL (default 1s), each scrape allowed as long (an
# exporter in a TCG guest may need seconds: tests that compare exact
# counts raise it); waits until the server is ready (30 s)
prom_start() {
	local target=$1 rules=${2:-} port i
	local every=${PROM_SCRAPE_INTERVAL:-1s}
	PROM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ccstat-prom.XXXXXX")
	port=$(free_port)
	{
		echo "global: {scrape_interval: $every, evaluation_interval: 1s}"
		[ -n "$rules" ] && echo "rule_files: ['$rules']"
		echo "scrape_configs:"
		echo "  - job_name: ccstat"
		echo "    scrape_timeout: $every"
		echo "    static_configs: [{targets: ['$target']}]"
	} >"$PROM_DIR/prometheus.yml"
	prometheus --config.file="$PROM_DIR/prometheus.yml" \
		--storage.tsdb.path="$PROM_DIR/data" \
		--web.listen-address="127.0.0.1:$port" \
		>"$PROM_DIR/log" 2>&1 &
	PROM_PID=$!
	PROM_URL=http://127.0.0.1:$port
	for i in $(seq 300); do
		curl -sf "$PROM_URL/-/ready" >/dev/null 2>&1 && return 0
		kill -0 "$PROM_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# prometheus did not start:"; sed 's/^/# /' "$PROM_DIR/log" | tail -5
	return 1
}

prom_stop() {
	if [ -n "${PROM_PID:-}" ]; then
		kill "$PROM_PID" 2>/dev/null
		wait "$PROM_PID" 2>/dev/null
	fi
	[ -n "${PROM_DIR:-}" ] && rm -rf "$PROM_DIR"
	PROM_PID='' PROM_DIR=''
}

# prom_value EXPR [TIME]: the first sample's value of an instant query
prom_value() {
	curl -sf "$PROM_URL/api/v1/query" --data-urlencode "query=$1" \
		${2:+--data-urlencode "time=$2"} |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'
}

# t_ok RC DESC: one TAP result line, numbered; failures counted in $failed
n=0 failed=0
t_ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
