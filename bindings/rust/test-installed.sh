#!/usr/bin/env bash
# The Rust binding against an installed library (make test-rust-installed): `make install` of the dist library into
# a scratch prefix, then the whole cargo test suite built with VIDEOGEN_PKG_CONFIG=1 (pkg-config finds the prefix
# through PKG_CONFIG_PATH), and the test programs checked to load that library (RUNPATH, ldd) and nothing of the
# Swift toolchain.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="$root/.build/rust-install"
target="$root/.build/rust-target-installed"
rm -rf "$prefix"
make -C "$root" --no-print-directory install PREFIX="$prefix" >/dev/null
cd "$root/bindings/rust"
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" VIDEOGEN_PKG_CONFIG=1 CARGO_TARGET_DIR="$target" \
    "${CARGO:-cargo}" test --offline
status=0
for program in "$target"/debug/deps/conformance-* "$target"/debug/examples/generate; do
    [[ -x "$program" && ! -d "$program" ]] || continue
    if ! readelf -d "$program" | grep -q "RUNPATH.*\[$prefix/lib\]"; then
        echo "not ok: $program has no RUNPATH to $prefix/lib" >&2; status=1
    fi
    loaded="$(ldd "$program")"
    if ! grep -q "libvideogen.so.1 => $prefix/lib/libvideogen.so.1" <<<"$loaded"; then
        echo "not ok: $program does not load the installed library:" >&2; echo "$loaded" >&2; status=1
    fi
    if grep -qi swift <<<"$loaded"; then
        echo "not ok: $program loads the Swift toolchain:" >&2; echo "$loaded" >&2; status=1
    fi
done
[[ $status == 0 ]] && echo "ok: the Rust binding passes against the installed library ($prefix)"
exit $status
