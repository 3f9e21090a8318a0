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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))
import maps  # noqa: E402  (Tests/support/maps.py)
from maps import check, is_runtime, mapped_files, under  # noqa: E402


def check_maps(expected_dir: str, forbidden: list[str]) -> None:
    mapped = mapped_files()
    bad = sorted(p for p in mapped
                 if any(under(p, d) for d in forbidden) or is_runtime(p))
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
    return 0 if maps.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
