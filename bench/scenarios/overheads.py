"""Scenario 4: library load plus client creation, and the cost of one task getter, in fresh processes."""

from __future__ import annotations

import json
from typing import Any

from harness import procs
from harness.context import Context
from harness.stats import median


def _runs(ctx: Context, command: list[str], repeats: int) -> list[dict[str, float]]:
    results = []
    for _ in range(repeats):
        measured = procs.run(command, env=ctx.client_env, timeout=120)
        if measured.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {measured.stderr[-1000:]}")
        result = json.loads(measured.stdout.strip().splitlines()[-1])
        result["process_wall_ms"] = measured.wall * 1e3
        result["peak_rss_mb"] = measured.peak_rss_kb / 1024
        results.append(result)
    return results


def _medians(results: list[dict[str, float]]) -> dict[str, float]:
    keys = [k for k in results[0] if isinstance(results[0][k], (int, float))]
    return {key: median([r[key] for r in results]) for key in keys}


def run(ctx: Context, repeats: int = 10, getter_calls: int = 1_000_000) -> dict[str, Any]:
    """Medians over `repeats` fresh processes of each form."""
    c = _medians(_runs(ctx, [ctx.c_client("vg_overhead"), str(ctx.library), str(getter_calls)], repeats))
    py = _medians(_runs(ctx, ctx.py_client("py_overhead.py") + ["videogen", str(getter_calls // 5)], repeats))
    oa = _medians(_runs(ctx, ctx.py_client("py_overhead.py") + ["openai", str(getter_calls // 5)], repeats))
    return {"repeats": repeats, "c": c, "python_binding": py, "openai": oa}
