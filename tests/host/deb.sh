#!/usr/bin/env bash
# deb.sh: the ccstat Debian package, on the host, without BPF.  `make deb`
# builds it; dpkg-deb lists exactly the expected files; lintian reports
# no error or warning (debian/ccstat.lintian-overrides explains the rest);
# systemd-analyze accepts the unit against the package's own files; the
# unit keeps to a non-root user and its three capabilities, and stops
# retrying (start limit, usage errors); the unit's ExecStart, with a bad
# option in the package's /etc/default/ccstat, exits 2 with ccstat's
# usage error; on a kernel without the series it fails with one line.
# TAP.  Usage: tests/host/deb.sh [OUT]   (default build/deb)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. tests/lib/tap.sh

out=${1:-$root/build/deb}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What the package holds: every file, no directories
expected_files='./etc/default/ccstat
./lib/systemd/system/ccstat-exporter.service
./usr/sbin/ccstat
./usr/share/bash-completion/completions/ccstat
./usr/share/ccstat/grafana/dashboards/ccstat.json
./usr/share/ccstat/grafana/provisioning/dashboards/dashboards.yml
./usr/share/ccstat/grafana/provisioning/datasources/datasource.yml
./usr/share/ccstat/prometheus/ccstat-rules.yml
./usr/share/ccstat/prometheus/prometheus-scrape.yml
./usr/share/doc/ccstat/changelog.gz
./usr/share/doc/ccstat/copyright
./usr/share/lintian/overrides/ccstat
./usr/share/man/man8/ccstat.8.gz'
caps_wanted='CAP_BPF CAP_DAC_READ_SEARCH CAP_PERFMON'

# Decided before building: without Debian's tooling nothing here can run
missing=
for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
if [ -n "$missing" ]; then
	skip "the ccstat Debian package" "missing$missing (scripts/install-deps)"
	done_testing
	exit $?
fi

# --- build
make -s deb BUILD="$(dirname "$out")" >"$tmp/make.log" 2>&1
rc=$?
deb=$(ls "$out"/ccstat_*_*.deb 2>/dev/null | head -n 1)
[ "$rc" = 0 ] && [ -f "$deb" ]
ok $? "make deb builds $(basename "${deb:-ccstat_VERSION_ARCH.deb}") ($(stat -c %s "${deb:-/dev/null}" 2>/dev/null || echo 0) bytes)" ||
	sed 's/^/#   /' "$tmp/make.log" | tail -n 20
if [ ! -f "$deb" ]; then
	done_testing
	exit $?
fi
dpkg-deb -x "$deb" "$tmp/root"

# --- contents
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sort >"$tmp/files"
diff -u <(echo "$expected_files") "$tmp/files" >"$tmp/files.diff"
ok $? "dpkg-deb -c lists exactly the expected files" ||
	sed 's/^/#   /' "$tmp/files.diff"
deps=$(dpkg-deb -f "$deb" Depends)
case $deps in
*libbpf1*) ok 0 "Depends from the binary's libraries: $deps" ;;
*) ok 1 "Depends from the binary's libraries: '$deps' has no libbpf1" ;;
esac

# --- maintainer scripts: an upgrade or a removal must never fail on the
# service (a kernel without the series fails its start): only debhelper's
# sections, and every systemd call among them ends in || true
dpkg-deb -e "$deb" "$tmp/ctl"
bad=
for f in "$tmp"/ctl/preinst "$tmp"/ctl/postinst "$tmp"/ctl/prerm "$tmp"/ctl/postrm; do
	[ -f "$f" ] || continue
	outside=$(awk '/^# Automatically added by/ { dh = 1 } !dh && NR > 2 && NF { print } /^# End automatically added section/ { dh = 0 }' "$f")
	unguarded=$(grep -E 'systemctl|deb-systemd-(invoke|helper)' "$f" | grep -vE '\|\| true$' | grep -vE '^\s*(if|elif) ')
	if [ -n "$outside$unguarded" ]; then
		bad="$bad $(basename "$f")"
		printf '%s\n' "$outside" "$unguarded" | grep . | sed 's/^/#   /'
	fi
done
[ -z "$bad" ]
ok $? "maintainer scripts: debhelper's only, every systemd call || true${bad:+ (not:$bad)}"

