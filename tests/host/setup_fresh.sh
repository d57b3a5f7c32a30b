#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The set-up path on a machine that has never seen the project: the
# kernel's prepare step against a KBUILD_ROOT whose parents do not exist
# (a fake linux-source tarball stands in for Debian's, so this runs in a
# second; the series then fails to apply to it, which is the expected end).
# TAP.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0 failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		[ -f "$TMP/log" ] && sed 's/^/#   /' "$TMP/log"
	fi
}

echo "TAP version 13"

# A tarball shaped like /usr/src/linux-source-6.12.tar.xz
mkdir -p "$TMP/src/linux-source-6.12/mm"
printf 'kernelversion:\n\t@echo 6.12.0-fake\n' >"$TMP/src/linux-source-6.12/Makefile"
echo '/* not the real file */' >"$TMP/src/linux-source-6.12/mm/filemap.c"
tar -C "$TMP/src" -cJf "$TMP/linux-source-6.12.tar.xz" linux-source-6.12

KSRC=$TMP/fresh/home/.cache/ccstat/kbuild/linux \
	TARBALL=$TMP/linux-source-6.12.tar.xz \
	"$root/kernel/scripts/prepare" >"$TMP/log" 2>&1
rc=$?
! grep -q "mktemp\|No such file or directory" "$TMP/log"
ok $? "prepare creates a KBUILD_ROOT whose parents do not exist"
git -C "$TMP/fresh/home/.cache/ccstat/kbuild/linux" rev-parse -q --verify pristine >/dev/null 2>&1
ok $? "the tarball is unpacked into a git tree with branch pristine"
[ $rc = 1 ] && grep -q "^kernel: failed to apply series/01-" "$TMP/log"
ok $? "the series is applied next (and fails on the fake tree with one clear line)"

KSRC=$TMP/fresh2/linux TARBALL=$TMP/missing.tar.xz \
	"$root/kernel/scripts/prepare" >"$TMP/log" 2>&1
[ $? = 1 ] && grep -q "^kernel: failed to find $TMP/missing.tar.xz: apt-get install linux-source-6.12" "$TMP/log"
ok $? "no tarball: one line that says which package to install"

echo "1..$n"
[ $failed = 0 ]
