"""Scenario 1: many tasks at once. videogen (C API, Python binding) against the openai SDK's create_and_poll."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from harness import procs
from harness.context import Context
from harness.emulator import EmulatorProcess
from harness.stats import percentile


def measure_client(ctx: Context, emu: EmulatorProcess, name: str, command: list[str], count: int,
                   interval: float, timeout: float, threads: bool = False,
                   extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run one client against a freshly reset emulator and gather what it and the emulator spent. `extra` arguments
    follow the client's usual five (vg_tasks: the poll policy as JSON)."""
    emu.reset()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        cpu_before = emu.cpu()
        with emu.probe() as probe:
            measured = procs.run(command + [emu.base_url, str(count), str(interval), str(timeout), str(out), *extra],
                                 env=ctx.client_env, timeout=timeout + 120, threads=threads)
        emu_cpu = emu.cpu() - cpu_before
        if not out.exists():
            raise RuntimeError(f"{name} wrote no result (exit {measured.returncode}): {measured.stderr[-2000:]}")
        result = json.loads(out.read_text())
    stats, tasks = emu.stats(), emu.tasks()
    completes = {task["id"]: task["completes_at"] for task in tasks}
    latencies = [at - completes[task_id] for task_id, at in result["detected"].items()
                 if completes.get(task_id) is not None]
    requests = stats.get("requests", {}).get("api")
    last_complete = max((c for c in completes.values() if c is not None), default=None)
    return {
        "client": name, "tasks": count, "succeeded": result["succeeded"], "failed": result["failed"],
        "first_error": result.get("first_error", ""), "emulator_tasks": len(tasks),
        "wall_s": measured.wall, "run_s": result["end"] - result["start"],
        "last_completion_after_start_s": None if last_complete is None else last_complete - result["start"],
        "cpu_s": measured.cpu, "cpu_user_s": measured.cpu_user, "cpu_sys_s": measured.cpu_sys,
        "voluntary_switches": measured.voluntary_switches, "involuntary_switches": measured.involuntary_switches,
        "switches_per_request": measured.switches / requests if requests else None,
        "peak_rss_mb": measured.peak_rss_kb / 1024, "peak_anon_mb": measured.peak_anon_kb / 1024,
        "baseline_rss_mb": result.get("baseline_rss_kb", 0) / 1024,
        "peak_threads": max(measured.peak_threads, result.get("peak_threads", 0)),
        "requests": requests, "requests_per_task": None if requests is None else requests / count,
        "schedule_requests": schedule_requests(tasks, interval),
        "detect_p50_ms": _ms(percentile(latencies, 50)), "detect_p99_ms": _ms(percentile(latencies, 99)),
        "detect_max_ms": _ms(max(latencies, default=None) if latencies else None),
        "detected": len(latencies),
        "emulator_cpu_s": emu_cpu, "emulator_cpu_share": emu_cpu / measured.wall,
        "probe_p50_ms": _ms(percentile(probe.latencies, 50)), "probe_p99_ms": _ms(percentile(probe.latencies, 99)),
        "returncode": measured.returncode, "by_thread": measured.by_thread,
        "baseline_anon_mb": result.get("baseline_anon_kb", 0) / 1024, "in_flight": result.get("in_flight"),
        "start_unix": result["start"],
    }


def schedule_requests(tasks: list[dict[str, Any]], interval: float) -> int:
    """What the schedule needs: per task one submit and one poll per interval until the first poll at or after
    its completion (polls start one interval after the submit)."""
    return sum(1 + max(1, math.ceil((t["completes_at"] - t["created_at"]) / interval - 1e-9))
               for t in tasks if t["completes_at"] is not None)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1e3


def run(ctx: Context, count: int = 1000, task_seconds: float = 19.0, interval: float = 2.0,
        spread: float = 2.0) -> dict[str, Any]:
    """All three clients, one after the other, against one emulator whose tasks last task_seconds + [0, spread]."""
    timeout = task_seconds * 10 + 120
    clients = [
        ("videogen (C API)", [ctx.c_client("vg_tasks")]),
        ("videogen (Python binding)", ctx.py_client("vg_tasks.py")),
        ("openai SDK (AsyncOpenAI)", ctx.py_client("openai_tasks.py")),
    ]
    with EmulatorProcess(task_seconds, spread) as emu:
        rows = [measure_client(ctx, emu, name, command, count, interval, timeout, threads=True)
                for name, command in clients]
    return {"count": count, "task_seconds": task_seconds, "spread_s": spread, "interval_s": interval, "rows": rows}
