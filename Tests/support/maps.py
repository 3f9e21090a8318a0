"""What the no-toolchain job scripts share (Tests/dist/job.py, Tests/wheel/job.py): TAP-style checks and the files
this process maps."""

from __future__ import annotations

import os

#: File-name prefixes of the toolchain's runtime libraries: none may be mapped, from anywhere.
RUNTIME_NAMES = ("libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "libicu")

failures = 0


def check(ok: bool, what: str, why: str = "") -> None:
    """Print the check's line and count a failure."""
    global failures
    print(f"ok - {what}" if ok else f"FAIL - {what}: {why}", flush=True)
    failures += 0 if ok else 1


def under(path: str, directory: str) -> bool:
    """True when ``path`` is ``directory`` or inside it."""
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def mapped_files() -> set[str]:
    """The files this process maps (shared libraries among them)."""
    found = set()
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].startswith("/"):
                found.add(fields[5].strip())
    return found


def is_runtime(path: str) -> bool:
    """True for a Swift toolchain runtime library, wherever it lives."""
    return os.path.basename(path).startswith(RUNTIME_NAMES)
