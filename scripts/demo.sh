#!/usr/bin/env bash
# demo.sh LIBDIR: the main job end to end against the loopback emulator.
# Starts the emulator on a free port, builds examples/c/demo.c against include/videogen.h and LIBDIR/libvideogen.so,
# runs it (submit, progress, download), checks the MP4 is the emulator's asset byte for byte, stops the emulator.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
libdir="$(cd "${1:?usage: demo.sh LIBDIR}" && pwd)"
out="$root/out"
mkdir -p "$out"
ready="$out/emulator.ready"
rm -f "$ready" "$out/demo.mp4"

export VIDEOGEN_API_KEY="sk-demo-$RANDOM$RANDOM"
PYTHONPATH="$root/emulator" python3 -m videogen_emulator --port 0 --task-seconds 4 \
    --api-key "$VIDEOGEN_API_KEY" --ready-file "$ready" > "$out/emulator.log" 2>&1 &
emulator=$!
trap 'kill -TERM "$emulator" 2> /dev/null; wait "$emulator" 2> /dev/null || true' EXIT

for _ in $(seq 100); do
    [ -s "$ready" ] && break
    kill -0 "$emulator" 2> /dev/null || { cat "$out/emulator.log" >&2; exit 1; }
    sleep 0.1
done
[ -s "$ready" ] || { echo "demo: the emulator did not start" >&2; exit 1; }
base_url="$(head -n 1 "$ready")"

cc -std=c99 -Wall -Wextra -Werror -pedantic -I"$root/include" "$root/examples/c/demo.c" \
    -L"$libdir" -lvideogen -Wl,-rpath,"$libdir" -o "$out/demo"
"$out/demo" "$base_url" "$out/demo.mp4" openai sora-2

if cmp -s "$out/demo.mp4" "$root/emulator/videogen_emulator/assets/sample.mp4"; then
    echo "demo: $out/demo.mp4 is byte-identical to the emulator's video"
else
    echo "demo: the downloaded file differs from the emulator's video" >&2
    exit 1
fi
