"""Scenario 9: 100,000 tasks in flight in one process: the C client over the asynchronous API
(bench/clients/vg_tasks.c), every task submitted at once and waited for from one thread. While all of them wait (every
wait started, none ended) the client counts the library's threads (/proc/self/task, all but its own) and its memory;
per task in flight is (that memory − the memory after vg_client_create) / tasks."""

from __future__ import annotations

import json
from typing import Any

from harness.context import Context
from harness.emulator import EmulatorProcess
from scenarios.many_tasks import measure_client


def run(ctx: Context, count: int = 100_000, task_seconds: float = 150.0, spread: float = 10.0,
        interval: float = 60.0, max_submitting: int = 1000) -> dict[str, Any]:
    """`count` tasks of task_seconds + [0, spread], polled every `interval` seconds (jitter 0.1): long enough that
    the submits end well before the first task does, so that every task is in flight at once. At most
    `max_submitting` submits are unanswered at a time (0: all at once): the emulator answers a few thousand a second,
    and a submit queued behind the library's 16 connections for longer than its 30-s request timeout fails."""
    policy = {"interval": interval, "max_interval": interval, "multiplier": 1, "jitter": 0.1}
    timeout = task_seconds * 3 + 900
    with EmulatorProcess(task_seconds, spread) as emu:
        row = measure_client(ctx, emu, "videogen (C API)", [ctx.c_client("vg_tasks")], count, interval, timeout,
                             threads=True, extra=(json.dumps(policy), str(max_submitting)))
        emulator = emu.status()
    flight = row.get("in_flight") or {}
    if flight.get("samples"):
        row["rss_per_task_kb"] = (flight["rss_kb"] - row["baseline_rss_mb"] * 1024) / count
        row["anon_per_task_kb"] = (flight["anon_kb"] - row["baseline_anon_mb"] * 1024) / count
        row["in_flight_window_s"] = flight["last_at"] - flight["first_at"]
        row["in_flight_from_start_s"] = flight["first_at"] - row["start_unix"]
    row["peak_rss_per_task_kb"] = (row["peak_rss_mb"] - row["baseline_rss_mb"]) * 1024 / count
    return {"count": count, "task_seconds": task_seconds, "spread_s": spread, "interval_s": interval,
            "max_submitting": max_submitting,
            "policy": policy, "videogen": row,
            "emulator": {"peak_rss_mb": emulator.get("VmHWM", 0) / 1024, "rss_mb": emulator.get("VmRSS", 0) / 1024,
                         "threads": emulator.get("Threads")}}
