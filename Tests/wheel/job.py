"""The main job from an installed wheel, for Tests/wheel/run.sh: run by a clean virtualenv's interpreter, in which
only the videogen wheel and the videogen_emulator wheel are installed, with the Swift toolchain hidden.

Usage: VENV/bin/python job.py WORKDIR [FORBIDDEN_DIR...]

Starts the installed ``videogen-emulator`` command, then submits, waits and downloads through the Python API and
through the installed ``videogen`` command, checking each file against the emulator's video byte for byte. Checks
that the library in use is the wheel's (inside this environment's site-packages), then reads /proc/self/maps:
libcurl must be the wheel's copy, nothing may be mapped from a FORBIDDEN_DIR (the toolchain's), and no Swift runtime
library from anywhere (the wheel carries the self-contained library). Prints "ok - what" / "FAIL - what: why" lines; exits 0 only when all passed.
"""

from __future__ import annotations

import importlib.resources
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))
import maps  # noqa: E402  (Tests/support/maps.py)
from maps import check, is_runtime, mapped_files, under  # noqa: E402

KEY = "sk-wheel-" + os.urandom(6).hex()


def start_emulator(bindir: Path) -> tuple[subprocess.Popen[str], str]:
    """The installed ``videogen-emulator`` command on a free loopback port, and its base URL."""
    emulator = subprocess.Popen([str(bindir / "videogen-emulator"), "--port", "0", "--task-seconds", "1",
                                 "--api-key", KEY], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert emulator.stdout is not None
    return emulator, emulator.stdout.readline().strip()


def main() -> int:
    workdir, forbidden = Path(sys.argv[1]), sys.argv[2:]
    bindir = Path(sys.executable).parent
    site = sysconfig.get_paths()["platlib"]
    asset = (importlib.resources.files("videogen_emulator") / "assets" / "sample.mp4").read_bytes()
    emulator, base_url = start_emulator(bindir)
    check(base_url.startswith("http://127.0.0.1:"), "videogen-emulator serves", base_url or "no URL printed")
    if not base_url.startswith("http"):
        emulator.kill()
        return 1
    try:
        import videogen
        output = workdir / "api.mp4"
        with videogen.Client(dialect="openai", base_url=base_url, api_key=KEY) as client:
            task = client.generate(model="sora-2", prompt="a red fox in the snow", output=str(output))
        check(task.state is videogen.State.SUCCEEDED and output.read_bytes() == asset,
              "the Python API's job: submit, wait, download, the emulator's video byte for byte",
              f"state {task.state}, {output.stat().st_size if output.exists() else 'no'} bytes")
        library = videogen.library_path()
        check(under(library, site), "the library is the wheel's", f"{library} is not under {site}")
        check(videogen.library_version() == videogen.__version__, "the library's version is the package's",
              f"{videogen.library_version()} != {videogen.__version__}")

        mapped = mapped_files()
        check(any(under(path, site) and "libvideogen" in path for path in mapped),
              "libvideogen is mapped from the wheel", "not in /proc/self/maps")
        curl = sorted(p for p in mapped if os.path.basename(p).startswith("libcurl"))
        check(bool(curl) and all(under(p, site) for p in curl), "libcurl is the wheel's copy (videogen.libs)",
              ", ".join(curl) or "no libcurl mapped")
        from_toolchain = sorted(p for p in mapped if any(under(p, d) for d in forbidden))
        check(not from_toolchain, "nothing mapped from the toolchain's directory", ", ".join(from_toolchain))
        runtime = sorted(p for p in mapped if is_runtime(p))
        check(not runtime, "no Swift runtime library mapped, from anywhere", ", ".join(runtime))

        cli_output = workdir / "cli.mp4"
        cli = subprocess.run([str(bindir / "videogen"), "generate", "--dialect", "openai", "--base-url", base_url,
                              "-m", "sora-2", "-p", "a fox", "-o", str(cli_output)], capture_output=True, text=True,
                             timeout=120, env={**os.environ, "VIDEOGEN_API_KEY": KEY})
        check(cli.returncode == 0 and cli.stdout == f"{cli_output}\n" and cli_output.read_bytes() == asset,
              "the videogen command's job: generate, the emulator's video byte for byte",
              f"exit {cli.returncode}: {cli.stderr.strip()[-500:]}")
        version = subprocess.run([str(bindir / "videogen"), "--version"], capture_output=True, text=True, timeout=60)
        check(version.stdout.strip() == f"videogen {videogen.__version__}", "videogen --version",
              version.stdout + version.stderr)
        usage = subprocess.run([str(bindir / "videogen"), "emulator", "--help"], capture_output=True, text=True,
                               timeout=60)
        check(usage.returncode == 0 and usage.stdout.startswith("usage: videogen emulator"),
              "videogen emulator runs the installed emulator", usage.stdout[:200] + usage.stderr[-300:])
    finally:
        emulator.terminate()
        emulator.communicate(timeout=10)
    check(emulator.returncode == 0, "videogen-emulator stops on SIGTERM", f"exit {emulator.returncode}")
    return 1 if maps.failures else 0


if __name__ == "__main__":
    sys.exit(main())
