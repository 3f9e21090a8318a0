#!/usr/bin/env python3
"""What the self-contained library is made of: bytes of the stripped file by origin, from the link map.

Usage: python3 scripts/dist-size.py LINK_MAP STRIPPED_LIBRARY

LINK_MAP is the map gold wrote for the dist link (`-Map`, kept as .build/dist/libvideogen.map by scripts/dist.sh).
Every input section that lands in an allocated section with file contents (code, read-only data, Swift metadata,
unwind tables, data; not .bss, not debug info, which strip removes) is counted against where it came from: an
archive of the toolchain (libswiftCore.a, libFoundationEssentials.a, ...), the package's own objects (VideoGen,
VideoGenC, CVideoGenNative) or the start-up objects. What the linker makes itself from all inputs is counted
apart: the merged unwind tables, merged strings and constants, dynamic relocations, and the rest (the file's size
less everything counted: dynamic symbols, PLT/GOT, headers, padding). Prints a Markdown table, largest first, whose
rows add up to the stripped file's size.
"""

from __future__ import annotations

import os
import re
import sys
from collections import defaultdict

#: Output sections that take no room in the stripped file (no contents, or removed by strip).
NOT_IN_FILE = re.compile(r"^\.(bss|tbss|debug_.*|comment|symtab|strtab|shstrtab|note\.gnu\.gold-version|gnu_debuglink)$")

#: An input-section row: optional section name, address, size, file (name on the row before when it is long).
ROW = re.compile(r"^ (?:(\S+)\s+)?0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(/\S+|\S+\.o\S*)$")
#: The same row without its section name (the name was alone on the row before).
CONTINUATION = re.compile(r"^\s{2,}0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(/\S+|\S+\.o\S*)$")
#: A row of what the linker made itself ("** eh_frame", "** merge strings", ...), its size on it or the next row.
GENERATED = re.compile(r"^ \*\* (.+?)(?:\s+0x[0-9a-f]+\s+0x([0-9a-f]+))?\s*$")
ADDRESS_SIZE = re.compile(r"^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s*$")

#: Groups of linker-made rows, by their label.
GENERATED_GROUPS = [
    ("unwind tables (.eh_frame of every input, merged, and its index)", re.compile(r"eh_frame")),
    ("merged strings and constants (of every input)", re.compile(r"^merge")),
    ("dynamic relocations", re.compile(r"relocs")),
]
OTHER_GENERATED = "dynamic symbols, PLT/GOT, headers, alignment padding"


def origin(path: str) -> str:
    """The group an input file belongs to."""
    archive = re.match(r"^(.*/)?([^/(]+\.a)\(", path)
    if archive:
        return archive.group(2)
    for target in ("VideoGenC", "VideoGen", "CVideoGenNative"):
        if f"/{target}.build/" in path:
            return f"{target} (this package)"
    return "start-up objects (crt*.o, swiftrt.o)"


def attribute(map_text: str) -> dict[str, int]:
    """Bytes per origin, over the input sections of the allocated output sections with file contents."""
    sizes: dict[str, int] = defaultdict(int)
    in_memory_map = False
    counted = False
    pending: str | None = None   # a linker-made row whose size is on the next line
    for line in map_text.splitlines():
        if line.startswith("Memory map"):
            in_memory_map = True
            continue
        if not in_memory_map:
            continue
        head = re.match(r"^(\.\S+)", line)
        if head:
            counted = not NOT_IN_FILE.match(head.group(1))
            continue
        if not counted:
            continue
        if pending is not None:
            size = ADDRESS_SIZE.match(line)
            if size:
                sizes[pending] += int(size.group(1), 16)
            pending = None
            continue
        generated = GENERATED.match(line)
        if generated:
            label, size_hex = generated.groups()
            group = next((name for name, pattern in GENERATED_GROUPS if pattern.search(label)), None)
            if group is not None:
                if size_hex:
                    sizes[group] += int(size_hex, 16)
                else:
                    pending = group
            continue
        row = ROW.match(line) or CONTINUATION.match(line)
        if row:
            size_hex, path = row.groups()[-2], row.groups()[-1]
            sizes[origin(path)] += int(size_hex, 16)
    return sizes


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8", errors="replace") as handle:
        sizes = attribute(handle.read())
    total = os.path.getsize(argv[2])
    if not sizes:
        print(f"dist-size: no input sections found in {argv[1]} (not a gold link map?)", file=sys.stderr)
        return 1
    sizes[OTHER_GENERATED] = max(total - sum(sizes.values()), 0)
    print(f"| origin | bytes | MB | share |")
    print("|---|---|---|---|")
    for name, size in sorted(sizes.items(), key=lambda item: -item[1]):
        print(f"| {name} | {size:,} | {size / 1e6:.2f} | {100 * size / total:.1f}% |")
    print(f"| **total (stripped file)** | {total:,} | {total / 1e6:.2f} | 100% |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
