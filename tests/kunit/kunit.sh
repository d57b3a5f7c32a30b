#!/bin/sh
# In-guest: the KUnit suites ran at boot (kunit.enable=1); turn their KTAP
# results from the kernel log into flat TAP lines for tests/run-all.
# tests/run-all boots it twice, with and without tmem_local.enabled=0:
# the suites must pass whether or not a store is registered.
dmesg | sed 's/^\[[^]]*\] //' > /tmp/kunit.log
# The raw KTAP, indented as a comment so that only the flat lines count
sed -n '/^KTAP version/,$p' /tmp/kunit.log |
	grep -E '^ *(KTAP|1\.\.|#|ok |not ok |    )' | sed 's/^/# /'
awk '
	/^    # Subtest: / { suite = $3 }
	/^    (not )?ok [0-9]+ / {
		line = $0; sub(/^    /, "", line)
		res = (line ~ /^ok /) ? "ok" : "not ok"
		sub(/^(not )?ok [0-9]+ /, "", line)
		print res " - kunit " suite "." line
		n++
	}
	END {
		if (!n) {
			print "not ok - kunit: no KUnit results in the kernel log"
			exit 1
		}
	}
' /tmp/kunit.log
