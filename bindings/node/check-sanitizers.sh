#!/usr/bin/env bash
# Runs the Node tests against a copy of the addon built with AddressSanitizer and UBSan (not part of make test-node;
# about a minute): the addon is built in a temporary directory, loaded through $VIDEOGEN_NODE_ADDON, and node runs
# with libasan and libubsan preloaded (leak detection off: Node itself keeps memory at exit). Any report fails it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/src" "$here/binding.gyp" "$here/build.sh" "$work/"
(cd "$work" && CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -g" \
    LDFLAGS="-fsanitize=address,undefined" ./build.sh -- -Dvideogen_libdir="$root/.build/release" \
    -Dvideogen_includedir="$root/include")
log="$work/tests.log"
status=0
(cd "$here" && LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \
    ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    VIDEOGEN_NODE_ADDON="$work/build/Release/videogen.node" node --test test/*.test.js) > "$log" 2>&1 || status=$?
grep -E "^# (pass|fail)" "$log"
if [ "$status" -ne 0 ] || grep -qE "ERROR: AddressSanitizer|runtime error" "$log"; then
    cat "$log" >&2
    exit 1
fi
echo "check-sanitizers: the Node tests pass with ASan and UBSan, no report"
