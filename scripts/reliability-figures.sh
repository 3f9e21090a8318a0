#!/bin/sh
# Reproduces the measured figures of RELIABILITY.md: builds the tests, runs the fault suites
# (Tests/VideoGenTests/FaultInjectionTests.swift, FaultRecoveryTests.swift, SoakTests.swift, FaultPointTests.swift)
# against the Python emulator and prints their FIGURE lines. Not part of `make test` (which runs the same suites
# once, with the default trial counts). FaultRecoveryTests, SoakTests and FaultPointTests compile
# Tests/c/crash_download.c, Tests/c/cancel_soak.c and Tests/c/fault_points.c with `cc` against the debug
# libvideogen.so and run them as child processes.
#
#   scripts/reliability-figures.sh              # default trials (1 polled task, 1 submit per Retry-After form,
#                                               # 3 commit-then-drop submits, 3 Basic-challenge runs, 2 downloads
#                                               # of 8 MiB with 5 resets, 1 trial per row-11 case, 2 expiries,
#                                               # 20 kill -9 points, 2,000 soak cycles and 200 clients)
#   VIDEOGEN_FAULT_TRIALS=20 scripts/reliability-figures.sh   # 20 trials in each scaled row of FaultInjectionTests
#   VIDEOGEN_FAULT_TRIALS=reference scripts/reliability-figures.sh   # each row at the reference's count (§7):
#       row 1: 1,000 concurrent polled tasks; row 3: 100 concurrent submits per hint form, Retry-After: 7 (1 s by
#       default); row 6: 500 commit-then-drop submits; row 8: 100 runs; row 10: 100 downloads of 200 MB (8 MiB by
#       default) with 5 resets each (about 3 min); row 11: 200 trials of each case; row 14: 50 runs
#   VIDEOGEN_FAULT_TRIALS_ROW10=20 scripts/reliability-figures.sh   # one row only (a number or `reference`); a row
#       given a count by either variable also takes the reference's sizes and bounds (rows 3 and 10)
#   VIDEOGEN_KILL_TRIALS=100 scripts/reliability-figures.sh   # kill -9 at 100 points (row 12; 1,000: about 6 min)
#   VIDEOGEN_SOAK_CYCLES=10000 VIDEOGEN_SOAK_CLIENTS=1000 scripts/reliability-figures.sh   # the reference's soak
set -eu
cd "$(dirname "$0")/.."
swift build --build-tests >/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
.build/debug/videogenPackageTests.xctest --testing-library swift-testing \
    --filter 'FaultInjectionTests|FaultRecoveryTests|SoakTests|FaultPointTests' >"$out" 2>&1 || status=$?
grep '^FIGURE:' "$out" | sed 's/^FIGURE: //'
tail -n 1 "$out"
exit "$status"
