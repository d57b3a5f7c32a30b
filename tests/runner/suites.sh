# Fixture suites for tests/runner/selftest, sourced by tests/run-all
# through RUN_ALL_SUITES: suite fx-NAME prints fixtures/NAME.log and
# exits with the status a real suite would have had after it.
# shellcheck shell=bash

# fixture NAME RC: define suite_fx-NAME
fixture() {
	eval "suite_fx-$1() { cat tests/runner/fixtures/$1.log; return $2; }"
}

fixture crash 125          # a guest that panicked after its first ok
fixture notok-exit 1       # a failure, and the exit status that says so
fixture short-plan 0       # 3 of 4 planned results, exit 0
fixture no-plan 0          # results without a plan, exit 0
fixture all-skipped 4      # kselftest: everything skipped
fixture skip-and-pass 4    # exit 4, but one result passed
fixture todo 0             # a TODO failure and a TODO pass
fixture bail 1             # Bail out! after one result
fixture merged 0           # a second stream pasted without its header
fixture good 0             # two streams in two boots, a console around
fixture no-boot 2          # tests/vm/run found no kernel
fixture one-boot-of-two 124  # the second boot never reached the test

# The suites whose log is a guest's console
report_suites+="fx-crash fx-good fx-no-boot fx-one-boot-of-two "
