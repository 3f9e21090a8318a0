#!/usr/bin/env bash
# run.sh: the self-contained library (make dist) and its install (make install), proved where the Swift toolchain
# is not. `make test-dist` runs it after `make dist`; it needs gcc, python3, pkg-config, cmake and unshare
# (scripts/ensure-deps.sh --dist-tests installs the last three).
#
#   1. The dist library's own properties: its files and links, SONAME libvideogen.so.<VG_ABI_VERSION>, no
#      RPATH/RUNPATH, only system C/C++ runtime libraries and libcurl needed (readelf and ldd), stripped, at most
#      20 MB, only the header's vg_ functions exported (Tests/c/check_symbols.sh).
#   2. The toolchain is hidden: each run below happens in a private mount namespace where the toolchain's
#      directory (the one holding `swift`, e.g. /opt/swift) is an empty tmpfs (Tests/dist/hide-toolchain.sh).
#      A control proves the hiding works: the same C program linked against the development build fails there
#      because libswiftCore.so cannot be found.
#   3. With the toolchain hidden: a C program (Tests/dist/job.c) and the Python binding (Tests/dist/job.py) run
#      the main job (submit, wait, download, byte-compare with the emulator's video) against the dist library,
#      then read /proc/self/maps and fail if anything is mapped from the toolchain's directory, if any Swift
#      runtime library is mapped from anywhere, or if libvideogen is not the one they were pointed at. The whole C
#      suite (Tests/c/run.sh) runs against the dist library there too.
#   4. With the toolchain hidden: `make install PREFIX=/usr/local DESTDIR=<stage>` (which then installs the
#      library `make dist` built), a C program built with `pkg-config --cflags --libs videogen` and a CMake project
#      (`find_package(videogen)`, Tests/dist/cmake) against that install, each run as in 3 and checked to record
#      the SONAME; then `make uninstall` removes exactly what install put and nothing else.
#   5. The README's commands as written, in a private namespace with an empty /usr/local and a private ld.so.cache:
#      `make install`, `cc myprog.c -o myprog $(pkg-config --cflags --libs videogen)` and the program found by the
#      loader through ldconfig (no rpath), with the toolchain hidden; then `make uninstall` and ldconfig.
# If the toolchain cannot be hidden (no unshare, no privilege for a mount namespace), every run that needs it is a
# FAIL saying so, never a skip.
# Prints "ok - name" / "FAIL - name: reason" per check and, last, "N passed, N failed"; exits 1 on any failure.
set -u

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
. scripts/header-version.sh
make="${MAKE:-make}"
build="$here/build"
rm -rf "$build"
mkdir -p "$build"
dist="$root/.build/dist/lib"
devlib="$root/.build/release"
export VIDEOGEN_API_KEY="sk-dist-$RANDOM$RANDOM"

. "$root/Tests/support/tap.sh"

# ---- The emulator: how it is started and where its video is. The only lines that know where it lives. ----

EMULATOR_PYTHONPATH="$root/emulator"
EMULATOR_MODULE="videogen_emulator"
emulator_pid=""
# start_emulator: starts it on a free loopback port; sets base_url (empty when it did not come up within 10 s).
start_emulator() {
    local ready="$build/emulator.ready" i
    PYTHONPATH="$EMULATOR_PYTHONPATH" python3 -m "$EMULATOR_MODULE" --host 127.0.0.1 --port 0 --task-seconds 1 \
        --api-key "$VIDEOGEN_API_KEY" --ready-file "$ready" > "$build/emulator.log" 2>&1 &
    emulator_pid=$!
    base_url=""
    for i in $(seq 1 100); do
        if [ -s "$ready" ]; then base_url="$(head -n 1 "$ready")"; return 0; fi
        kill -0 "$emulator_pid" 2> /dev/null || break
        sleep 0.1
    done
    cat "$build/emulator.log" >&2
}
# emulator_asset: the path of the video the emulator serves.
emulator_asset() {
    PYTHONPATH="$EMULATOR_PYTHONPATH" python3 -c \
        "import importlib, sys; print(importlib.import_module(sys.argv[1] + '.media').SAMPLE_PATH)" "$EMULATOR_MODULE"
}
stop_emulator() {
    if [ -n "$emulator_pid" ]; then
        kill -TERM "$emulator_pid" 2> /dev/null
        wait "$emulator_pid" 2> /dev/null
        emulator_pid=""
    fi
}
trap stop_emulator EXIT
trap 'stop_emulator; exit 130' INT
trap 'stop_emulator; exit 143' TERM

