# tests/xen/lib.sh: the host side of a suite that boots Xen guests
# (bash; sourced from the repository's root).  The caller sets work (a
# directory for the consoles) and rc (0; set to 1 by any failure).

# boot NAME SCRIPT [FILE...]: one guest; its console is kept in NAME.log
boot() {
	local name=$1 t0=$SECONDS
	shift
	echo "# ---- $name ----"
	tests/vm/run "$@" 2>&1 | tee "$work/$name.log"
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	echo "# $name: $((SECONDS - t0)) s"
}

# The host's own results, printed as one stream after the boots'
# streams (a result between two boots would land in the first's stream)
host=()
# result RC DESC: one host result
result() {
	if [ "$1" = 0 ]; then
		host+=("ok $((${#host[@]} + 1)) - $2")
	else
		host+=("not ok $((${#host[@]} + 1)) - $2")
		rc=1
	fi
}

# console NAME PATTERN DESC: the boot's console shows PATTERN
console() {
	grep -aqE "$2" "$work/$1.log"
	result $? "$3"
}

# host_stream TITLE N: the host's results as one TAP stream of plan N
host_stream() {
	echo "# ---- $1 ----"
	echo "TAP version 13"
	echo "1..$2"
	printf '%s\n' "${host[@]}"
}