# --- the bash completion against the packaged binary's own --help: the
# commands of `ccstat --help`, and for each the options of its --help
ccstat=$tmp/root/usr/sbin/ccstat
if [ -r /usr/share/bash-completion/bash_completion ]; then
	# complete WORD...: what the packaged completion offers for the last word
	complete_words() {
		bash -c '. /usr/share/bash-completion/bash_completion
			. "$1"; shift
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
			COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			_ccstat ccstat "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}" 2>/dev/null
			printf "%s\n" "${COMPREPLY[@]}"' _ \
			"$tmp/root/usr/share/bash-completion/completions/ccstat" "$@" | sort | xargs
	}
	cmds=$("$ccstat" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p' | sort | xargs)
	is "$(complete_words ccstat '')" "$cmds" "completion: the commands of ccstat --help ($cmds)"
	bad=
	for c in $cmds; do
		case $c in help | version) continue ;; esac
		want=$("$ccstat" "$c" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' |
			tr ',' '\n' | tr -d ' ' | grep . | sort | xargs)
		got=$(complete_words ccstat "$c" -)
		if [ "$got" != "$want" ]; then
			diag "  $c: completion '$got'"
			diag "  $c: --help     '$want'"
			bad="$bad $c"
		fi
	done
	[ -z "$bad" ]
	ok $? "completion: each command's options are those of its --help${bad:+ (differ:$bad)}"
else
	skip "completion: the commands of ccstat --help" "bash-completion not installed"
	skip "completion: each command's options" "bash-completion not installed"
fi

# --- lintian: E: and W: fail; I:/P: are listed, overrides are in
# debian/ccstat.lintian-overrides with their reasons
lintian -I --pedantic "$out"/ccstat_*.changes >"$tmp/lintian" 2>&1
lrc=$?
grep -v '^running with root privileges' "$tmp/lintian" | sed 's/^/# lintian: /'
bad=$(grep -cE '^[EW]: ' "$tmp/lintian")
[ "$bad" = 0 ] && [ "$lrc" = 0 ]
ok $? "lintian -I --pedantic: no E: or W: tags (exit $lrc, $bad tags)"

# --- the unit
unit=$tmp/root/lib/systemd/system/ccstat-exporter.service
# key VALUE: every value of KEY in the unit, one per line, in order
key() { sed -n "s/^$1=//p" "$unit"; }

if command -v systemd-analyze >/dev/null; then
	# against the package's tree (its /usr/sbin/ccstat must exist there),
	# with the host's units for the targets it refers to
	cp -rn /lib/systemd/system/. "$tmp/root/lib/systemd/system/"
	systemd-analyze verify --man=no --root="$tmp/root" \
		/lib/systemd/system/ccstat-exporter.service >"$tmp/verify" 2>&1
	vrc=$?
	sed 's/^/#   /' "$tmp/verify"
	[ "$vrc" = 0 ] && [ ! -s "$tmp/verify" ]
	ok $? "systemd-analyze verify: no error, no warning"
	# systemd's own score of the sandbox, 0 (locked) to 10 (root,
	# unconfined): "OK" up to 4.9 in its words; ours is about 2
	exposure=$(systemd-analyze security --offline=yes --root="$tmp/root" \
			/lib/systemd/system/ccstat-exporter.service 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 3.0) }'
	ok $? "systemd-analyze security --offline: exposure ${exposure:-unknown} <= 3.0"
else
	skip "systemd-analyze verify" "systemd-analyze not installed"
	skip "systemd-analyze security" "systemd-analyze not installed"
fi

user=$(key User) dyn=$(key DynamicUser)
[ "$dyn" = yes ] || { [ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ]; }
ok $? "runs as a non-root user (DynamicUser=${dyn:-unset}, User=${user:-unset})"

bset=$(key CapabilityBoundingSet | tr ' ' '\n' | grep . | sort | xargs)
is "$bset" "$caps_wanted" "CapabilityBoundingSet is exactly $caps_wanted"
amb=$(key AmbientCapabilities | tr ' ' '\n' | grep . | sort | xargs)
is "$amb" "$caps_wanted" "AmbientCapabilities are the same three (effective for the non-root user)"

