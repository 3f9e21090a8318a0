"""Scenario 6: where a request's CPU goes. callgrind on a small run of the C tasks client (vg_tasks_callgrind:
instrumentation on from the first submit to the last task's end, so loading the library is left out) and on the
libcurl-multi loop, both against the emulator; instructions per HTTP request by layer and by function."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.callgrind import summarise
from harness.context import Context
from harness.emulator import EmulatorProcess
from scenarios.scale import CONNECTIONS, create_task


def _callgrind(ctx: Context, command: list[str], out: Path, at_start: bool) -> float:
    began = time.monotonic()
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                    f"--instr-atstart={'yes' if at_start else 'no'}", *command],
                   env=ctx.client_env, capture_output=True, text=True, timeout=3600, check=True)
    return time.monotonic() - began


def run(ctx: Context, tasks: int = 50, task_seconds: float = 8.0, interval: float = 0.5,
        loop_requests: int = 5000) -> dict[str, Any]:
    """`tasks` tasks of `task_seconds` polled every `interval` s under callgrind (mostly polls, about one submit in
    fifteen requests, as in scenario 1's one in eleven), then `loop_requests` polls by the libcurl-multi loop under
    callgrind."""
    if not shutil.which("valgrind"):
        return {"skipped": "valgrind is not installed"}
    with tempfile.TemporaryDirectory() as folder, EmulatorProcess(task_seconds, spread=1.0) as emu:
        emu.reset()
        out = Path(folder) / "callgrind.videogen"
        wall = _callgrind(ctx, [ctx.c_client("vg_tasks_callgrind"), emu.base_url, str(tasks), str(interval),
                                str(task_seconds * 20 + 60), str(Path(folder) / "result.json")], out, at_start=False)
        requests = emu.stats().get("requests", {}).get("api") or 0
        videogen = summarise(out, requests)
        videogen.update({"tasks": tasks, "wall_s": wall})
        emu.reset()
        task_id = create_task(emu)
        out = Path(folder) / "callgrind.loop"
        wall = _callgrind(ctx, [ctx.c_client("curl_multi_loop"), emu.base_url, task_id, str(loop_requests),
                                str(CONNECTIONS)], out, at_start=True)
        served = (emu.stats().get("requests", {}).get("api") or 1) - 1   # less the task's creation
        loop = summarise(out, served, top=10)
        loop["wall_s"] = wall
    return {"task_seconds": task_seconds, "interval_s": interval, "videogen": videogen, "loop": loop}
