#!/usr/bin/env bash
# The exported series is checkpatch --strict clean, patch by patch (TAP).
# Needs KSRC (the tree kernel/scripts/prepare made).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
KSRC=${KSRC:?KSRC must name the kernel source directory}
out=$root/build/series

if ! "$root"/kernel/scripts/export-series "$out" >/dev/null; then
	echo "not ok 1 - export the series with git format-patch"
	exit 1
fi
patches=("$out"/0*.patch)
echo "1..$(( ${#patches[@]} - 1 ))"
n=0 rc=0
for p in "${patches[@]}"; do
	case $p in */0000-cover-letter.patch) continue ;; esac
	n=$((n + 1))
	# Debian's python3 has ply and git (spdxcheck.py); a pyenv one may not.
	if report=$(cd "$KSRC" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --quiet \
			--no-summary --show-types "$p" 2>&1) && [ -z "$report" ]; then
		echo "ok $n - checkpatch --strict: $(basename "$p")"
	else
		echo "not ok $n - checkpatch --strict: $(basename "$p")"
		printf '%s\n' "$report" | sed 's/^/# /'
		rc=1
	fi
done
exit $rc