# ---- What to hide: the toolchain of the `swift` on PATH. ----

. "$here/toolchain.sh"
# run_hidden NAME COMMAND...: runs COMMAND hidden, output in $build/NAME.out; passes NAME on status 0; the
# command's own ok/FAIL lines are shown.
run_hidden() {
    local name="$1" status
    shift
    hidden "$@" > "$build/$name.out" 2>&1
    status=$?
    sed 's/^/    /' "$build/$name.out"
    if [ "$status" -eq 0 ]; then pass "$name"; else fail "$name" "exit status $status (output above, in $build/$name.out)"; fi
}

# ---- 1. The dist library. ----

real="libvideogen.so.$VG_VERSION"
soname="libvideogen.so.$VG_ABI"
lib="$dist/$real"
if [ -f "$lib" ] && [ ! -L "$lib" ] && [ "$(readlink "$dist/$soname")" = "$real" ] \
    && [ "$(readlink "$dist/libvideogen.so")" = "$soname" ]; then
    pass "dist_files_and_links"
else
    fail "dist_files_and_links" "expected $dist/$real, $soname -> $real, libvideogen.so -> $soname; found: $(ls -l "$dist" 2>&1 | tr '\n' ' ')"
    finish
fi

dynamic="$(readelf -d "$lib")"
found_soname="$(sed -n -E 's/.*\(SONAME\).*\[(.*)\]/\1/p' <<< "$dynamic")"
[ "$found_soname" = "$soname" ] && pass "dist_soname_is_abi" || fail "dist_soname_is_abi" "SONAME '$found_soname', expected $soname (VG_ABI_VERSION $VG_ABI)"

grep -q -E "\((RPATH|RUNPATH)\)" <<< "$dynamic" && fail "dist_no_rpath" "$(grep -E 'RPATH|RUNPATH' <<< "$dynamic")" || pass "dist_no_rpath"

needed="$(sed -n -E 's/.*\(NEEDED\).*\[(.*)\]/\1/p' <<< "$dynamic")"
others="$(grep -v -E '^(libc|libm|libstdc\+\+|libgcc_s|libcurl|libcrypto|libdl|libpthread|librt|libutil)\.so\.[0-9]+$|^ld-linux[-a-z0-9_]*\.so\.[0-9]+$' <<< "$needed")"
[ -z "$others" ] && pass "dist_needs_only_system_runtime_and_libcurl" \
    || fail "dist_needs_only_system_runtime_and_libcurl" "also needs: $(tr '\n' ' ' <<< "$others")"
echo "# NEEDED: $(tr '\n' ' ' <<< "$needed")"

ldd_out="$(ldd "$lib" 2>&1)"
bad_ldd="$(grep -E "not found|libswift|libFoundation|libdispatch|libBlocksRuntime" <<< "$ldd_out")"
for dir in "${hide[@]}"; do bad_ldd="$bad_ldd$(grep -F "$dir/" <<< "$ldd_out")"; done
[ -z "$bad_ldd" ] && pass "dist_ldd_no_toolchain" || fail "dist_ldd_no_toolchain" "$(tr '\n' ' ' <<< "$bad_ldd")"

sections="$(readelf -S -W "$lib")"
grep -q -E "\.symtab|\.debug_info" <<< "$sections" && fail "dist_stripped" "it still has .symtab or .debug_info" || pass "dist_stripped"

