#!/bin/sh
# Reproduces the measured figures of RELIABILITY.md: builds the tests, runs the fault suite
# (Tests/VideoGenTests/FaultInjectionTests.swift) against the Python emulator and prints its FIGURE lines.
# Not part of `make test` (which runs the same suite once, with the default trial counts).
#
#   scripts/reliability-figures.sh              # default trials (1 polled task, 3 commit-then-drop submits)
#   VIDEOGEN_FAULT_TRIALS=20 scripts/reliability-figures.sh   # 20 concurrent polled tasks, 20 submits
set -eu
cd "$(dirname "$0")/.."
swift build --build-tests >/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
.build/debug/videogenPackageTests.xctest --testing-library swift-testing --filter FaultInjectionTests >"$out" 2>&1 || status=$?
grep '^FIGURE:' "$out" | sed 's/^FIGURE: //'
tail -n 1 "$out"
exit "$status"
