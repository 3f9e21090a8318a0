#!/usr/bin/env bash
# fuzz.sh [--build-only] [TARGET...]: builds the libFuzzer targets of Tests/fuzz/ and runs each for FUZZ_SECONDS.
#   1. compiles the VideoGen module sources (Sources/VideoGen, no Package.swift involved) once with
#      -sanitize=fuzzer,address into .build-fuzz/libVideoGen.a (+ its .swiftmodule, built with -enable-testing so the
#      entries can reach internal helpers);
#   2. links each entry file Tests/fuzz/TARGET.swift (@_cdecl("LLVMFuzzerTestOneInput"), -parse-as-library)
#      against it into .build-fuzz/TARGET;
#   3. runs each target for FUZZ_SECONDS (default 30) with -max_total_time, starting from the committed seeds in
#      Tests/fuzz/corpus/TARGET/ (read only) and the inputs found by earlier runs in .build-fuzz/corpus/TARGET/;
#      a crash leaves its reproducer in .build-fuzz/artifacts/TARGET/ (replay: .build-fuzz/TARGET FILE).
# Prints one line per target (executions, executions per second, new inputs, peak RSS, verdict) and, last,
# "N passed, N failed"; exits 1 when a target crashed or did not build.
# Usage, from anywhere: bash scripts/fuzz.sh            (make fuzz FUZZ_SECONDS=N)
# Environment: FUZZ_SECONDS (per target), SWIFTC (default swiftc), FUZZ_FLAGS (extra libFuzzer flags, e.g.
# "-jobs=2 -workers=2" or "-max_len=65536").
# LeakSanitizer is off (-detect_leaks=0): with Swift it reports false leaks (see reliability.md §6); leaks are
# checked by valgrind in scripts/check-sanitizers.sh instead.
set -u

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.build-fuzz"
swiftc="${SWIFTC:-swiftc}"
seconds="${FUZZ_SECONDS:-30}"
build_only=0
targets=()
for arg in "$@"; do
    case "$arg" in
        --build-only) build_only=1 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) targets+=("$arg") ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    for file in "$root"/Tests/fuzz/*.swift; do targets+=("$(basename "$file" .swift)"); done
fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "FUZZ_SECONDS must be a positive number of seconds, not '$seconds'" >&2
    exit 2
fi
mkdir -p "$out/lib"

passed=0
failed=0
flags=(-parse-as-library -swift-version 6 -O -g -sanitize=fuzzer,address -package-name videogen)

# ---- 1. The VideoGen module, instrumented, once (again when a source is newer than the library). ----
# Its C helpers (Sources/CVideoGenNative) are compiled with clang into the same archive; a module map in
# $out/lib/cnative lets swiftc import them as the package build does.
sources=()
while IFS= read -r file; do sources+=("$file"); done < <(find "$root/Sources/VideoGen" -name '*.swift' | sort)
csources=()
while IFS= read -r file; do csources+=("$file"); done < <(find "$root/Sources/CVideoGenNative" -name '*.c' | sort)
mkdir -p "$out/lib/cnative"
printf 'module CVideoGenNative {\n    umbrella "%s"\n    export *\n}\n' "$root/Sources/CVideoGenNative/include" \
    > "$out/lib/cnative/module.modulemap"
flags+=(-I "$out/lib/cnative")
lib="$out/lib/libVideoGen.a"
stale=1
if [ -f "$lib" ] && [ -z "$(find "$root/Sources/VideoGen" "$root/Sources/CVideoGenNative" -newer "$lib" | head -n 1)" ] \
    && [ "$(printf '%s\n' "${sources[@]}" "${csources[@]}" | md5sum)" = "$(cat "$out/lib/sources.md5" 2> /dev/null)" ]; then
    stale=0
fi
if [ "$stale" -eq 1 ]; then
    echo "# compiling Sources/VideoGen (${#sources[@]} files) with -sanitize=fuzzer,address"
    started=$SECONDS
    rm -f "$lib"
    if (cd "$out/lib" && "$swiftc" "${flags[@]}" -module-name VideoGen -enable-testing \
        -emit-module -emit-module-path "$out/lib/VideoGen.swiftmodule" -emit-library -static -o "$lib" \
        "${sources[@]}" && for c in "${csources[@]}"; do
            clang -O1 -g -fsanitize=fuzzer-no-link,address -I "$root/Sources/CVideoGenNative/include" -c "$c" \
                -o "$out/lib/$(basename "$c" .c).o" || exit 1
            ar r "$lib" "$out/lib/$(basename "$c" .c).o" || exit 1
        done) > "$out/lib/build.log" 2>&1; then
        printf '%s\n' "${sources[@]}" "${csources[@]}" | md5sum > "$out/lib/sources.md5"
        echo "# library built in $((SECONDS - started)) s"
    else
        grep -v 'Cannot export local symbol' "$out/lib/build.log" | head -n 40
        echo "FAIL - library: Sources/VideoGen does not compile for fuzzing (log: $out/lib/build.log)"
        echo "0 passed, 1 failed"
        exit 1
    fi
fi

# ---- 2 and 3. Each target. ----
for target in "${targets[@]}"; do
    entry="$root/Tests/fuzz/$target.swift"
    binary="$out/$target"
    if [ ! -f "$entry" ]; then
        echo "FAIL - $target: no $entry"
        failed=$((failed + 1))
        continue
    fi
    if [ ! -x "$binary" ] || [ "$entry" -nt "$binary" ] || [ "$lib" -nt "$binary" ]; then
        if ! "$swiftc" "${flags[@]}" -module-name "fuzz_$target" -I "$out/lib" "$entry" -L "$out/lib" -lVideoGen -lcurl -lcrypto \
            -o "$binary" > "$out/$target.build.log" 2>&1; then
            grep -v 'Cannot export local symbol' "$out/$target.build.log" | head -n 30
            echo "FAIL - $target: does not build (log: $out/$target.build.log)"
            failed=$((failed + 1))
            continue
        fi
    fi
    [ "$build_only" -eq 1 ] && { echo "ok - $target: built"; passed=$((passed + 1)); continue; }

    corpus="$out/corpus/$target"
    artifacts="$out/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    seeds=()
    [ -d "$root/Tests/fuzz/corpus/$target" ] && seeds=("$root/Tests/fuzz/corpus/$target")
    read -r -a extra <<< "${FUZZ_FLAGS:-}"
    log="$out/$target.log"
    # The first corpus directory receives new inputs; the committed seeds are only read.
    # SWIFT_BACKTRACE=enable=no: on a Swift trap, libFuzzer reports the deadly signal and writes the reproducer;
    # the Swift runtime's own backtracer would otherwise run first (and trip ASan reading the stack).
    started=$SECONDS
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" \
        "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts/" ${extra[@]+"${extra[@]}"} \
        "$corpus" ${seeds[@]+"${seeds[@]}"} > "$log" 2>&1
    status=$?
    elapsed=$((SECONDS - started))
    stat() { awk -v key="stat::$1:" '$1 == key { print $2 }' "$log" | tail -n 1; }
    execs="$(stat number_of_executed_units)"
    rate="$(stat average_exec_per_sec)"
    units="$(stat new_units_added)"
    rss="$(stat peak_rss_mb)"
    crash="$(grep -o "Test unit written to .*" "$log" | head -n 1 | sed 's/Test unit written to //')"
    summary="${execs:-?} execs, ${rate:-?} exec/s, ${units:-?} new inputs, corpus $(find "$corpus" -type f | wc -l), peak RSS ${rss:-?} MB in ${elapsed} s"
    if [ "$status" -eq 0 ] && [ -z "$crash" ]; then
        echo "ok - $target: $summary"
        passed=$((passed + 1))
    else
        echo "FAIL - $target: exit $status; $summary; reproducer: ${crash:-none} (log: $log)"
        grep -m 1 -A 12 -E '^==[0-9]+==ERROR|Fatal error|fatal error|deadly signal' "$log" | head -n 20
        [ -n "$crash" ] && echo "#   replay: $binary $crash"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