size="$(stat -c %s "$lib")"
echo "# size: $size bytes"
[ "$size" -le 20000000 ] && pass "dist_at_most_20MB" || fail "dist_at_most_20MB" "$size bytes"

if bash "$root/Tests/c/check_symbols.sh" "$dist" > "$build/symbols.out" 2>&1; then
    pass "dist_exports_only_header_functions"
else
    sed 's/^/    /' "$build/symbols.out"
    fail "dist_exports_only_header_functions" "Tests/c/check_symbols.sh $dist failed (above)"
fi

# ---- 2. Hiding the toolchain, and a control that it works. ----

cc_flags=(-std=c99 -Wall -Wextra -Werror -pedantic)
start_emulator
asset="$(emulator_asset)"
if [ -z "$base_url" ] || [ ! -s "$asset" ]; then
    fail "emulator" "not ready within 10 s, or no asset ('$asset')"
    finish
fi
echo "# emulator at $base_url, video $asset"

if gcc "${cc_flags[@]}" -I"$root/include" "$here/job.c" -L"$devlib" -lvideogen -Wl,-rpath,"$devlib" \
    -o "$build/job-dev" > "$build/compile-dev.log" 2>&1; then
    hidden sh -c 'command -v swift || test -e "$1" && exit 1; exec "$2" "$3" "$4" "$5" "$6"' sh "$runtime" \
        "$build/job-dev" "$base_url" "$asset" "$build/dev.mp4" "$devlib" > "$build/control.out" 2>&1
    status=$?
    if [ "$status" -ne 0 ] && [ "$status" -ne 97 ] && grep -q "libswiftCore.so: cannot open shared object file" "$build/control.out"; then
        pass "hidden_toolchain_stops_the_dev_build"
    else
        sed 's/^/    /' "$build/control.out"
        fail "hidden_toolchain_stops_the_dev_build" "status $status: the development build was expected to fail to load libswiftCore.so with ${hide[*]} hidden"
    fi
else
    cat "$build/compile-dev.log"
    fail "hidden_toolchain_stops_the_dev_build" "job.c does not compile against the development build"
fi

# ---- 3. The main job against the dist library, from C and from Python. ----

# Every symbol resolves when the library loads with the toolchain gone (LD_BIND_NOW: functions too, not only data).
run_hidden "dist_loads_with_every_symbol_bound_toolchain_hidden" env LD_BIND_NOW=1 python3 -c \
    'import ctypes, sys; ctypes.CDLL(sys.argv[1]); print("# loaded", sys.argv[1])' "$dist/$soname"

if gcc "${cc_flags[@]}" -I"$root/include" "$here/job.c" -L"$dist" -lvideogen -Wl,-rpath,"$dist" \
    -o "$build/job-dist" > "$build/compile-dist.log" 2>&1; then
    run_hidden "c_job_dist_library_toolchain_hidden" "$build/job-dist" "$base_url" "$asset" "$build/c.mp4" "$dist" "${hide[@]}"
else
    cat "$build/compile-dist.log"
    fail "c_job_dist_library_toolchain_hidden" "job.c does not compile against $dist"
fi

run_hidden "python_job_dist_library_toolchain_hidden" env VIDEOGEN_LIBRARY="$dist/$soname" PYTHONPATH="$root/bindings/python" \
    python3 "$here/job.py" "$base_url" "$asset" "$build/py.mp4" "$dist" "${hide[@]}"

# The whole C suite (Tests/c) against the dist library, hidden too: every API test on the statically linked runtime.
run_hidden "c_suite_dist_library_toolchain_hidden" env VG_BUILD_DIR="$build/c-suite" VG_SKIP_LIB_CHECKS=1 \
    bash "$root/Tests/c/run.sh" "$dist"

# ---- 4. make install into a staging root, pkg-config and CMake consumers, make uninstall. ----

stage="$build/stage"
prefix=/usr/local
mkdir -p "$stage$prefix/lib" "$stage$prefix/include"
echo "not ours" > "$stage$prefix/lib/libother.so.1"
echo "not ours" > "$stage$prefix/include/other.h"
run_hidden "make_install_destdir_without_swift" "$make" --no-print-directory -C "$root" install PREFIX="$prefix" DESTDIR="$stage"

