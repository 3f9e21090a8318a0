#!/usr/bin/env bash
# check_header.sh [BUILDDIR]: compiles a file that includes include/videogen.h as C99, C11 and C++11 with
# -Wall -Wextra -Werror -pedantic (gcc and g++, and clang and clang++ when available). The file includes the
# header first (it must be self-contained), twice (the include guard must work), and uses its types, enums,
# macros and callback types.
# Prints "ok - name" / "FAIL - name: reason" per compilation and, last, "N passed, N failed"; exits 1 on a failure.
set -u

here="$(cd "$(dirname "$0")" && pwd)"
include="$(cd "$here/../../include" && pwd)"
build="${1:-$here/build}/header"
mkdir -p "$build"
passed=0
failed=0
pass() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "FAIL - $1: $2"; failed=$((failed + 1)); }

cat > "$build/header_check.c" <<'EOF'
#include "videogen.h"
#include "videogen.h" /* the include guard makes this harmless */

/* Compile-time checks of the ABI numbering (C89-style static assertions, valid in C and C++). */
typedef char vg_check_ok_is_zero[(VG_OK == 0) ? 1 : -1];
typedef char vg_check_internal_is_25[(VG_E_INTERNAL == 25) ? 1 : -1];
typedef char vg_check_expired_is_5[(VG_STATE_EXPIRED == 5) ? 1 : -1];
typedef char vg_check_remote_is_1[(VG_CANCEL_REMOTE == 1) ? 1 : -1];
typedef char vg_check_version_num[(VG_VERSION_NUM == ((VG_VERSION_MAJOR << 16) | (VG_VERSION_MINOR << 8) | VG_VERSION_PATCH)) ? 1 : -1];
typedef char vg_check_abi[(VG_ABI_VERSION >= 1) ? 1 : -1];

static int on_progress(vg_task *task, void *user_data)
{
    (void)task;
    (void)user_data;
    return 0;
}

static int on_bytes(vg_task *task, uint64_t received, int64_t total, void *user_data)
{
    (void)task;
    (void)received;
    (void)total;
    (void)user_data;
    return 0;
}

int header_check(void);

int header_check(void)
{
    vg_progress_fn progress = on_progress;
    vg_transfer_fn bytes = on_bytes;
    vg_code code = VG_E_RATE_LIMITED;
    vg_state state = VG_STATE_SUCCEEDED;
    vg_cancel_flags flags = VG_CANCEL_LOCAL;
    vg_client *client = 0;
    vg_task *task = 0;
    vg_error *error = 0;
    unsigned int (*version)(void) = vg_version_number;
    const char *text = VG_VERSION_STRING;
    vg_code (*create)(const char *, vg_client **, vg_error **) = vg_client_create;
    vg_code (*wait)(vg_task *, double, vg_progress_fn, void *, vg_error **) = vg_task_wait;
    vg_code (*download)(vg_task *, const char *, vg_transfer_fn, void *, vg_error **) = vg_task_download;
    vg_code (*list)(vg_client *, const char *, char **, vg_error **) = vg_client_list_tasks;
    vg_code (*remove_remote)(vg_task *, vg_error **) = vg_task_delete_remote;
    vg_code (*remix)(vg_task *, const char *, vg_task **, vg_error **) = vg_task_remix;
    vg_code (*variant)(vg_task *, const char *, const char *, vg_transfer_fn, void *, vg_error **) = vg_task_download_variant;
    (void)progress;
    (void)bytes;
    (void)client;
    (void)task;
    (void)error;
    (void)version;
    (void)create;
    (void)wait;
    (void)download;
    (void)list;
    (void)remove_remote;
    (void)remix;
    (void)variant;
    return (int)code + (int)state + (int)flags + (int)text[0];
}
EOF
cp "$build/header_check.c" "$build/header_check.cpp"

# try NAME COMPILER ARGS...: compiles and records the result.
try() {
    local name="$1"
    shift
    local output
    if output="$("$@" 2>&1)"; then
        pass "$name"
    else
        fail "$name" "$(printf '%s' "$output" | head -5 | tr '\n' ' ')"
    fi
}

warn=(-Wall -Wextra -Werror -pedantic)
cwarn=("${warn[@]}" -Wstrict-prototypes -Wmissing-prototypes)

try "gcc_c99" gcc -std=c99 "${cwarn[@]}" -I"$include" -c "$build/header_check.c" -o "$build/gcc_c99.o"
try "gcc_c11" gcc -std=c11 "${cwarn[@]}" -I"$include" -c "$build/header_check.c" -o "$build/gcc_c11.o"
try "gxx_cxx11" g++ -std=c++11 "${warn[@]}" -I"$include" -c "$build/header_check.cpp" -o "$build/gxx_cxx11.o"
# C++ linkage: the functions must come out unmangled (extern "C").
if [ -f "$build/gxx_cxx11.o" ]; then
    if nm "$build/gxx_cxx11.o" | grep -q -E ' U vg_client_create$'; then
        pass "gxx_extern_c"
    else
        fail "gxx_extern_c" "g++ references no unmangled vg_client_create: the header lacks extern \"C\""
    fi
fi
if command -v clang > /dev/null 2>&1; then
    try "clang_c99" clang -std=c99 "${cwarn[@]}" -I"$include" -c "$build/header_check.c" -o "$build/clang_c99.o"
fi
if command -v clang++ > /dev/null 2>&1; then
    try "clangxx_cxx11" clang++ -std=c++11 "${warn[@]}" -I"$include" -c "$build/header_check.cpp" -o "$build/clangxx_cxx11.o"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
