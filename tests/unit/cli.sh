#!/bin/sh
# cli.sh: ccstat's command line, without BPF or root: every usage error
# is one "ccstat: failed to ..." line and exit status 2 before anything
# is loaded; --help is per command; -V; options after positional
# arguments; options a command does not take are refused.  TAP.
#   tests/unit/cli.sh tools/ccstat
CC=${1:-tools/ccstat}
. "$(dirname "$0")/../lib/tap.sh"

# usage WANT_PREFIX DESC ARGS...: exit 2, one stderr line, nothing on stdout
usage() {
	want=$1
	desc=$2
	shift 2
	out=$("$CC" "$@" 2>/tmp/ccstat-cli.$$ </dev/null)
	rc=$?
	is "$rc:$(wc -l </tmp/ccstat-cli.$$ | tr -d ' '):$(cut -c1-${#want} /tmp/ccstat-cli.$$):$out" \
		"2:1:$want:" "$desc"
}

usage "ccstat: failed to parse arguments: unknown command" "unknown command" frob
usage "ccstat: failed to parse arguments: unknown option" "unknown option" stat --frob
usage "ccstat: failed to parse arguments: option '-p' needs a value" "option without its value" stat -p
usage "ccstat: failed to parse arguments: 'top' does not take --csv" "an option the command does not take" top --csv
usage "ccstat: failed to parse arguments: 'stat' does not take --listen" "export's option given to stat" --listen :1 stat
usage "ccstat: failed to parse arguments: 'check' does not take --pid" "-p on check" check -p 1
usage "ccstat: failed to parse interval" "interval 0" stat 0
usage "ccstat: failed to parse interval" "interval not a number" stat abc
usage "ccstat: failed to parse count" "count 0" stat 1 0
usage "ccstat: failed to parse sampling rate" "analyze --sample above 1" analyze --sample 2
usage "ccstat: failed to parse sampling rate" "analyze --sample 0" analyze --sample 0
usage "ccstat: failed to parse store size" "analyze --store-size not a size" analyze --store-size 12Q
usage "ccstat: failed to parse interval" "analyze interval 0" analyze 0
usage "ccstat: failed to parse arguments: 'analyze' does not take --pid" "-p on analyze" analyze -p 1
usage "ccstat: failed to parse arguments: unexpected '3'" "three positional arguments" stat 1 2 3
usage "ccstat: failed to parse arguments: unexpected '5': export takes [interval]" "export rejects a count" export 1 5
usage "ccstat: failed to parse arguments: unexpected '1': trace takes no arguments" "trace takes no interval" trace 1
usage "ccstat: failed to parse PID" "PID 0" -p 0 stat
usage "ccstat: failed to find process" "PID that does not exist" stat -p 4000000
usage "ccstat: failed to parse device" "bad device" stat --dev 8
usage "ccstat: failed to parse operations" "bad op" trace --op frob
usage "ccstat: failed to parse duration" "duration 0" check -d 0
usage "ccstat: failed to parse listen address" "listen without a port" export --listen 127.0.0.1
usage "ccstat: failed to parse listen address" "listen port out of range" export --listen localhost:65536
usage "ccstat: failed to parse listen address" "listen with a bad IPv6 bracket" export --listen '[::1:80'
usage "ccstat: failed to parse arguments: --sample and --store-size go with --analyze" "export --sample without --analyze" export --sample 0.5
usage "ccstat: failed to parse arguments: --sample and --store-size go with --analyze" "export --store-size without --analyze" export --store-size 1G
usage "ccstat: failed to parse arguments: -j and --csv" "-j with --csv" stat --csv 1 -j
usage "ccstat: failed to parse arguments: run needs a command" "run without a command" run
usage "ccstat: failed to resolve cgroup" "cgroup that does not exist" stat -c /sys/fs/cgroup/ccstat-no-such
usage "ccstat: failed to resolve cgroup" "cgroup path not in cgroup2" stat -c /tmp

# the version the source declares, not another output of the same binary
ver=$(sed -n 's/^#define CCSTAT_VERSION "\(.*\)"$/\1/p' \
	"$(dirname "$0")/../../tools/ccstat.h")
echo "$ver" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$'
ok $? "tools/ccstat.h declares a MAJOR.MINOR.PATCH version ($ver)"
"$CC" -V >/tmp/ccstat-cli.$$ 2>&1
is "$?:$(cat /tmp/ccstat-cli.$$)" "0:ccstat $ver" "-V prints 'ccstat VERSION' alone, exit 0"
"$CC" version >/tmp/ccstat-cli.$$ 2>&1
is "$?:$(cat /tmp/ccstat-cli.$$)" "0:ccstat $ver" "version prints 'ccstat VERSION' alone, exit 0"
is "$("$CC" --version -j)" "{\"type\":\"version\",\"version\":\"$ver\"}" \
	"--version -j: one JSON record with a type and the version"
"$CC" stat --help >/tmp/ccstat-cli.$$
rc=$?
grep -q -- '--csv' /tmp/ccstat-cli.$$ && ! grep -q -- '--listen' /tmp/ccstat-cli.$$ &&
	! grep -q -- '--top-inodes' /tmp/ccstat-cli.$$
ok $(( rc | $? )) "stat --help: stat's options only"
"$CC" export -h | grep -q -- '--listen'
ok $? "export -h lists --listen"
"$CC" help run | grep -q '^Usage: ccstat run'
ok $? "help COMMAND is that command's help"
"$CC" --help | grep -q 'Exit status: 0 success, 1 failure, 2 usage error'
ok $? "--help states the exit statuses"
# options after positional arguments reach the parser (here: an error)
usage "ccstat: failed to parse arguments: 'stat' does not take --sort" "an option after the positionals is parsed" stat 1 2 --sort gets
usage "ccstat: failed to parse arguments: unknown option '-Q'" "a short option after the positionals is parsed" stat 1 -Q
usage "ccstat: failed to parse ring buffer size: '3' is not a power of two" "trace --ringbuf-kib 3: one error line" trace --ringbuf-kib 3

rm -f /tmp/ccstat-cli.$$
done_testing
