#!/usr/bin/env bash
# check-sanitizers.sh [CHECK...]: memory and thread safety of libvideogen, on demand (make check-sanitizers).
# Checks (all by default, or those named):
#   asan        libvideogen.so built with -sanitize=address (debug, so Swift's own overflow and bounds traps are on
#               too) in .build-asan/; the whole C suite (Tests/c/run.sh) compiled with the toolchain's clang and
#               -fsanitize=address,undefined, run against it. Needs every test passing, 0 ASan and 0 UBSan reports.
#               swiftc has no -sanitize=undefined on Linux, so UBSan covers the C side (the tests, the header's use).
#   tsan        libvideogen.so built with -sanitize=thread in .build-tsan/; the concurrency tests of the C suite
#               (many_threads, cancel*, async*, updates*, free_during_wait) compiled with -fsanitize=thread, run with
#               Tests/sanitizers/tsan_swift_runtime_shim.c preloaded (it shows TSan the synchronisation inside the
#               uninstrumented Swift runtime: Mutex slow paths, swift_once, task hops; read its header) and
#               Tests/sanitizers/tsan.supp. Needs every test passing and 0 TSan reports.
#   swift-asan  the Swift Testing suite under ASan (swift test --sanitize=address, scratch path .build-asan-tests/,
#               built with -sanitize-recover=address), less the suites that compile C programs with plain cc (they
#               cannot link the ASan library). Needs it to pass with 0 ASan reports, apart from one known report of
#               the Swift runtime's type-name cache, matched by exact signature (see check_swift_asan).
#   valgrind    memcheck of the C test program (gcc, as in make test-c) against the release library
#               (.build/release, built as make build does) on the misuse tests, both happy paths and the cancel
#               tests (blocking, dispatched, and with the client freed first), with --errors-for-leak-kinds=definite
#               and Tests/sanitizers/valgrind.supp. Needs every test passing, 0 errors (so 0 invalid reads/writes
#               and 0 unsuppressed definite leaks).
# LeakSanitizer is off under ASan (detect_leaks=0): with Swift it reports false leaks (bit-stuffed side-table
# pointers, llvm-project #56751; reliability.md §6). Leaks are judged by valgrind instead.
# Prints "ok - CHECK: ..." / "FAIL - CHECK: ..." per check with its time and, last, "N passed, N failed"; exits 1
# when a check failed. Logs and sanitizer reports stay in .build-sanitizers/CHECK/.
# Environment: SWIFT (default swift), CLANG (default: the clang next to swift, so the sanitizer runtimes match).
set -u

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root" || exit 2
out="$root/.build-sanitizers"
swift="${SWIFT:-swift}"
swift_path="$(command -v "$swift" 2> /dev/null)"
if [ -z "$swift_path" ]; then
    echo "check-sanitizers: '$swift' not found" >&2
    exit 2
fi
toolchain_bin="$(dirname "$(readlink -f "$swift_path")")"
clang="${CLANG:-$toolchain_bin/clang}"
swift_libs="$(cd "$toolchain_bin/../lib/swift/linux" 2> /dev/null && pwd)"
if [ ! -x "$clang" ] || [ -z "$swift_libs" ]; then
    echo "check-sanitizers: needs the toolchain's clang ($clang) and runtime libraries ($toolchain_bin/../lib/swift/linux)" >&2
    exit 2
fi

all_checks=(asan tsan swift-asan valgrind)
checks=("$@")
[ ${#checks[@]} -eq 0 ] && checks=("${all_checks[@]}")
for check in "${checks[@]}"; do
    case " ${all_checks[*]} " in
        *" $check "*) ;;
        *) echo "check-sanitizers: unknown check '$check' (known: ${all_checks[*]})" >&2; exit 2 ;;
    esac
done

