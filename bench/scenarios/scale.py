"""Scenario 2: 10,000 tasks in flight in one videogen client, beside wrk against the same poll endpoint."""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from typing import Any

from harness import procs
from harness.context import Context
from harness.emulator import API_KEY, EmulatorProcess
from scenarios.many_tasks import measure_client


def create_task(emu: EmulatorProcess) -> str:
    """One openai-dialect task made directly on the emulator (for wrk to poll)."""
    request = urllib.request.Request(emu.base_url + "/v1/videos", method="POST",
                                     data=json.dumps({"model": "sora-2", "prompt": "wrk"}).encode(),
                                     headers={"Authorization": f"Bearer {API_KEY}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["id"]


def parse_wrk(text: str) -> tuple[int, float]:
    """(requests completed, requests per second) from wrk's summary."""
    total = re.search(r"(\d+) requests in", text)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not total or not rate:
        raise RuntimeError(f"unexpected wrk output: {text[-500:]}")
    return int(total.group(1)), float(rate.group(1))


def run_wrk(emu: EmulatorProcess, connections: int, seconds: int) -> dict[str, Any]:
    """wrk polling one task's status as fast as the emulator answers; its CPU per request is the floor."""
    task_id = create_task(emu)
    cpu_before = emu.cpu()
    measured = procs.run([shutil.which("wrk") or "wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
                          "-H", f"Authorization: Bearer {API_KEY}", f"{emu.base_url}/v1/videos/{task_id}"])
    emu_cpu = emu.cpu() - cpu_before
    requests, rate = parse_wrk(measured.stdout)
    return {"client": "wrk", "connections": connections, "seconds": seconds, "requests": requests,
            "requests_per_s": rate, "cpu_s": measured.cpu, "cpu_per_request_us": measured.cpu / requests * 1e6,
            "peak_rss_mb": measured.peak_rss_kb / 1024, "peak_threads": measured.peak_threads,
            "emulator_cpu_s": emu_cpu, "emulator_cpu_per_request_us": emu_cpu / requests * 1e6}


def run(ctx: Context, count: int = 10_000, task_seconds: float = 30.0, interval: float = 5.0,
        wrk_connections: int = 16, wrk_seconds: int = 10, spread: float = 5.0) -> dict[str, Any]:
    """The videogen C client with `count` tasks, then wrk, against one emulator."""
    with EmulatorProcess(task_seconds, spread) as emu:
        row = measure_client(ctx, emu, "videogen (C API)", [ctx.c_client("vg_tasks")], count, interval,
                             task_seconds * 10 + 300)
        emu.reset()
        wrk = run_wrk(emu, wrk_connections, wrk_seconds)
    growth_kb = (row["peak_rss_mb"] - row["baseline_rss_mb"]) * 1024
    row["rss_per_task_kb"] = growth_kb / count
    row["cpu_per_request_us"] = row["cpu_s"] / row["requests"] * 1e6 if row.get("requests") else None
    row["emulator_cpu_per_request_us"] = (row["emulator_cpu_s"] / row["requests"] * 1e6
                                          if row.get("requests") else None)
    return {"count": count, "task_seconds": task_seconds, "spread_s": spread, "interval_s": interval,
            "videogen": row, "wrk": wrk}

