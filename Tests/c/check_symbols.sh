#!/usr/bin/env bash
# check_symbols.sh LIBDIR: checks the dynamic symbols of LIBDIR/libvideogen.so against include/videogen.h.
#   - every global defined symbol (nm types T, D, B, R, and the other upper-case ones) starts with vg_
#     (the linker's _init, _fini, _edata, _end and __bss_start are ignored);
#   - every function declared in the header is exported, as a function (type T);
#   - every exported vg_ symbol is declared in the header.
# Prints "ok - name" / "FAIL - name: reason" per check and, last, "N passed, N failed"; exits 1 on a failure.
set -u

here="$(cd "$(dirname "$0")" && pwd)"
header="$here/../../include/videogen.h"
. "$here/../support/tap.sh"

if [ $# -ne 1 ]; then
    echo "usage: $0 LIBDIR" >&2
    exit 2
fi
lib="$1/libvideogen.so"

if [ -f "$lib" ]; then pass "library_exists"; else fail "library_exists" "$lib not found"; finish; fi
if [ -f "$header" ]; then pass "header_exists"; else fail "header_exists" "$header not found"; finish; fi

if ! symbols="$(nm -D --defined-only "$lib" 2>&1)"; then
    fail "nm" "nm -D --defined-only failed: $symbols"
    finish
fi

# "ADDRESS TYPE NAME[@VERSION]" -> "TYPE NAME" for global (upper-case type) symbols.
globals="$(printf '%s\n' "$symbols" | awk 'NF >= 3 && $2 ~ /^[A-Z]$/ { name = $3; sub(/@.*/, "", name); print $2, name }')"

# 1. Only vg_ symbols are exported.
strays="$(printf '%s\n' "$globals" | awk '$2 != "" { print $2 }' \
    | grep -v -E '^(vg_.*|_init|_fini|_edata|_end|__bss_start)$' || true)"
if [ -z "$strays" ]; then
    pass "only_vg_symbols_exported"
else
    count="$(printf '%s\n' "$strays" | wc -l)"
    fail "only_vg_symbols_exported" "$count global symbols without the vg_ prefix, e.g. $(printf '%s\n' "$strays" | head -5 | tr '\n' ' ')"
fi

# 2. The functions of the header: declarations outside comments that start at column 0 with a type.
declared="$(sed -e 's#/\*.*\*/##g' "$header" | awk '
    /\/\*/ { in_comment = 1 }
    in_comment { if (/\*\//) in_comment = 0; next }
    /^[A-Za-z]/ && !/^typedef/ && !/^#/ { print }' \
    | grep -o -E '\bvg_[a-z0-9_]+[[:space:]]*\(' | sed -E 's/[[:space:]]*\($//' | sort -u)"
ndeclared="$(printf '%s\n' "$declared" | grep -c . || true)"
if [ "$ndeclared" -ge 20 ]; then
    pass "header_declarations_parsed"
else
    fail "header_declarations_parsed" "found only $ndeclared vg_ function declarations in $header"
fi

missing=""
not_function=""
for name in $declared; do
    type="$(printf '%s\n' "$globals" | awk -v n="$name" '$2 == n { print $1; exit }')"
    if [ -z "$type" ]; then
        missing="$missing $name"
    elif [ "$type" != "T" ]; then
        not_function="$not_function $name($type)"
    fi
done
if [ -z "$missing" ]; then
    pass "every_header_function_exported"
else
    fail "every_header_function_exported" "not exported:$missing"
fi
if [ -z "$not_function" ]; then
    pass "header_functions_are_code"
else
    fail "header_functions_are_code" "exported with a non-code type:$not_function"
fi

# 3. Nothing is exported beyond the header.
extra=""
for name in $(printf '%s\n' "$globals" | awk '$2 ~ /^vg_/ { print $2 }' | sort -u); do
    if ! printf '%s\n' "$declared" | grep -q -x "$name"; then extra="$extra $name"; fi
done
if [ -z "$extra" ]; then
    pass "no_undeclared_vg_symbols"
else
    fail "no_undeclared_vg_symbols" "exported but not in the header:$extra"
fi

finish
