#!/usr/bin/env bash
# hide-toolchain.sh DIR... -- COMMAND [ARGS...]: runs COMMAND with each DIR replaced by an empty directory.
#
# Meant to run as the first process of a private mount namespace (Tests/dist/run.sh starts it under
# `unshare --mount --propagation private`, or `unshare --map-root-user --mount` without root): it mounts an empty,
# read-only tmpfs over each DIR, which only this process and its children see, checks each DIR is now empty, then
# execs COMMAND. The machine's own mounts are untouched, and the mounts vanish with the namespace.
# Exits 97 (saying why) when a DIR cannot be hidden; never runs COMMAND then.
set -u

dirs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    dirs+=("$1")
    shift
done
if [ $# -lt 2 ] || [ ${#dirs[@]} -eq 0 ]; then
    echo "usage: $0 DIR... -- COMMAND [ARGS...]" >&2
    exit 2
fi
shift

for dir in "${dirs[@]}"; do
    if ! mount -t tmpfs -o ro,size=4k,mode=0755 videogen-hidden-toolchain "$dir"; then
        echo "hide-toolchain: cannot mount an empty tmpfs over $dir" >&2
        exit 97
    fi
    if [ -n "$(ls -A "$dir")" ]; then
        echo "hide-toolchain: $dir is not empty after the mount" >&2
        exit 97
    fi
done
exec "$@"
