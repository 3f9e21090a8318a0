# toolchain.sh: sourced by Tests/dist/run.sh and Tests/wheel/run.sh (after Tests/support/tap.sh); finds the Swift
# toolchain to hide and defines `hidden`.
#
# Sets `hide` (the toolchain's directories that exist: /opt/swift for a toolchain unpacked there; lib/swift and
# lib/swift_static for one installed under /usr or /usr/local), `swift_path`, `toolchain_usr` and `runtime` (its
# libswiftCore.so); fails "find_toolchain" and finishes when there is none. `hidden [-t SECONDS] COMMAND...` runs
# COMMAND in a private mount namespace with an empty tmpfs over each of them (Tests/dist/hide-toolchain.sh): as root
# with `unshare --mount`, otherwise in a user namespace that maps us to root; status 97 and a message when neither
# works (a failure, never a skip).

toolchain_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
hide=()
if ! swift_path="$(command -v "${SWIFT:-swift}")"; then
    fail "find_toolchain" "no swift on PATH: cannot tell which directory to hide"
    finish
fi
toolchain_usr="$(readlink -f "$(dirname "$(readlink -f "$swift_path")")/..")"     # e.g. /opt/swift/usr
case "$toolchain_usr" in
    /usr|/usr/local) hide=("$toolchain_usr/lib/swift" "$toolchain_usr/lib/swift_static") ;;  # a system-wide install
    */usr) hide=("$(dirname "$toolchain_usr")") ;;                                          # /opt/swift
    *) hide=("$toolchain_usr") ;;
esac
runtime="$toolchain_usr/lib/swift/linux/libswiftCore.so"
existing=()
for dir in "${hide[@]}"; do [ ! -d "$dir" ] || existing+=("$dir"); done
if [ ${#existing[@]} -eq 0 ]; then
    fail "find_toolchain" "none of ${hide[*]} (the toolchain of $swift_path) is a directory"
    finish
fi
hide=("${existing[@]}")
echo "# hiding ${hide[*]} (the toolchain of $swift_path)"

namespace=()
if unshare --mount --propagation private true 2> /dev/null; then
    namespace=(unshare --mount --propagation private)
elif unshare --map-root-user --mount true 2> /dev/null; then
    namespace=(unshare --map-root-user --mount)
fi

hidden() {
    local limit=900
    if [ "${1:-}" = "-t" ]; then
        limit="$2"
        shift 2
    fi
    if [ ${#namespace[@]} -eq 0 ]; then
        echo "cannot hide the toolchain: neither 'unshare --mount' (root) nor 'unshare --map-root-user --mount' works here" >&2
        return 97
    fi
    timeout -k 5 "$limit" "${namespace[@]}" bash "$toolchain_dir/hide-toolchain.sh" "${hide[@]}" -- "$@"
}