libdir="$stage$prefix/lib"
expected="$(printf '%s\n' "include/other.h" "include/videogen.h" "lib/cmake/videogen/videogen-config-version.cmake" \
    "lib/cmake/videogen/videogen-config.cmake" "lib/libother.so.1" "lib/$real" "lib/libvideogen.so" "lib/$soname" \
    "lib/pkgconfig/videogen.pc" "share/videogen/install-manifest.txt" | sort)"
installed="$(cd "$stage$prefix" && find . \( -type f -o -type l \) | sed 's#^\./##' | sort)"
if [ "$installed" = "$expected" ] && cmp -s "$libdir/$real" "$lib" && [ "$(readlink "$libdir/$soname")" = "$real" ] \
    && [ "$(readlink "$libdir/libvideogen.so")" = "$soname" ] && cmp -s "$stage$prefix/include/videogen.h" include/videogen.h; then
    pass "install_layout"
else
    fail "install_layout" "installed: $(tr '\n' ' ' <<< "$installed"); expected: $(tr '\n' ' ' <<< "$expected")"
fi

# Installing again over it changes nothing: same files, the manifest lists each once.
manifest="$stage$prefix/share/videogen/install-manifest.txt"
lines_before="$(wc -l < "$manifest" 2> /dev/null)"
run_hidden "make_install_again_over_itself" "$make" --no-print-directory -C "$root" install PREFIX="$prefix" DESTDIR="$stage"
again="$(cd "$stage$prefix" && find . \( -type f -o -type l \) | sed 's#^\./##' | sort)"
lines_after="$(wc -l < "$manifest" 2> /dev/null)"
[ "$again" = "$installed" ] && [ -n "$lines_before" ] && [ "$lines_after" = "$lines_before" ] \
    && [ "$(sort "$manifest" | uniq -d)" = "" ] && pass "install_again_keeps_layout_and_manifest" \
    || fail "install_again_keeps_layout_and_manifest" "files: $(tr '\n' ' ' <<< "$again"); manifest lines $lines_before -> $lines_after"

# records_soname BINARY: the binary asks for libvideogen by its SONAME, not by the unversioned link name.
records_soname() {
    readelf -d "$1" | grep -q "(NEEDED).*\[$soname\]"
}

