# tests/lib/tap.sh: tiny TAP (version 13) producer for in-guest tests.
# POSIX sh / busybox ash. Source it, then:
#
#   . ./tap.sh
#   plan 3                              # optional; else done_testing prints it
#   test -d /mnt/ext4; ok $? "ext4 mounted"
#   is "$(cat f)" "hello" "content round-trips"
#   skip "kunit results" "CONFIG_KUNIT off"
#   diag "free text, printed as a # comment"
#   done_testing                        # summary; returns the exit status
#
# Exit status of done_testing follows kselftest: 0 all passed, 1 something
# failed (or the plan did not match), 4 everything was skipped.
# Typical last line of a test script:  done_testing; exit $?

_tap_n=0       # tests run so far
_tap_pass=0
_tap_fail=0
_tap_skip=0
_tap_plan=     # number announced by plan, empty if none

echo "TAP version 13"

# plan N: announce the number of tests up front.
plan() {
	_tap_plan=$1
	echo "1..$1"
}

# diag MSG...: diagnostic comment (ignored by TAP parsers, read by humans);
# every line of a message of several lines is a comment.
diag() {
	case $* in
	*"
"*) printf '%s\n' "$*" | sed 's/^/# /' ;;
	*) echo "# $*" ;;
	esac
}

# ok RC DESC: pass if RC is 0 (usually $? of the command just run).
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		_tap_pass=$((_tap_pass + 1))
		echo "ok $_tap_n - $2"
		return 0
	fi
	_tap_fail=$((_tap_fail + 1))
	echo "not ok $_tap_n - $2"
	[ "$1" = 1 ] || diag "  exit status: $1"
	return 1
}

# is GOT WANT DESC: pass if the two strings are equal; show both if not.
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
		return 0
	fi
	ok 1 "$3"
	diag "  got: '$1'"
	diag " want: '$2'"
	return 1
}

# skip DESC REASON: a test that could not run here (counts as neither).
skip() {
	_tap_n=$((_tap_n + 1))
	_tap_skip=$((_tap_skip + 1))
	echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

# bail_out MSG: stop everything (TAP "Bail out!"), exit 1.
bail_out() {
	echo "Bail out! $*"
	exit 1
}

# done_testing: print the plan if none was given, a summary, and return
# 0 (pass), 1 (fail or plan mismatch) or 4 (all skipped).
done_testing() {
	if [ -z "$_tap_plan" ]; then
		echo "1..$_tap_n"
	elif [ "$_tap_plan" != "$_tap_n" ]; then
		diag "planned $_tap_plan tests but ran $_tap_n"
		_tap_fail=$((_tap_fail + 1))
	fi
	diag "$_tap_pass passed, $_tap_fail failed, $_tap_skip skipped"
	if [ "$_tap_fail" -gt 0 ]; then
		return 1
	fi
	if [ "$_tap_n" -gt 0 ] && [ "$_tap_skip" = "$_tap_n" ]; then
		return 4
	fi
	return 0
}
