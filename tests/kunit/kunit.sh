#!/bin/sh
# In-guest: the KUnit suites ran at boot (kunit.enable=1); turn their KTAP
# results from the kernel log into one flat TAP stream for tests/run-all.
# tests/run-all boots it twice, with and without tmem_local.enabled=0:
# the suites must pass whether or not a store is registered.
#
# Counting: one result per test case (the KTAP lines indented once, under
# "# Subtest: SUITE"), "ok - kunit SUITE.CASE", its "# SKIP" kept; a
# parameterized case counts once, by its own line (its parameters, one
# level deeper, are not counted); the suites' own lines only summarize
# their cases and are not counted.  The plan is the sum of the suites'
# own plans ("    1..N"), so a suite that stops early is short of its
# plan; one more result checks that as many suites ran as the kernel's
# top-level plan announced.  Exit 1 if anything failed or is missing.
#
# A case that cannot apply to this boot skips itself (kunit_skip); such
# a skip is left out (a "# not applicable" comment, and out of the plan)
# when this boot's store says it does not apply, since another boot runs
# it: tests/run-all boots once without a store and once with the local
# one, and tests/xen/tmem runs xen_tmem_hypervisor on Xen.  Any other
# skip, or one of these in a boot where it applies, stays a "# SKIP".
dmesg | sed 's/^\[[^]]*\] //' > /tmp/kunit.log
backend=$(cat /sys/kernel/debug/cleancache/backend 2>/dev/null)
case $backend in
none)		# nothing registered: no second backend to refuse
	na='cleancache[.]cleancache_test_second_backend_refused' ;;
tmem_local)	# the live store: its capacity is not the test's to change
	na='cleancache_tmem_local[.]tmem_local_test_capacity_evicts_oldest' ;;
*)	na='' ;;
esac
# The real hypervisor's suite applies on Xen tmem alone
[ "$backend" = xen_tmem ] || na="${na:+$na|}xen_tmem_hypervisor[.].*"
echo "TAP version 13"
# The raw KTAP, indented as a comment so that only the flat lines count
sed -n '/^KTAP version/,$p' /tmp/kunit.log |
	grep -E '^ *(KTAP|1\.\.|#|ok |not ok |    )' | sed 's/^/# /'
awk -v na="^(${na:-(none)})\$" '
	/^KTAP version/ { top = 1; next }
	top && /^1\.\.[0-9]+/ { announced += substr($0, 4); top = 0 }
	/^    # Subtest: / { suite = $3; suites++ }
	/^    1\.\.[0-9]+/ { planned += substr($0, 8) }
	/^    (not )?ok [0-9]+ / {
		line = $0; sub(/^    /, "", line)
		res = (line ~ /^ok /) ? "ok" : "not ok"
		sub(/^(not )?ok [0-9]+ /, "", line)
		split(line, w, " ")
		if (line ~ /# SKIP/ && (suite "." w[1]) ~ na) {
			print "# not applicable in this boot: kunit " suite "." line
			planned--
			next
		}
		if (res == "not ok")
			failed++
		out[++n] = res " - kunit " suite "." line
	}
	END {
		print "1.." planned + 1
		for (i = 1; i <= n; i++)
			print out[i]
		if (suites && suites == announced)
			print "ok - kunit: " suites " suite(s) ran, as the kernel announced"
		else
			print "not ok - kunit: the kernel announced " announced + 0 " suite(s), " suites + 0 " ran"
		exit failed || !n || n != planned || !suites || suites != announced
	}
' /tmp/kunit.log
