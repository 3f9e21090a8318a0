#!/usr/bin/env bash
# json-bench.sh [--sources DIR] [ITERATIONS]: instructions and heap blocks per call of JSONValue.parse on a poll's
# 274-byte status body, and of APIKey.redact over the six texts a status answer puts in a snapshot.
#   1. compiles the VideoGen module sources (Sources/VideoGen, or DIR/VideoGen with --sources: e.g. an older
#      checkout's Sources, `git archive COMMIT Sources | tar -x -C /tmp/old`) with -O -wmo -enable-testing into a
#      static library in .build-jsonbench/, and links bench/json/json_parse.swift against it;
#   2. runs it under `valgrind --tool=callgrind --toggle-collect` on the driver's benchParse / benchRedact
#      (instructions executed inside the measured calls only, after one warm-up call that is not counted), and
#      under `valgrind --tool=dhat` with ITERATIONS and with 0 iterations (the difference is the heap blocks the
#      calls allocated). SWIFT_DETERMINISTIC_HASHING=1 keeps dictionary probing, and so the counts, the same from
#      run to run.
# Prints one line per measurement. Not part of `make test`: the build and the valgrind runs take about a minute here.
# Needs valgrind (Debian: apt-get install valgrind). No -g: Debian 12's valgrind 3.19 gives up on DWARF 5 units.
set -eu

root="$(cd "$(dirname "$0")/.." && pwd)"
sources="$root/Sources"
iterations=200
while [ $# -gt 0 ]; do
    case "$1" in
        --sources) sources="$(cd "$2" && pwd)"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) iterations="$1"; shift ;;
    esac
done
command -v valgrind > /dev/null || { echo "json-bench: valgrind is not installed" >&2; exit 2; }

out="$root/.build-jsonbench/$(printf '%s' "$sources" | md5sum | cut -c1-8)"
mkdir -p "$out/cnative"
printf 'module CVideoGenNative {\n    umbrella "%s"\n    export *\n}\n' "$sources/CVideoGenNative/include" \
    > "$out/cnative/module.modulemap"
flags=(-parse-as-library -swift-version 6 -O -wmo -package-name videogen -I "$out/cnative")
swift_files=()
while IFS= read -r file; do swift_files+=("$file"); done < <(find "$sources/VideoGen" -name '*.swift' | sort)
echo "# compiling $sources/VideoGen (${#swift_files[@]} files) with -O -wmo"
(
    cd "$out"
    swiftc "${flags[@]}" -module-name VideoGen -enable-testing -emit-module -emit-module-path "$out/VideoGen.swiftmodule" \
        -emit-library -static -o "$out/libVideoGen.a" "${swift_files[@]}" 2>&1 | grep -v 'Cannot export local symbol' || true
    for c in "$sources"/CVideoGenNative/*.c; do
        clang -O2 -I "$sources/CVideoGenNative/include" -c "$c" -o "$out/$(basename "$c" .c).o"
        ar r "$out/libVideoGen.a" "$out/$(basename "$c" .c).o" 2> /dev/null
    done
)
swiftc -swift-version 6 -O -package-name videogen -I "$out/cnative" -I "$out" "$root/bench/json/json_parse.swift" \
    -L "$out" -lVideoGen -lcurl -o "$out/json_parse"

export SWIFT_DETERMINISTIC_HASHING=1
for mode in parse redact; do
    callgrind="$out/callgrind.$mode"
    [ "$mode" = parse ] && function='*10benchParse*' || function='*11benchRedact*'
    valgrind --tool=callgrind --toggle-collect="$function" --callgrind-out-file="$callgrind" \
        "$out/json_parse" "$mode" "$iterations" > /dev/null 2> "$out/callgrind.$mode.log"
    instructions="$(awk '/^(totals|summary):/ { print $2; exit }' "$callgrind")"
    blocks() {
        valgrind --tool=dhat --dhat-out-file=/dev/null "$out/json_parse" "$mode" "$1" 2>&1 > /dev/null \
            | awk '/Total:/ { gsub(",", "", $6); print $6; exit }'
    }
    many="$(blocks "$iterations")"
    none="$(blocks 0)"
    echo "$mode: $((instructions / iterations)) instructions per call, $(((many - none) / iterations)) heap blocks per call ($iterations calls measured; $sources)"
done
