# Sourced by scripts/dist.sh and scripts/install.sh: the versions written in include/videogen.h, the one place
# they are written (the C suite checks that the library reports the same). Sets VG_MAJOR, VG_MINOR, VG_PATCH,
# VG_ABI (VG_ABI_VERSION, the number in the SONAME) and VG_VERSION (MAJOR.MINOR.PATCH); exits when one is missing.

# header_number HEADER NAME: the integer #defined as NAME in HEADER.
header_number() {
    local value
    value="$(sed -n -E "s/^#define $2 ([0-9]+)[[:space:]]*$/\1/p" "$1")"
    if [ -z "$value" ]; then
        echo "videogen: no '#define $2 <number>' in $1" >&2
        exit 1
    fi
    echo "$value"
}

VG_MAJOR="$(header_number include/videogen.h VG_VERSION_MAJOR)"
VG_MINOR="$(header_number include/videogen.h VG_VERSION_MINOR)"
VG_PATCH="$(header_number include/videogen.h VG_VERSION_PATCH)"
VG_ABI="$(header_number include/videogen.h VG_ABI_VERSION)"
VG_VERSION="$VG_MAJOR.$VG_MINOR.$VG_PATCH"
