#!/usr/bin/env bash
# run.sh LIBDIR: the whole C test suite of libvideogen.
#   1. compiles the test program into Tests/c/build/ (gcc, C99, -Wall -Wextra -Werror -pedantic);
#   2. starts two emulators on free ports (the second answers 401s with "WWW-Authenticate: Basic");
#   3. runs the C API tests against them, then check_symbols.sh and check_header.sh;
#   4. prints "N passed, N failed" over everything as its last line; exits 1 on any failure.
# Usage, from the repository root: bash Tests/c/run.sh .build/release
# Needs gcc, python3 and the built library. Extra arguments after LIBDIR go to the test program (e.g. --only auth).
# Optional environment (all unset by default, which gives the behaviour above; used by scripts/check-sanitizers.sh):
#   VG_CC           the C compiler (default gcc), e.g. the toolchain's clang for sanitizer builds;
#   VG_CFLAGS       extra compiler flags, appended to the C99 warning flags (e.g. -fsanitize=address -g);
#   VG_LDFLAGS      extra linker flags (e.g. -fsanitize=address);
#   VG_BUILD_DIR    where the test program and logs go (default Tests/c/build), so runs do not overwrite each other;
#   VG_TEST_WRAPPER a command line the test program runs under (e.g. "valgrind --error-exitcode=99 ...");
#   VG_TEST_ENV     NAME=VALUE words set for the test program only (e.g. "ASAN_OPTIONS=detect_leaks=0");
#   VG_SKIP_LIB_CHECKS=1 skips check_symbols.sh and check_header.sh (they judge the release library and header).
set -u

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 LIBDIR [test options]" >&2
    exit 2
fi
libdir="$(cd "$1" && pwd)"
shift
build="${VG_BUILD_DIR:-$here/build}"
mkdir -p "$build"
build="$(cd "$build" && pwd)"
rm -rf "$build/work"
mkdir -p "$build/work"

total_passed=0
total_failed=0

# add_counts FILE: adds the "N passed, N failed" last line of FILE to the totals; a missing line is one failure.
add_counts() {
    local last
    last="$(tail -n 1 "$1" 2> /dev/null)"
    if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        total_passed=$((total_passed + BASH_REMATCH[1]))
        total_failed=$((total_failed + BASH_REMATCH[2]))
    else
        echo "FAIL - $2: no summary line (the program died or hung)"
        total_failed=$((total_failed + 1))
    fi
}

# ---- Emulators. ----

