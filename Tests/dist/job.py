"""The main job from Python against the dist libvideogen, for Tests/dist/run.sh.

Usage: python3 job.py BASE_URL ASSET OUTPUT EXPECTED_LIBDIR [FORBIDDEN_DIR...]

The binding finds the library through VIDEOGEN_LIBRARY (run.sh points it at the dist library) and the key in
VIDEOGEN_API_KEY. Submits, waits and downloads through `videogen.Client.generate`, checks the file is the asset byte
for byte, then reads /proc/self/maps: nothing may be mapped from a FORBIDDEN_DIR (the toolchain's) nor be a Swift
runtime library wherever it lives, and libvideogen must be mapped from EXPECTED_LIBDIR (the binding loaded the
library it was pointed at). Prints "ok - what" / "FAIL - what: why" lines; exits 0 only when everything passed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: File-name prefixes of the toolchain's runtime libraries: none may be mapped, from anywhere.
RUNTIME_NAMES = ("libswift", "libFoundation", "lib_Foundation", "libdispatch.so", "libBlocksRuntime.so", "libicu")

failures = 0


def check(ok: bool, what: str, why: str = "") -> None:
    global failures
    print(f"ok - {what}" if ok else f"FAIL - {what}: {why}", flush=True)
    failures += 0 if ok else 1


def under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def check_maps(expected_dir: str, forbidden: list[str]) -> None:
    mapped = set()
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].startswith("/"):
                mapped.add(fields[5].strip())
    bad = sorted(p for p in mapped
                 if any(under(p, d) for d in forbidden) or os.path.basename(p).startswith(RUNTIME_NAMES))
    check(not bad, "python_nothing_mapped_from_the_toolchain", f"mapped: {', '.join(bad)}")
    videogen = sorted(p for p in mapped if os.path.basename(p).startswith("libvideogen.so"))
    check(len(videogen) == 1 and under(videogen[0], expected_dir), "python_libvideogen_mapped_from_expected_dir",
          f"libvideogen mapped from {videogen or 'nowhere'}, expected under {expected_dir}")
    if videogen:
        print(f"# libvideogen mapped from {videogen[0]}")


def main(argv: list[str]) -> int:
    if len(argv) < 5:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    base_url, asset, output, expected_dir, forbidden = argv[1], Path(argv[2]), Path(argv[3]), argv[4], argv[5:]
    import videogen

    output.unlink(missing_ok=True)
    try:
        with videogen.Client(dialect="openai", base_url=base_url, poll={"interval": 0.2, "max_interval": 0.4}) as client:
            task = client.generate(model="sora-2", prompt="a paper boat", duration=4, output=str(output), timeout=60)
        check(task.state == videogen.State.SUCCEEDED, "python_task_succeeded", f"the task is {task.state}")
        check(output.read_bytes() == asset.read_bytes(), "python_download_is_the_asset", f"{output} differs from {asset}")
    except (videogen.VideoGenError, videogen.LibraryError, OSError) as exc:
        check(False, "python_generate", f"{type(exc).__name__}: {exc}")
    try:
        library = videogen.library_version()
    except videogen.LibraryError as exc:
        library = f"not loaded ({exc})"
    check(library == videogen.__version__, "python_library_version",
          f"library {library}, binding {videogen.__version__}")
    check_maps(expected_dir, forbidden)
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
