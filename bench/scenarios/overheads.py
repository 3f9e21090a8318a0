"""Scenario 4: library load plus client creation, the cost of one task getter, and the shared libraries the loaded
library maps, in fresh processes."""

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


#: Libraries whose dlopen alone (with what they pull in) is timed, to show where loading libvideogen goes.
DEPENDENCIES = ("libswiftCore.so", "libswift_Concurrency.so", "libFoundationEssentials.so", "libFoundation.so",
                "libcurl.so")


def dependency_loads(ctx: Context, libraries: list[str], repeats: int) -> dict[str, float]:
    """Median dlopen time of each of DEPENDENCIES alone, in fresh processes (each includes its own dependencies)."""
    loads = {}
    for name in DEPENDENCIES:
        path = next((p for p in libraries if p.rsplit("/", 1)[-1].startswith(name)), None)
        if path:
            loads[name] = median([r["load_ms"] for r in _runs(ctx, [ctx.c_client("vg_overhead"), path, "0"], repeats)])
    return loads


def run(ctx: Context, repeats: int = 10, getter_calls: int = 1_000_000) -> dict[str, Any]:
    """Medians over `repeats` fresh processes of each form; the C form also lists the shared libraries mapped by
    dlopen + vg_client_create (from /proc/self/maps, the same in every run)."""
    c_runs = _runs(ctx, [ctx.c_client("vg_overhead"), str(ctx.library), str(getter_calls)], repeats)
    c = _medians(c_runs)
    c["libraries"] = sorted(c_runs[0].get("libraries", []))
    c["load_create_ms_runs"] = [r["load_ms"] + r["create_ms"] for r in c_runs]
    c["dependency_load_ms"] = dependency_loads(ctx, c["libraries"], repeats)
    py = _medians(_runs(ctx, ctx.py_client("py_overhead.py") + ["videogen", str(getter_calls // 5)], repeats))
    oa = _medians(_runs(ctx, ctx.py_client("py_overhead.py") + ["openai", str(getter_calls // 5)], repeats))
    return {"repeats": repeats, "c": c, "python_binding": py, "openai": oa}
