#!/usr/bin/env bash
# make dist: the self-contained libvideogen in .build/dist/lib, from the objects of the release build.
#
#   .build/dist/lib/libvideogen.so.MAJOR.MINOR.PATCH   the library: the Swift runtime, Concurrency, Dispatch and
#                                                      FoundationEssentials linked in from the toolchain's static
#                                                      archives; stripped; SONAME libvideogen.so.ABI; needs only
#                                                      libc, libm, libstdc++, libgcc_s and libcurl
#   .build/dist/lib/libvideogen.so.ABI -> the library  (the SONAME link, what programs record and ld.so looks for)
#   .build/dist/lib/libvideogen.so     -> the SONAME   (the link-time name, for -lvideogen)
#   .build/dist/debug/libvideogen.so.MAJOR.MINOR.PATCH.debug   its debug info (the library names it in .gnu_debuglink)
#   .build/dist/libvideogen.map        the link map;   .build/dist/size.md   what the library is made of
#
# The versions come from include/videogen.h, the one place they are written: VG_VERSION_MAJOR/MINOR/PATCH name the
# file and VG_ABI_VERSION the SONAME (the C suite checks that the library reports the header's version).
#
# Why a link of its own: `swift build --static-swift-stdlib` links a dynamic library product against the
# toolchain's shared runtime all the same. The compiled objects do not depend on how they are linked, so this
# re-links SwiftPM's objects of the `videogen` product (its Objects.LinkFileList) with `swiftc -static-stdlib
# -emit-library`: the driver then takes the runtime from usr/lib/swift_static (static-stdlib-args.lnk: libswiftCore.a,
# libdispatch.a, libBlocksRuntime.a, -lstdc++, --exclude-libs ALL so no archive symbol is exported) and resolves
# the objects' autolink entries (FoundationEssentials, _Concurrency, ...) to the static archives there too.
#
# Usage: bash scripts/dist.sh [RELEASE_DIR]   (default .build/release, which `make build` fills first)
# Environment: SWIFTC (default: swiftc next to `swift`), STRIP, OBJCOPY, READELF.
set -euo pipefail
cd "$(dirname "$0")/.."

release="${1:-.build/release}"
out=.build/dist
exports=Sources/VideoGenC/exports.map

die() { echo "dist: $*" >&2; exit 1; }

. scripts/header-version.sh
version="$VG_VERSION"
real="libvideogen.so.$version"
soname="libvideogen.so.$VG_ABI"

objects="$release/videogen.product/Objects.LinkFileList"
[ -f "$objects" ] || die "$objects is missing: run 'make build' first (or SwiftPM moved its link file list)"

swift_path="$(command -v "${SWIFT:-swift}")" || die "no ${SWIFT:-swift} on PATH: building the library needs Swift 6.3"
swift_bin="$(dirname "$(readlink -f "$swift_path")")"
swiftc="${SWIFTC:-$swift_bin/swiftc}"
static_dir="$(readlink -f "$swift_bin/../lib/swift_static/linux")"
[ -f "$static_dir/libswiftCore.a" ] || die "the toolchain has no static runtime ($static_dir/libswiftCore.a)"

rm -rf "$out/lib" "$out/debug"
mkdir -p "$out/lib" "$out/debug"
unstripped="$out/debug/$real.unstripped"

echo "dist: linking $out/lib/$real (SONAME $soname) with the runtime of $static_dir"
# The linker warns once about mktemp inside libFoundationEssentials.a; that is the toolchain's, not ours.
# FoundationEssentials' own dependencies (_FoundationCollections, _FoundationCShims) are not in its autolink
# entries, so they are named here, as is libcurl (Package.swift's linkedLibrary, which the objects do not carry);
# --no-undefined turns any symbol still missing (a library added to Package.swift and not here, say) into a link
# error instead of a library that fails at load time.
"$swiftc" -static-stdlib -emit-library -o "$unstripped" @"$objects" -lcurl -lcrypto -l_FoundationCollections -l_FoundationCShims \
    -Xlinker --gc-sections -Xlinker --no-undefined \
    -Xlinker "--version-script=$exports" \
    -Xlinker "-soname=$soname" \
    -Xlinker "-Map=$out/libvideogen.map" 2> "$out/link.log" \
    || { cat "$out/link.log" >&2; die "the link failed"; }
grep -v "the use of \`mktemp' is dangerous" "$out/link.log" >&2 || true

"${OBJCOPY:-objcopy}" --only-keep-debug "$unstripped" "$out/debug/$real.debug"
"${STRIP:-strip}" --strip-all -o "$out/lib/$real" "$unstripped"
(cd "$out/lib" && "${OBJCOPY:-objcopy}" --add-gnu-debuglink="../debug/$real.debug" "$real")
rm -f "$unstripped"
chmod 0755 "$out/lib/$real"
ln -sfn "$real" "$out/lib/$soname"
ln -sfn "$soname" "$out/lib/libvideogen.so"

# The properties everything else relies on; Tests/dist/run.sh checks them in detail.
dynamic="$("${READELF:-readelf}" -d "$out/lib/$real")"
grep -q "Library soname: \[$soname\]" <<< "$dynamic" || die "the SONAME is not $soname"
! grep -q -E "\((RPATH|RUNPATH)\)" <<< "$dynamic" || die "the library has an RPATH/RUNPATH"
needed="$(sed -n -E 's/.*\(NEEDED\).*\[(.*)\]/\1/p' <<< "$dynamic" | tr '\n' ' ')"
for lib in $needed; do
    case "$lib" in
        libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|libcurl.so.*|libcrypto.so.*|ld-linux*.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libutil.so.*) ;;
        *) die "the library needs $lib, which is not a system C/C++ runtime library, libcurl or libcrypto" ;;
    esac
done

python3 scripts/dist-size.py "$out/libvideogen.map" "$out/lib/$real" > "$out/size.md"
size="$(stat -c %s "$out/lib/$real")"
echo "dist: $out/lib/$real: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }') MB), needs: $needed"
echo "dist: what it is made of: $out/size.md"