emulator_pids=()
cleanup() {
    local pid
    for pid in ${emulator_pids[@]+"${emulator_pids[@]}"}; do
        kill -TERM "$pid" 2> /dev/null
    done
    for pid in ${emulator_pids[@]+"${emulator_pids[@]}"}; do
        wait "$pid" 2> /dev/null
    done
    emulator_pids=()
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# start_emulator NAME ARGS...: starts an emulator; its ready file is $build/NAME.ready.
start_emulator() {
    local name="$1"
    shift
    rm -f "$build/$name.ready"
    PYTHONPATH="$root/emulator${PYTHONPATH:+:$PYTHONPATH}" python3 -m videogen_emulator \
        --host 127.0.0.1 --port 0 --task-seconds 1 --api-key sk-test --ready-file "$build/$name.ready" "$@" \
        > "$build/$name.log" 2>&1 &
    emulator_pids+=($!)
}

# ready_url NAME: waits up to 10 s for the emulator's ready file and prints its URL.
ready_url() {
    local i
    for i in $(seq 1 100); do
        if [ -s "$build/$1.ready" ]; then
            head -n 1 "$build/$1.ready"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# ---- 1. Compile. ----

cc="${VG_CC:-gcc}"
read -r -a extra_cflags <<< "${VG_CFLAGS:-}"
read -r -a extra_ldflags <<< "${VG_LDFLAGS:-}"
echo "# compiling the C tests against $libdir${VG_CC:+ with $cc}"
if "$cc" -std=c99 -Wall -Wextra -Werror -pedantic ${extra_cflags[@]+"${extra_cflags[@]}"} -I"$root/include" \
    "$here/harness.c" "$here/test_main.c" "$here/test_basics.c" "$here/test_misuse.c" "$here/test_api.c" "$here/test_async.c" "$here/test_updates.c" "$here/test_images.c" "$here/test_videos.c" "$here/test_providers_direct.c" "$here/test_providers2.c" "$here/test_files.c" "$here/test_webhooks.c" "$here/test_direct_providers.c" "$here/test_hammer.c" "$here/test_google.c" "$here/test_gemini_interactions.c" \
    -o "$build/vg_tests" -L"$libdir" -lvideogen -Wl,-rpath,"$libdir" -lpthread ${extra_ldflags[@]+"${extra_ldflags[@]}"} \
    > "$build/compile.log" 2>&1; then
    compiled=1
else
    compiled=0
    cat "$build/compile.log"
    echo "FAIL - compile: the C tests do not compile"
    total_failed=$((total_failed + 1))
fi

# ---- 2. Emulators. ----

# The main emulator signs its callbacks (tasks submitted with a callback_url) with test_webhooks.c's secret.
start_emulator main --webhook-secret whsec_dmlkZW9nZW4tYy10ZXN0LXNlY3JldC0zMi1ieXRlcyE=
start_emulator basic --www-authenticate Basic
base_url="$(ready_url main)" || base_url=""
basic_url="$(ready_url basic)" || basic_url=""
if [ -z "$base_url" ] || [ -z "$basic_url" ]; then
    echo "FAIL - emulators: not ready within 10 s"
    cat "$build/main.log" "$build/basic.log" 2> /dev/null
    total_failed=$((total_failed + 1))
fi

# ---- 3. The C API tests. ----

if [ "$compiled" -eq 1 ] && [ -n "$base_url" ] && [ -n "$basic_url" ]; then
    asset="$root/emulator/videogen_emulator/assets/sample.mp4"
    args=("$base_url" --basic "$basic_url" --asset "$asset" --workdir "$build/work")
    if command -v sha256sum > /dev/null 2>&1; then
        args+=(--sha256 "$(sha256sum "$asset" | cut -d ' ' -f 1)")
    fi
    echo "# C API tests against $base_url (Basic challenge: $basic_url)"
    runner=()
    if command -v timeout > /dev/null 2>&1; then runner=(timeout -k 5 600); fi
    read -r -a test_env <<< "${VG_TEST_ENV:-}"
    if [ ${#test_env[@]} -gt 0 ]; then runner+=(env ${test_env[@]+"${test_env[@]}"}); fi
    read -r -a wrapper <<< "${VG_TEST_WRAPPER:-}"
    ${runner[@]+"${runner[@]}"} ${wrapper[@]+"${wrapper[@]}"} "$build/vg_tests" "${args[@]}" "$@" 2>&1 | tee "$build/api.out"
    add_counts "$build/api.out" "api_tests"

    # examples/c/webhook_receiver.c, as its comment says to run it: the emulator's signed callback ends its wait
    # (60-s polling) and the emulator's request log shows no status poll of the task.
    echo "# examples/c/webhook_receiver.c"
    if "$cc" -std=c99 -Wall -Wextra -Werror -pedantic -I"$root/include" "$root/examples/c/webhook_receiver.c" \
        -o "$build/webhook_receiver" -L"$libdir" -lvideogen -Wl,-rpath,"$libdir" -lpthread > "$build/example.log" 2>&1 \
        && VIDEOGEN_API_KEY=sk-test VIDEOGEN_WEBHOOK_SECRET=whsec_dmlkZW9nZW4tYy10ZXN0LXNlY3JldC0zMi1ieXRlcyE= \
            ${runner[@]+"${runner[@]}"} "$build/webhook_receiver" "$base_url" "$build/work/webhook.mp4" \
            >> "$build/example.log" 2>&1 \
        && grep -q '^succeeded$' "$build/example.log" && cmp -s "$asset" "$build/work/webhook.mp4" \
        && task_id="$(sed -n 's/^submitted \([^;]*\);.*/\1/p' "$build/example.log")" \
        && python3 -c 'import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/_emulator/requests"))
entries = log["requests"] if isinstance(log, dict) else log
polls = [e for e in entries if e["method"] == "GET" and e["path"].endswith("/" + sys.argv[2])]
sys.exit(1 if polls else 0)' "$base_url" "$task_id"; then
        echo "ok - example_webhook_receiver"
        total_passed=$((total_passed + 1))
    else
        cat "$build/example.log"
        echo "FAIL - example_webhook_receiver"
        total_failed=$((total_failed + 1))
    fi
fi
cleanup

# ---- 4. Symbols and header. ----

if [ "${VG_SKIP_LIB_CHECKS:-0}" != 1 ]; then
    echo "# exported symbols"
    bash "$here/check_symbols.sh" "$libdir" 2>&1 | tee "$build/symbols.out"
    add_counts "$build/symbols.out" "check_symbols"

    echo "# header"
    bash "$here/check_header.sh" "$build" 2>&1 | tee "$build/header.out"
    add_counts "$build/header.out" "check_header"
fi

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
