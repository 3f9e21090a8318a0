#!/bin/sh
# Reproduces the measured figures of RELIABILITY.md: builds the tests, runs the fault suites
# (Tests/VideoGenTests/FaultInjectionTests.swift, FaultRecoveryTests.swift, SoakTests.swift, FaultPointTests.swift)
# against the Python emulator and prints their FIGURE lines. Not part of `make test` (which runs the same suites
# once, with the default trial counts). FaultRecoveryTests, SoakTests and FaultPointTests compile
# Tests/c/crash_download.c, Tests/c/cancel_soak.c and Tests/c/fault_points.c with `cc` against the debug
# libvideogen.so and run them as child processes.
#
#   scripts/reliability-figures.sh              # default trials (1 polled task, 3 commit-then-drop submits,
#                                               # 20 kill -9 points, 2,000 soak cycles and 200 clients)
#   VIDEOGEN_FAULT_TRIALS=20 scripts/reliability-figures.sh   # 20 concurrent polled tasks, 20 submits
#   VIDEOGEN_KILL_TRIALS=100 scripts/reliability-figures.sh   # kill -9 at 100 points (row 12)
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
