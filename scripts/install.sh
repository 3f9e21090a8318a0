#!/usr/bin/env bash
# make install / make uninstall: the dist library (make dist) with its header, pkg-config file and CMake package.
#
# Usage: bash scripts/install.sh install|uninstall
# Environment (the Makefile passes its variables):
#   PREFIX      absolute install prefix (default /usr/local)
#   DESTDIR     staging directory prepended to every path (default empty: install for real)
#   LIBDIR      where the library goes (default PREFIX/lib; e.g. /usr/lib/x86_64-linux-gnu)
#   INCLUDEDIR  where the header goes (default PREFIX/include)
#
# install puts, each path under DESTDIR:
#   INCLUDEDIR/videogen.h
#   LIBDIR/libvideogen.so.MAJOR.MINOR.PATCH, LIBDIR/libvideogen.so.ABI -> it, LIBDIR/libvideogen.so -> .so.ABI
#   LIBDIR/pkgconfig/videogen.pc
#   LIBDIR/cmake/videogen/videogen-config.cmake, videogen-config-version.cmake
#   PREFIX/share/videogen/install-manifest.txt   every file and link above, and the directories install created
#                                                (an install over an earlier one adds to its manifest)
# uninstall (same PREFIX and DESTDIR) removes what the manifest lists, the manifest, then the directories install
# created below PREFIX, when they are empty; nothing else. Without DESTDIR, as root, both run ldconfig.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "install: $*" >&2; exit 1; }

mode="${1:-}"
[ "$mode" = install ] || [ "$mode" = uninstall ] || die "usage: $0 install|uninstall"

prefix="${PREFIX:-/usr/local}"
libdir="${LIBDIR:-$prefix/lib}"
includedir="${INCLUDEDIR:-$prefix/include}"
destdir="${DESTDIR:-}"
for dir in "$prefix" "$libdir" "$includedir"; do
    case "$dir" in /*) ;; *) die "PREFIX, LIBDIR and INCLUDEDIR must be absolute paths ('$dir' is not)" ;; esac
done
if [ -n "$destdir" ]; then
    mkdir -p "$destdir"
    destdir="$(cd "$destdir" && pwd)"
fi
manifest="$prefix/share/videogen/install-manifest.txt"

# Runs ldconfig for a real install (no DESTDIR) when it can; says what to do otherwise.
refresh_linker_cache() {
    [ -z "$destdir" ] || return 0
    if [ "$(id -u)" -eq 0 ] && command -v ldconfig > /dev/null 2>&1; then
        ldconfig
    elif [ "$mode" = install ]; then
        echo "install: run 'sudo ldconfig' so the dynamic loader finds $libdir/libvideogen.so.$VG_ABI"
    fi
}

if [ "$mode" = uninstall ]; then
    [ -f "$destdir$manifest" ] || die "no $destdir$manifest: nothing was installed there by 'make install' (use the PREFIX and DESTDIR of the install)"
    directories=()
    while IFS=' ' read -r kind path; do
        case "$kind" in
            file|link) rm -f -- "$destdir$path" && echo "removed $destdir$path" ;;
            dir) directories+=("$path") ;;
            *) die "unreadable manifest line in $destdir$manifest: $kind $path" ;;
        esac
    done < "$destdir$manifest"
    rm -f -- "$destdir$manifest" && echo "removed $destdir$manifest"
    # Deepest first: the manifest lists a directory before the ones made inside it.
    for ((i = ${#directories[@]} - 1; i >= 0; i--)); do
        rmdir -- "$destdir${directories[i]}" 2> /dev/null && echo "removed $destdir${directories[i]}/" || true
    done
    refresh_linker_cache
    exit 0
fi

. scripts/header-version.sh
real="libvideogen.so.$VG_VERSION"
soname="libvideogen.so.$VG_ABI"
built=".build/dist/lib/$real"
[ -f "$built" ] || die "$built is missing: run 'make dist' first"

entries=()
# make_dir DIR: creates DIR (under DESTDIR) and each missing parent, recording the ones it created.
make_dir() {
    local missing=() dir="$1"
    while [ ! -d "$destdir$dir" ]; do
        missing=("$dir" ${missing[@]+"${missing[@]}"})
        dir="$(dirname "$dir")"
    done
    for dir in ${missing[@]+"${missing[@]}"}; do
        mkdir -- "$destdir$dir"
        # PREFIX and its parents are the user's choice of place, never removed by uninstall.
        case "$prefix/" in "$dir"/*) ;; *) entries+=("dir $dir") ;; esac
    done
}
# put MODE SOURCE DEST: installs one file.
put() {
    make_dir "$(dirname "$3")"
    install -m "$1" -- "$2" "$destdir$3"
    entries+=("file $3")
    echo "installed $destdir$3"
}
# link TARGET DEST: a symbolic link DEST -> TARGET (a name in the same directory).
link() {
    ln -sfn -- "$1" "$destdir$2"
    entries+=("link $2")
    echo "installed $destdir$2 -> $1"
}
# render TEMPLATE: the template with its @NAME@ placeholders filled in.
render() {
    local from_config
    from_config="$(realpath -m --relative-to="$libdir/cmake/videogen" "$includedir")"
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@LIBDIR@|$libdir|g" -e "s|@INCLUDEDIR@|$includedir|g" \
        -e "s|@INCLUDEDIR_FROM_CONFIG@|$from_config|g" -e "s|@VERSION@|$VG_VERSION|g" -e "s|@MAJOR@|$VG_MAJOR|g" \
        -e "s|@ABI@|$VG_ABI|g" "$1"
}

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
render packaging/videogen.pc.in > "$staging/videogen.pc"
render packaging/videogen-config.cmake.in > "$staging/videogen-config.cmake"
render packaging/videogen-config-version.cmake.in > "$staging/videogen-config-version.cmake"
if grep -n "@[A-Z_]*@" "$staging"/*; then die "a placeholder was left unfilled (above)"; fi

put 0644 include/videogen.h "$includedir/videogen.h"
put 0755 "$built" "$libdir/$real"
link "$real" "$libdir/$soname"
link "$soname" "$libdir/libvideogen.so"
put 0644 "$staging/videogen.pc" "$libdir/pkgconfig/videogen.pc"
put 0644 "$staging/videogen-config.cmake" "$libdir/cmake/videogen/videogen-config.cmake"
put 0644 "$staging/videogen-config-version.cmake" "$libdir/cmake/videogen/videogen-config-version.cmake"
make_dir "$(dirname "$manifest")"
# Over an earlier install the manifest keeps its entries too (an older library under another ABI stays for the
# programs that need it), each once: uninstall removes everything any install put.
{
    [ ! -f "$destdir$manifest" ] || cat "$destdir$manifest"
    printf '%s\n' "${entries[@]}"
} | awk '!seen[$0]++' > "$staging/manifest"
install -m 0644 -- "$staging/manifest" "$destdir$manifest"
echo "installed $destdir$manifest (what 'make uninstall' removes)"
refresh_linker_cache
