#!/bin/sh
# jsoncheck.sh: the schema checker of ccstat's JSON (tests/json/), on the
# host: the example of every record type and what ccstat prints without
# BPF (version, plain and --pretty) pass; each kind of wrong record is
# caught with its path; then ccstat-plot -s reads the curve points of an
# analyze record instead of recomputing them.  TAP.
#   tests/unit/jsoncheck.sh build/unit/ccstat-jsoncheck tools/ccstat
JC=${1:-build/unit/ccstat-jsoncheck}
CC=${2:-tools/ccstat}
here=$(cd "$(dirname "$0")" && pwd)
EX=$here/../json/examples.json
PLOT=$here/../../tools/ccstat-plot
. "$here/../lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

plan 31

out=$("$JC" "$EX")
ok $? "every example record validates ($out)"
is "$(sed -n 's/^{"type":"\([a-z_]*\)".*/\1/p' "$EX" | sort -u | tr '\n' ' ')" \
   "analyze checks event lost run stat top trace_summary version " \
   "the examples hold one record of every type the schema knows"
is "$(awk '/"records": \{/ { r = 1; next } /"definitions": \{/ { r = 0 } r && /^    "[a-z_]*": \{$/ { gsub(/[" :{]/, ""); print }' \
      "$here/../json/ccstat-records.json" | sort | tr '\n' ' ')" \
   "analyze checks event lost run stat top trace_summary version " \
   "the schema has a record for each of them"
"$CC" --version -j >"$tmp/v.json" && "$JC" "$tmp/v.json" >/dev/null
ok $? "ccstat --version -j validates"
"$CC" --version --pretty >"$tmp/vp.json" && [ "$(wc -l <"$tmp/vp.json")" -gt 1 ] &&
	"$JC" -p "$tmp/vp.json" >/dev/null
ok $? "ccstat --version --pretty: indented, and validates as pretty output"

# bad NAME LINE WANT: LINE is refused with a message containing WANT
bad() {
	printf '%s\n' "$2" >"$tmp/bad.json"
	got=$("$JC" "$tmp/bad.json")
	rc=$?
	case "$rc:$got" in
	1:*"$3"*) ok 0 "refused: $1" ;;
	*) ok 1 "refused: $1"; diag "rc $rc: $got" ;;
	esac
}
V='"type":"version"'
bad "an unknown key" "{$V,\"version\":\"1\",\"extra\":1}" '$.extra: unknown key'
bad "a missing key" "{$V}" 'missing key "version"'
bad "a number where a string belongs" "{$V,\"version\":1}" '$.version: uint where string belongs'
bad "an unknown record type" '{"type":"frob"}' 'no schema for records of type "frob"'
bad "a record without type" '{"version":"1"}' 'no "type" string'
bad "a record that is not an object" '[1]' 'a record must be an object'
bad "a negative count" '{"type":"lost","events_lost":-1}' '$.events_lost: integer where uint belongs'
bad "a fraction where an integer belongs" '{"type":"lost","events_lost":1.5}' '$.events_lost: number where uint belongs'
bad "a u64 above 2^64 - 1" '{"type":"lost","events_lost":18446744073709551616}' 'where uint belongs'
bad "a string not in the enum" '{"type":"top","time":1,"interval_s":1,"sort":"size","filesystems":[],"inodes":[],"tasks":[],"cost":{"bpf_run_time_ns":0,"bpf_run_count":0,"bpf_ns_per_run":0,"events_lost":0,"fs_map_full":0,"inode_map_full":0,"workload_map_full":0}}' '$.sort: "size" not among'
bad "a nested row with a wrong key (pages_stored)" "$(sed -n 2p "$EX" | sed 's/"bytes_stored"/"pages_stored"/')" '$.filesystems[0]: matches none of its 2 forms'
bad "analyze with the old dev key" "$(sed -n '$p' "$EX" | sed 's/"device"/"dev"/')" '$.filesystems[0].dev: unknown key'
bad "raw invalid UTF-8" "$(printf '{"type":"version","version":"\377"}')" 'invalid UTF-8'
bad "a raw control character" "$(printf '{"type":"version","version":"a\tb"}')" 'raw control character'
bad "a duplicate key" "{$V,$V,\"version\":\"1\"}" 'duplicate key'
bad "a lone surrogate" "{$V,\"version\":\"\\ud800\"}" 'lone high surrogate'
bad "two values on a line" "{$V,\"version\":\"1\"} {}" 'more than one value'
bad "a cut record" "{$V,\"version\":" 'not JSON'
bad "a NaN" '{"type":"stat","time":NaN}' 'not JSON'
printf '' >"$tmp/empty.json"
"$JC" "$tmp/empty.json" >/dev/null
is $? 1 "an empty file is refused: ccstat printed nothing"
printf '{"type":"version","version":"1"}' >"$tmp/nonl.json"
"$JC" "$tmp/nonl.json" >/dev/null
is $? 1 "a record without its newline is refused"

# ccstat-plot -s draws the points analyze printed.  The example's curve
# has the step that the hits without a distance add at the store's size
# (24 MiB): no reading of the reuse distances alone gives it.
pts=$("$PLOT" -s -p "$EX" | grep '^/mnt/ext4 ' | tr '\n' ';')
is "$pts" "/mnt/ext4 16.000000 0.0000;/mnt/ext4 20.000000 37.5000;/mnt/ext4 23.996094 37.5000;/mnt/ext4 24.000000 45.8333;/mnt/ext4 40.000000 45.8333;/mnt/ext4 48.000000 70.8333;" \
   "ccstat-plot -s: the curve's points as analyze printed them"
is "$("$PLOT" -s -p "$EX" | grep -c '^total ')" 2 "ccstat-plot -s: the total's curve too"
sed -n '$p' "$EX" | sed 's/"mountpoint":"\/mnt\/ext4"/"mountpoint":null/' >"$tmp/nomnt.json"
is "$("$PLOT" -s -p "$tmp/nomnt.json" | grep -c '^254:0 ')" 6 "ccstat-plot -s: a filesystem without mountpoint is named by its device"
echo '{"type":"stat"}' | "$PLOT" -s -p 2>"$tmp/err" >/dev/null
rc=$?
[ $rc != 0 ] && grep -q 'no ccstat analyze -j line' "$tmp/err"
ok $? "ccstat-plot -s: input without an analyze report is one clear error"
if command -v gnuplot >/dev/null; then
	"$PLOT" -s -o "$tmp/z.svg" "$EX" && grep -q '<svg' "$tmp/z.svg" &&
		grep -q '/mnt/ext4' "$tmp/z.svg" && grep -q 'store now' "$tmp/z.svg"
	ok $? "ccstat-plot -s: SVG with a curve per filesystem and the store's size marked"
else
	skip "ccstat-plot -s: SVG" "no gnuplot on this host"
fi
done_testing
