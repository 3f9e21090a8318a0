"""Scenario 7: adaptive polling. Tasks that report progress, waited for through the C API with the library's default
policy (adaptive placement on), the same policy with adaptive placement off, and a fixed 2-s poll; once with
steadily rising progress and once with a rate that varies (the emulator's progress_profile "variable": slow start,
burst, stall, finish), so that the estimate meets a case it gets wrong."""

from __future__ import annotations

import json
from typing import Any

from harness.context import Context
from harness.emulator import EmulatorProcess
from scenarios.many_tasks import measure_client

#: (label, the configuration's "poll" object)
POLICIES = [
    ("default policy (adaptive)", {}),
    ("default policy, adaptive off", {"adaptive": False}),
    ("fixed 2-s poll", {"interval": 2, "max_interval": 2, "multiplier": 1, "jitter": 0, "adaptive": False}),
]
PROFILES = ("linear", "variable")


def run(ctx: Context, count: int = 200, task_seconds: float = 30.0, spread: float = 5.0) -> dict[str, Any]:
    """Every policy against every progress profile, one after the other, on one emulator whose tasks last
    task_seconds + [0, spread] (the first 20 % queued, then running with progress)."""
    timeout = task_seconds * 10 + 120
    rows = []
    with EmulatorProcess(task_seconds, spread) as emu:
        for profile in PROFILES:
            emu.control(progress_profile=profile)
            for label, policy in POLICIES:
                row = measure_client(ctx, emu, label, [ctx.c_client("vg_tasks")], count, 2.0, timeout,
                                     extra=(json.dumps(policy),))
                row.update(profile=profile, policy=policy)
                rows.append(row)
        emu.control(progress_profile="linear")
    return {"count": count, "task_seconds": task_seconds, "spread_s": spread, "rows": rows}