hard=ok
for kv in ProtectSystem=strict ProtectHome=yes NoNewPrivileges=yes PrivateDevices=yes \
	  ProtectKernelModules=yes ProtectKernelTunables=yes ProtectControlGroups=yes \
	  RestrictSUIDSGID=yes "EnvironmentFile=-/etc/default/ccstat" \
	  "ExecStart=/usr/sbin/ccstat export \$CCSTAT_EXPORT_ARGS" Restart=on-failure \
	  RestartPreventExitStatus=2 KillSignal=SIGTERM; do
	grep -qxF "$kv" "$unit" || { diag "  missing: $kv"; hard=; }
done
[ -n "$hard" ]
ok $? "sandbox and options: ProtectSystem=strict and friends, /etc/default/ccstat, restart on failure"

# A start that fails at once (a kernel without the series) is retried
# RestartSec apart; the limit must be reached inside its interval, or
# the unit would retry forever.
ival=$(key StartLimitIntervalSec) burst=$(key StartLimitBurst) rsec=$(key RestartSec)
[ -n "$ival" ] && [ -n "$burst" ] && [ -n "$rsec" ] &&
	[ "$burst" -ge 1 ] && [ $((burst * rsec)) -lt "$ival" ] &&
	sed -n '/^\[Unit\]/,/^\[/p' "$unit" | grep -q '^StartLimitBurst='
ok $? "start limit: $burst starts ${rsec} s apart fit in ${ival} s, so a failing unit stops"

# --- /etc/default/ccstat and ExecStart, as systemd runs them: the
# package's default file, then a bad option appended to its arguments
# shellcheck disable=SC1091
. "$tmp/root/etc/default/ccstat"
is "${CCSTAT_EXPORT_ARGS-unset}" "" "the shipped /etc/default/ccstat sets CCSTAT_EXPORT_ARGS, empty"
# exec_start ARGS: the unit's ExecStart as an argv in $argv, the binary
# the package's, $CCSTAT_EXPORT_ARGS split into words as systemd splits an
# unbraced variable (${CCSTAT_EXPORT_ARGS} would be one word)
exec_start() {
	local w cmd
	read -r -a cmd <<<"$(key ExecStart | sed "s|^/usr/sbin/ccstat|$tmp/root/usr/sbin/ccstat|")"
	set -f
	argv=()
	for w in "${cmd[@]}"; do
		if [ "$w" = '$CCSTAT_EXPORT_ARGS' ]; then
			# shellcheck disable=SC2206
			argv+=($1)
		elif [ "$w" = '${CCSTAT_EXPORT_ARGS}' ]; then
			argv+=("$1")
		else
			argv+=("$w")
		fi
	done
	set +f
}
exec_start "$CCSTAT_EXPORT_ARGS --listen 127.0.0.1:9587 --no-such-option"
diag "running: ${argv[*]}"
err=$(timeout 10 "${argv[@]}" 2>&1 >/dev/null)
rc=$?
is "$rc:$err" "2:ccstat: failed to parse arguments: unknown option '--no-such-option' (see ccstat --help)" \
	"a bad option in /etc/default/ccstat: ExecStart exits 2 (not restarted) with ccstat's usage error"

# A kernel without the series, decided from its BTF before running: the
# exporter must fail at once with one line (the journal's) and exit 1,
# which Restart=on-failure retries until the start limit.
if [ "$(id -u)" != 0 ]; then
	skip "ExecStart on a kernel without the series" "not root: ccstat stops at the privilege check"
elif [ ! -r /sys/kernel/btf/vmlinux ]; then
	skip "ExecStart on a kernel without the series" "no /sys/kernel/btf/vmlinux"
elif grep -q btf_trace_cleancache_put /sys/kernel/btf/vmlinux; then
	skip "ExecStart on a kernel without the series" "this kernel has the series"
else
	exec_start "$CCSTAT_EXPORT_ARGS"
	err=$(timeout 20 "${argv[@]}" 2>&1 >/dev/null)
	rc=$?
	printf '%s\n' "$err" | sed 's/^/#   /'
	[ "$rc" = 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] &&
		case $err in "ccstat: failed to "*) true ;; *) false ;; esac
	ok $? "on this kernel (no cleancache): exit 1 with one 'ccstat: failed to' line (exit $rc)"
fi

done_testing
exit $?
