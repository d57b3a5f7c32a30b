# tests/guest/ccstat_lib.sh: helpers shared by the ccstat_*.sh guest tests.
# Sourced after tap.sh.  Pass it, tap.sh and tools/ccstat-static as FILEs:
#   tests/vm/run tests/guest/ccstat_counts.sh tests/lib/tap.sh \
#       tests/guest/ccstat_lib.sh tools/ccstat-static

CC=./ccstat-static
DBG=/sys/kernel/debug/cleancache
PAGE=4096

require_cleancache() {
	[ -x "$CC" ] || bail_out "ccstat-static not passed as a FILE"
	[ -r "$DBG/puts" ] || bail_out "no $DBG: not the cleancache kernel"
}

# debug_kernel: lockdep is built in (make test-debug's kernel): every
# spinlock carries a lockdep map, and KASAN slows every event
debug_kernel() {
	[ -e /proc/lockdep ]
}

# devof DIR: MAJ:MIN of the filesystem mounted at DIR
devof() {
	awk -v d="$1" '$5 == d { print $3; exit }' /proc/self/mountinfo
}

# kstat NAME: a global debugfs counter
kstat() {
	cat "$DBG/$1"
}

# kpool DEV COLUMN: a column of the debugfs pools row of device DEV
# (columns: pool dev fstype shared puts puts_refused succ_gets
#  failed_gets invalidates inode_invalidates)
kpool() {
	awk -v d="$1" -v c="$2" 'NR > 1 && $2 == d { print $c; exit }' "$DBG/pools"
}

# ksnap FILE: every global counter, "name value" per line
ksnap() {
	for f in puts puts_refused succ_gets failed_gets invalidates \
		inode_invalidates fs_invalidates pools_created; do
		echo "$f $(kstat $f)"
	done >"$1"
}

# kdelta A B NAME: B's value of NAME minus A's
kdelta() {
	echo $(( $(awk -v n="$3" '$1 == n { print $2 }' "$2") - \
		 $(awk -v n="$3" '$1 == n { print $2 }' "$1") ))
}

# jnum OBJ KEY: the number after "KEY": in a flat JSON object
jnum() {
	echo "$1" | sed -n 's/.*"'"$2"'":\(-\{0,1\}[0-9][0-9]*\).*/\1/p'
}

# jtotal JSON: the flat "total" object of a ccstat JSON line
jtotal() {
	echo "$1" | sed -n 's/.*"total":{\([^}]*\)}.*/{\1}/p'
}

# jrow JSON ARRAY MATCH: the flat object of ARRAY that contains MATCH
jrow() {
	echo "$1" | sed -n 's/.*"'"$2"'":\[\([^]]*\)\].*/\1/p' |
		sed 's/},{/}|{/g' | tr '|' '\n' | grep -F -- "$3" | head -n 1
}

# make_file PATH PAGES: write PAGES pages of data, then evict them all
# (the clean pages go to cleancache)
make_file() {
	dd if=/dev/urandom of="$1" bs=$PAGE count="$2" 2>/dev/null
	sync
	# 1, not 3: evicting the inode would invalidate its cleancache pages
	echo 1 >/proc/sys/vm/drop_caches
}

# wait_for FILE PATTERN: until FILE has a line matching PATTERN (120 s: a
# deadline for a hang, not a speed limit; attaching under TCG on a loaded
# host can take seconds)
wait_for() {
	i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 1200 ] && return 1
		sleep 0.1
	done
	return 0
}

# json_valid DESC FILE...: every line of each FILE is a ccstat JSON record
# that matches the schema of its type (tests/json/ccstat-records.json,
# built into ccstat-jsoncheck: pass build/guest/ccstat-jsoncheck as a FILE)
json_valid() {
	_jd=$1
	shift
	if [ ! -x ./ccstat-jsoncheck ]; then
		skip "$_jd: JSON matches its schema" "ccstat-jsoncheck not passed as a FILE"
		return 0
	fi
	_jo=$(./ccstat-jsoncheck "$@")
	ok $? "$_jd: JSON matches its schema" || echo "$_jo" | head -n 20 | sed 's/^/# /'
}
