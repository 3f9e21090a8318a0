"""What the report says about the machine and the tools measured."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30


def load() -> dict[str, object]:
    """The load averages (1, 5, 15 min) and the processes running now: the machine is shared, so the report says
    how busy it was while the figures were taken."""
    one, five, fifteen = os.getloadavg()
    running = ""
    try:
        with open("/proc/loadavg") as loadavg:
            running = loadavg.read().split()[3]   # "running/total" scheduling entities
    except (OSError, IndexError):
        pass
    return {"1min": round(one, 2), "5min": round(five, 2), "15min": round(fifteen, 2), "running": running}


def describe(python: str) -> dict[str, str]:
    """CPU, cores, memory, kernel and the versions of every program compared."""
    return {
        "cpu": _cpu_model(), "cores": str(os.cpu_count()), "memory_gib": f"{_memory_gib():.1f}",
        "kernel": platform.release(),
        "swift": _first_line(["swift", "--version"]),
        "python": _first_line([python, "--version"]),
        "openai": _first_line([python, "-c", "import openai; print(openai.__version__)"]),
        "curl": _first_line(["curl", "--version"]),
        "nginx": _first_line([shutil.which("nginx") or "/usr/sbin/nginx", "-v"]),
        "wrk": _first_line(["wrk", "--version"]),
        "valgrind": _first_line(["valgrind", "--version"]),
    }