pc_env=(env PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage")
modversion="$("${pc_env[@]}" pkg-config --modversion videogen 2>&1)"
[ "$modversion" = "$VG_VERSION" ] && pass "pkgconfig_version" || fail "pkgconfig_version" "pkg-config --modversion videogen: '$modversion', expected $VG_VERSION"
# The README's line: sources before the flags; the rpath points at the staged libdir (a real install in a directory
# the loader searches needs none).
cat > "$build/build-pc.sh" <<EOF
set -e
gcc ${cc_flags[*]} "$here/job.c" -o "$build/job-pc" \$(pkg-config --cflags --libs videogen) -Wl,-rpath,"$libdir"
EOF
run_hidden "pkgconfig_build_toolchain_hidden" "${pc_env[@]}" sh "$build/build-pc.sh"
if [ -x "$build/job-pc" ]; then
    records_soname "$build/job-pc" && pass "pkgconfig_binary_records_soname" \
        || fail "pkgconfig_binary_records_soname" "$(readelf -d "$build/job-pc" | grep NEEDED | tr '\n' ' ')"
    run_hidden "pkgconfig_job_toolchain_hidden" "$build/job-pc" "$base_url" "$asset" "$build/pc.mp4" "$libdir" "${hide[@]}"
else
    fail "pkgconfig_job_toolchain_hidden" "no program was built"
fi

cat > "$build/build-cmake.sh" <<EOF
set -e
cmake -S "$here/cmake" -B "$build/cmake" -DCMAKE_PREFIX_PATH="$stage$prefix" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build/cmake"
EOF
run_hidden "cmake_find_package_build_toolchain_hidden" sh "$build/build-cmake.sh"
if [ -x "$build/cmake/job" ]; then
    records_soname "$build/cmake/job" && pass "cmake_binary_records_soname" \
        || fail "cmake_binary_records_soname" "$(readelf -d "$build/cmake/job" | grep NEEDED | tr '\n' ' ')"
    run_hidden "cmake_job_toolchain_hidden" "$build/cmake/job" "$base_url" "$asset" "$build/cmake.mp4" "$libdir" "${hide[@]}"
else
    fail "cmake_job_toolchain_hidden" "no program was built"
fi
stop_emulator

run_hidden "make_uninstall_destdir_without_swift" "$make" --no-print-directory -C "$root" uninstall PREFIX="$prefix" DESTDIR="$stage"
left="$(cd "$stage" && find . -mindepth 1 | sed 's#^\./##' | sort | tr '\n' ' ')"
expected_left="usr usr/local usr/local/include usr/local/include/other.h usr/local/lib usr/local/lib/libother.so.1 "
[ "$left" = "$expected_left" ] && pass "uninstall_removes_exactly_what_install_put" \
    || fail "uninstall_removes_exactly_what_install_put" "left: $left; expected: $expected_left"

# ---- 5. The README's commands as written: a real `make install` to /usr/local, in a private namespace. ----

# /usr/local is an empty tmpfs and /etc a private tmpfs of links to the real entries with a copy of ld.so.cache
# (which ldconfig rewrites), so nothing leaves the namespace. `make install` runs where Swift is visible (it then checks the dist library is up to date); the
# program is built and run after the toolchain is hidden, and pkg-config and the loader find the library on their
# default paths: no PKG_CONFIG_PATH, no rpath, as the README tells C users.
start_emulator
if [ -z "$base_url" ]; then
    fail "readme_install_and_link_default_paths_toolchain_hidden" "the emulator did not start"
elif [ ${#namespace[@]} -eq 0 ]; then
    fail "readme_install_and_link_default_paths_toolchain_hidden" "cannot make a private mount namespace here"
else
    mkdir -p "$build/etc"
    cat > "$build/readme.sh" <<EOF
set -e
mount -t tmpfs videogen-usr-local /usr/local
# A private /etc: links to every entry of the real one, except a copy of the loader's cache for ldconfig to rewrite.
mount --bind /etc "$build/etc"
mount -t tmpfs videogen-etc /etc
for entry in "$build/etc"/* "$build/etc"/.[!.]*; do [ ! -e "\$entry" ] || ln -s "\$entry" /etc/; done
rm /etc/ld.so.cache
cp "$build/etc/ld.so.cache" /etc/ld.so.cache
cd "$root"
"$make" --no-print-directory install > "$build/readme-install.log"
for dir in $(printf '%q ' "${hide[@]}"); do mount -t tmpfs -o ro,size=4k videogen-hidden-toolchain "\$dir"; done
cd "$build"
cc -std=c99 "$here/job.c" -o readme-job \$(pkg-config --cflags --libs videogen)
! readelf -d readme-job | grep -E "RPATH|RUNPATH"
./readme-job "$base_url" "$asset" "$build/readme.mp4" /usr/local/lib $(printf '%q ' "${hide[@]}")
cd "$root"
"$make" --no-print-directory uninstall > "$build/readme-uninstall.log"
test -z "\$(find /usr/local -mindepth 1)"
ldconfig
! ldconfig -p | grep libvideogen
EOF
    timeout -k 5 300 "${namespace[@]}" bash "$build/readme.sh" > "$build/readme.out" 2>&1
    status=$?
    sed 's/^/    /' "$build/readme.out"
    [ "$status" -eq 0 ] && pass "readme_install_and_link_default_paths_toolchain_hidden" \
        || fail "readme_install_and_link_default_paths_toolchain_hidden" "exit status $status (output above, logs in $build/readme-*.log)"
    stop_emulator
fi

finish
