"""The emulator as a separate process for a scenario, with its CPU, counters, task times and a latency probe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from .procs import proc_cpu, proc_status

REPO = Path(__file__).resolve().parents[2]
API_KEY = "sk-bench-emulator"
ENGINE = {"server": "asyncio"}   # the emulator's server engine; run.py --emulator-server changes it


class EmulatorProcess:
    """`python -m videogen_emulator` (the repository's emulator/ folder) on a free loopback port, stopped with
    SIGTERM."""

    def __init__(self, task_seconds: float, spread: float = 0.0, engine: str | None = None) -> None:
        self.task_seconds, self.spread = task_seconds, spread
        self.engine = engine or ENGINE["server"]
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> "EmulatorProcess":
        env = dict(os.environ, PYTHONPATH=str(REPO / "emulator"), VIDEOGEN_EMULATOR_KEY=API_KEY)
        command = [sys.executable, "-m", "videogen_emulator", "--task-seconds", str(self.task_seconds),
                   "--task-seconds-spread", str(self.spread)]
        if self.engine:
            command += ["--server", self.engine]
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            self.proc.kill()
            raise RuntimeError(f"the emulator did not start: {command}")
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu(self) -> float:
        """The emulator's CPU seconds so far."""
        return proc_cpu(self.pid)

    def _call(self, method: str, path: str) -> Any:
        request = urllib.request.Request(self.base_url + path, method=method, data=b"{}" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())

    def control(self, **changes: Any) -> dict[str, Any]:
        """`POST /_emulator/control`: change settings (e.g. progress_profile) for the tasks created after."""
        request = urllib.request.Request(self.base_url + "/_emulator/control", method="POST",
                                         data=json.dumps(changes).encode())
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())

    def status(self) -> dict[str, int]:
        """The emulator process's VmRSS, VmHWM, RssAnon (kB) and Threads."""
        return proc_status(self.pid)

    def reset(self) -> None:
        """Forget tasks, logs and counters between two clients."""
        self._call("POST", "/_emulator/reset")

    def stats(self) -> dict[str, Any]:
        """`/_emulator/stats`: task count, request counters, CPU."""
        return self._call("GET", "/_emulator/stats")

    def tasks(self) -> list[dict[str, Any]]:
        """`/_emulator/tasks`: every task's creation and completion instants."""
        return self._call("GET", "/_emulator/tasks")

    def probe(self) -> "LatencyProbe":
        """A probe timing a health request every 100 ms while a client runs (saturation shows as latency)."""
        return LatencyProbe(self.base_url + "/_emulator/health")


class LatencyProbe:
    """Times one small request every `every` seconds on its own connection, in a thread of the harness."""

    def __init__(self, url: str, every: float = 0.1) -> None:
        self.url, self.every = url, every
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=30) as answer:
                    answer.read()
            except OSError:
                continue
            self.latencies.append(time.perf_counter() - start)

    def __enter__(self) -> "LatencyProbe":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