passed=0
failed=0
results=()
record() { # record ok|FAIL CHECK TEXT
    local line="$1 - $2: $3"
    echo "$line"
    results+=("$line")
    if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# count PATTERN FILES...: number of lines matching PATTERN over the files that exist.
count() {
    local pattern="$1"
    shift
    local files=() file
    for file in "$@"; do [ -f "$file" ] && files+=("$file"); done
    [ ${#files[@]} -eq 0 ] && { echo 0; return; }
    cat "${files[@]}" | grep -c -E "$pattern"
}

# suite_counts FILE: "P F" from the "N passed, N failed" last line of a run.sh output, or "0 1" without one.
suite_counts() {
    local last
    last="$(tail -n 1 "$1" 2> /dev/null)"
    if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
    else
        echo "0 1"
    fi
}

# show_reports FILES...: the first report's first lines, demangled, for the log.
show_reports() {
    local file
    for file in "$@"; do
        [ -f "$file" ] || continue
        echo "#   first report of $file:"
        head -n 40 "$file" | "$toolchain_bin/swift-demangle" --simplified 2> /dev/null | cut -c 1-220 | sed 's/^/#     /'
        return
    done
}

# build_library SCRATCH SANITIZER LOG: swift build of the videogen product with one sanitizer, in debug.
build_library() {
    "$swift" build -c debug --product videogen --scratch-path "$1" --sanitize="$2" > "$3" 2>&1
}

# ---- asan ----
check_asan() {
    local dir="$out/asan" started=$SECONDS build_time counts p f asan ubsan
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! build_library "$root/.build-asan" address "$dir/build.log"; then
        grep -E 'error:' "$dir/build.log" | head -n 10
        record FAIL asan "the ASan build failed (log: $dir/build.log)"
        return
    fi
    build_time=$((SECONDS - started))
    # Swift's runtime and Foundation are not instrumented; only detect_leaks needs turning off (see the header).
    VG_CC="$clang" \
        VG_CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
        VG_LDFLAGS="-fsanitize=address,undefined" \
        VG_BUILD_DIR="$dir/c" VG_SKIP_LIB_CHECKS=1 \
        VG_TEST_ENV="ASAN_OPTIONS=detect_leaks=0:allow_user_segv_handler=0:log_path=$dir/asan UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$dir/ubsan" \
        bash "$root/Tests/c/run.sh" "$root/.build-asan/debug" > "$dir/suite.log" 2>&1
    read -r p f < <(suite_counts "$dir/suite.log")
    asan="$(count 'ERROR: AddressSanitizer' "$dir"/asan.*)"
    ubsan="$(count 'runtime error:' "$dir"/ubsan.* "$dir"/asan.*)"
    local text="$p C tests passed, $f failed; $asan ASan reports, $ubsan UBSan reports (build ${build_time} s, run $((SECONDS - started - build_time)) s)"
    if [ "$f" -eq 0 ] && [ "$p" -gt 0 ] && [ "$asan" -eq 0 ] && [ "$ubsan" -eq 0 ]; then
        record ok asan "$text"
    else
        grep -E '^FAIL' "$dir/suite.log" | head -n 10 | sed 's/^/#   /'
        show_reports "$dir"/asan.* "$dir"/ubsan.*
        record FAIL asan "$text (logs: $dir)"
    fi
}

# ---- tsan ----
check_tsan() {
    local dir="$out/tsan" started=$SECONDS build_time p f reports shim
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! build_library "$root/.build-tsan" thread "$dir/build.log"; then
        grep -E 'error:' "$dir/build.log" | head -n 10
        record FAIL tsan "the TSan build failed (log: $dir/build.log)"
        return
    fi
    shim="$dir/libtsan_swift_runtime_shim.so"
    if ! "$clang" -shared -fPIC -O1 -Wall -Wextra -Werror -o "$shim" "$root/Tests/sanitizers/tsan_swift_runtime_shim.c" -ldl \
        > "$dir/shim.log" 2>&1; then
        cat "$dir/shim.log"
        record FAIL tsan "the runtime shim does not compile (log: $dir/shim.log)"
        return
    fi
    build_time=$((SECONDS - started))
    # The static TSan runtime's libdispatch interceptors need libdispatch and the blocks runtime at link time.
    VG_CC="$clang" \
        VG_CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=thread" \
        VG_LDFLAGS="-fsanitize=thread -L$swift_libs -ldispatch -lBlocksRuntime -Wl,-rpath,$swift_libs" \
        VG_BUILD_DIR="$dir/c" VG_SKIP_LIB_CHECKS=1 \
        VG_TEST_ENV="LD_PRELOAD=$shim VG_TSAN_SHIM_VERBOSE=1 TSAN_OPTIONS=suppressions=$root/Tests/sanitizers/tsan.supp:print_suppressions=1:log_path=$dir/tsan" \
        bash "$root/Tests/c/run.sh" "$root/.build-tsan/debug" \
        --only many_threads --only threads_hammer --only cancel --only async --only updates --only free_during_wait > "$dir/suite.log" 2>&1
    read -r p f < <(suite_counts "$dir/suite.log")
    reports="$(count 'WARNING: ThreadSanitizer' "$dir"/tsan.*)"
    local hooks
    hooks="$(grep -m 1 -o 'Swift runtime TSan hooks [a-z ]*' "$dir/suite.log")"
    local text="$p concurrency C tests passed, $f failed; $reports TSan reports (${hooks:-shim silent}; build ${build_time} s, run $((SECONDS - started - build_time)) s)"
    if [ "$f" -eq 0 ] && [ "$p" -gt 0 ] && [ "$reports" -eq 0 ]; then
        record ok tsan "$text"
    else
        grep -E '^FAIL' "$dir/suite.log" | head -n 10 | sed 's/^/#   /'
        grep -h '^SUMMARY: ThreadSanitizer' "$dir"/tsan.* 2> /dev/null | sort | uniq -c | cut -c 1-200 | sed 's/^/#   /'
        show_reports "$dir"/tsan.*
        record FAIL tsan "$text (logs: $dir)"
    fi
}

# ---- swift-asan ----
# Known report outside the library, tolerated by exact signature (every other report fails the check):
#   "attempting free on address which was not malloc()-ed" raised while libswiftCore's type-name cache
#   (swift_getTypeName / swift_getMangledTypeName, a runtime DenseMap) grows, called from swift-testing's
#   Test.id / String(describingForTest:). No VideoGen frame; it appears once the suite names enough distinct types
#   (the 159- and 181-test suites of the dialects work: always; the 84-test suite of 5b4fb19: never). Swift 6.3.1.
# Because that report would abort the run at test discovery, the tests are built with -sanitize-recover=address
# (in their own scratch path, .build-asan-tests, so the asan check's library build keeps aborting on the first
# report) and run with halt_on_error=0, and each report is classified.
check_swift_asan() {
    local dir="$out/swift-asan" started=$SECONDS status summary build_time
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! "$swift" build --build-tests --sanitize=address -Xswiftc -sanitize-recover=address \
        --scratch-path "$root/.build-asan-tests" > "$dir/build.log" 2>&1; then
        grep -E 'error:' "$dir/build.log" | head -n 10
        record FAIL swift-asan "the ASan build of the Swift tests failed (log: $dir/build.log)"
        return
    fi
    build_time=$((SECONDS - started))
    # Suites that compile C programs with plain cc against the libvideogen.so beside the test executable
    # (Support/CProgram.swift) cannot link against the ASan build of it (undefined __asan_* symbols): skipped here,
    # they run in make test. Their C programs are not under ASan in this check.
    local skipped=() file name
    for file in $(grep -l 'CProgram' "$root"/Tests/VideoGenTests/*.swift 2> /dev/null); do
        while IFS= read -r name; do skipped+=("$name"); done \
            < <(sed -n -E 's/^(struct|final class|class|enum) ([A-Za-z0-9_]+Tests)\b.*/\2/p' "$file")
    done
    local skip_args=()
    if [ ${#skipped[@]} -gt 0 ]; then
        skip_args=(--skip "VideoGenTests\\.($(IFS='|'; echo "${skipped[*]}"))/")
    fi
    ASAN_OPTIONS="detect_leaks=0:halt_on_error=0:log_path=$dir/asan" \
        "$swift" test --skip-build --sanitize=address -Xswiftc -sanitize-recover=address \
        --scratch-path "$root/.build-asan-tests" ${skip_args[@]+"${skip_args[@]}"} > "$dir/test.log" 2>&1
    status=$?
    # One line per report: "known" or "finding", from each report's text up to its SUMMARY line.
    local verdicts known findings
    verdicts="$(cat "$dir"/asan.* 2> /dev/null | awk '
        /ERROR: AddressSanitizer/ { inside = 1; text = "" }
        inside { text = text "\n" $0 }
        inside && /^SUMMARY: AddressSanitizer/ {
            inside = 0
            if (text ~ /attempting free on address which was not malloc/ && text ~ /swift_get(Mangled)?TypeName/ \
                && text !~ /Sources\/VideoGen|VideoGenC|libvideogen/) print "known"; else print "finding"
        }
        END { if (inside) print "finding" }')"
    known="$(printf '%s\n' "$verdicts" | grep -c '^known$')"
    findings="$(printf '%s\n' "$verdicts" | grep -c '^finding$')"
    summary="$(grep -E 'Test run with [0-9]+ tests?' "$dir/test.log" | tail -n 1 | sed -E 's/^[^A-Za-z]*//')"
    local text="swift test exit $status: ${summary:-no Swift Testing summary}${skipped[*]:+ (skipped, they link plain-cc programs: ${skipped[*]})}; $findings ASan reports, plus $known known Swift-runtime type-name-cache bad-free (no library frame) (build ${build_time} s, run $((SECONDS - started - build_time)) s)"
    if [ "$status" -eq 0 ] && [ "$findings" -eq 0 ]; then
        record ok swift-asan "$text"
    else
        grep -E 'error:|✘' "$dir/test.log" | head -n 10 | sed 's/^/#   /'
        show_reports "$dir"/asan.*
        record FAIL swift-asan "$text (logs: $dir)"
    fi
}

# ---- valgrind ----
check_valgrind() {
    local dir="$out/valgrind" started=$SECONDS build_time p f errors definite invalid suppressed
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! command -v valgrind > /dev/null 2>&1; then
        record FAIL valgrind "valgrind is not installed (apt-get install valgrind)"
        return
    fi
    if ! "$swift" build -c release --product videogen > "$dir/build.log" 2>&1; then
        grep -E 'error:' "$dir/build.log" | head -n 10
        record FAIL valgrind "the release build failed (log: $dir/build.log)"
        return
    fi
    build_time=$((SECONDS - started))
    VG_BUILD_DIR="$dir/c" VG_SKIP_LIB_CHECKS=1 \
        VG_TEST_WRAPPER="valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=40 --suppressions=$root/Tests/sanitizers/valgrind.supp --log-file=$dir/memcheck.%p.log" \
        bash "$root/Tests/c/run.sh" "$root/.build/release" \
        --only null_args --only null_handle_getters --only free_null_is_noop --only double_free --only use_after_free \
        --only stale_handle_after_reuse --only wrong_kind_handles --only forged_handles --only error_cleared_on_success \
        --only resume_refuses_bad_records --only cancel_bad_flags --only wait_nan_timeout \
        --only happy_path --only cancel_from_thread --only cancel_in_callback --only free_during_wait --only async_cancel \
        --only async_client_freed_first --only updates_stop_and_cancel_v2 --only updates_dispatch_v2 \
        > "$dir/suite.log" 2>&1
    read -r p f < <(suite_counts "$dir/suite.log")
    local logs=("$dir"/memcheck.*.log)
    if [ ! -f "${logs[0]}" ]; then
        record FAIL valgrind "$p tests passed, $f failed; no memcheck log (logs: $dir)"
        return
    fi
    errors="$(sed -n -E 's/.*ERROR SUMMARY: ([0-9,]+) errors.*/\1/p' "${logs[@]}" | tr -d , | awk '{ s += $1 } END { print s + 0 }')"
    definite="$(sed -n -E 's/.*definitely lost: ([0-9,]+) bytes in ([0-9,]+) blocks.*/\1 bytes in \2 blocks/p' "${logs[@]}" | head -n 1)"
    suppressed="$(sed -n -E 's/.*suppressed: ([0-9,]+) bytes in ([0-9,]+) blocks.*/\1 bytes in \2 blocks/p' "${logs[@]}" | head -n 1)"
    invalid="$(count 'Invalid (read|write|free)|uninitialised|Mismatched free|overlap' "${logs[@]}")"
    local text="$p C tests passed, $f failed; ERROR SUMMARY $errors errors; $invalid invalid accesses; definitely lost ${definite:-0 bytes (no leak summary)}; suppressed ${suppressed:-0 bytes} (build ${build_time} s, run $((SECONDS - started - build_time)) s)"
    if [ "$f" -eq 0 ] && [ "$p" -gt 0 ] && [ "$errors" -eq 0 ] && [ "$invalid" -eq 0 ]; then
        record ok valgrind "$text"
    else
        grep -E '^FAIL' "$dir/suite.log" | head -n 10 | sed 's/^/#   /'
        grep -h -A 12 -E 'Invalid (read|write|free)|definitely lost in loss record' "${logs[@]}" | head -n 30 \
            | "$toolchain_bin/swift-demangle" --simplified | cut -c 1-200 | sed 's/^/#   /'
        record FAIL valgrind "$text (logs: $dir)"
    fi
}

total_started=$SECONDS
for check in "${checks[@]}"; do
    echo "# $check"
    case "$check" in
        asan) check_asan ;;
        tsan) check_tsan ;;
        swift-asan) check_swift_asan ;;
        valgrind) check_valgrind ;;
    esac
done
echo "# summary (${#checks[@]} checks in $((SECONDS - total_started)) s)"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
