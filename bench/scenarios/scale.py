"""Scenario 2: 10,000 tasks in flight in one videogen client, beside a bare libcurl-multi loop (the floor row) and
wrk polling the same status endpoint over as many connections."""

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


def _costs(measured: procs.Measured, requests: int, emu_cpu: float) -> dict[str, Any]:
    """What a polling client spent, in total and per request (CPU, context switches), from its rusage."""
    return {"requests": requests, "cpu_s": measured.cpu, "cpu_user_s": measured.cpu_user,
            "cpu_sys_s": measured.cpu_sys, "cpu_per_request_us": measured.cpu / requests * 1e6 if requests else None,
            "voluntary_switches": measured.voluntary_switches,
            "involuntary_switches": measured.involuntary_switches,
            "switches_per_request": measured.switches / requests if requests else None,
            "peak_rss_mb": measured.peak_rss_kb / 1024, "peak_threads": measured.peak_threads,
            "wall_s": measured.wall, "emulator_cpu_s": emu_cpu,
            "emulator_cpu_per_request_us": emu_cpu / requests * 1e6 if requests else None}


def run_wrk(emu: EmulatorProcess, connections: int, seconds: int) -> dict[str, Any]:
    """wrk polling one task's status as fast as the emulator answers: the practical floor of any HTTP client."""
    task_id = create_task(emu)
    cpu_before = emu.cpu()
    measured = procs.run([shutil.which("wrk") or "wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
                          "-H", f"Authorization: Bearer {API_KEY}", f"{emu.base_url}/v1/videos/{task_id}"])
    emu_cpu = emu.cpu() - cpu_before
    requests, rate = parse_wrk(measured.stdout)
    return {"client": "wrk", "connections": connections, "seconds": seconds, "requests_per_s": rate,
            **_costs(measured, requests, emu_cpu)}


def run_loop(ctx: Context, emu: EmulatorProcess, connections: int, requests: int) -> dict[str, Any]:
    """bench/clients/curl_multi_loop: `requests` polls of one task's status through libcurl's multi interface,
    `connections` in flight: the floor a libcurl-based client can reach."""
    task_id = create_task(emu)
    cpu_before = emu.cpu()
    measured = procs.run([ctx.c_client("curl_multi_loop"), emu.base_url, task_id, str(requests), str(connections)],
                         env=ctx.client_env, timeout=600)
    emu_cpu = emu.cpu() - cpu_before
    if measured.returncode != 0:
        raise RuntimeError(f"curl_multi_loop failed: {measured.stdout[-500:]} {measured.stderr[-1000:]}")
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    served = emu.stats().get("requests", {}).get("api")
    done = result["ok"]
    return {"client": "libcurl-multi loop", "connections": connections, "asked": requests,
            "requests_served": served, "requests_per_s": done / result["wall_s"] if result["wall_s"] else None,
            **_costs(measured, done, emu_cpu)}


#: Connections per host of videogen's control loop (CurlTransport: `connectionsPerHost: 16`); the loop and wrk
#: use as many.
CONNECTIONS = 16


def run(ctx: Context, count: int = 10_000, task_seconds: float = 30.0, interval: float = 5.0,
        connections: int = CONNECTIONS, wrk_seconds: int = 10, spread: float = 5.0,
        loop_requests: int | None = None) -> dict[str, Any]:
    """The videogen C client with `count` tasks, then the libcurl-multi loop (as many requests as videogen sent,
    unless `loop_requests` says), then wrk, against one emulator."""
    with EmulatorProcess(task_seconds, spread) as emu:
        row = measure_client(ctx, emu, "videogen (C API)", [ctx.c_client("vg_tasks")], count, interval,
                             task_seconds * 10 + 300, threads=True)
        emu.reset()
        loop = run_loop(ctx, emu, connections, loop_requests or row.get("requests") or 50_000)
        emu.reset()
        wrk = run_wrk(emu, connections, wrk_seconds)
    growth_kb = (row["peak_rss_mb"] - row["baseline_rss_mb"]) * 1024
    row["rss_per_task_kb"] = growth_kb / count
    row["cpu_per_request_us"] = row["cpu_s"] / row["requests"] * 1e6 if row.get("requests") else None
    row["emulator_cpu_per_request_us"] = (row["emulator_cpu_s"] / row["requests"] * 1e6
                                          if row.get("requests") else None)
    return {"count": count, "task_seconds": task_seconds, "spread_s": spread, "interval_s": interval,
            "connections": connections, "videogen": row, "loop": loop, "wrk": wrk}

