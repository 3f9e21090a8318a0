"""Scenario 4: library load plus client creation, the cost of one task getter, and the shared libraries the loaded
library maps, in fresh processes; for the development build and for the self-contained dist library (make dist)
side by side, with their sizes on disk."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
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


#: File names of the toolchain's runtime libraries (what the development build maps and the dist library contains).
TOOLCHAIN_RUNTIME = re.compile(r"^(libswift|libFoundation|lib_Foundation|libdispatch\.so|libBlocksRuntime\.so)")


def _c_forms(ctx: Context, libraries: list[Path], repeats: int, getter_calls: int) -> list[dict[str, Any]]:
    """vg_overhead's figures for each library file, the files taking turns (so a change in the machine's load
    touches them alike)."""
    runs: list[list[dict[str, float]]] = [[] for _ in libraries]
    for _ in range(repeats):
        for index, library in enumerate(libraries):
            runs[index] += _runs(ctx, [ctx.c_client("vg_overhead"), str(library), str(getter_calls)], 1)
    return [_c_form(library, r) for library, r in zip(libraries, runs)]


def _c_form(library: Path, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The medians of one library's runs, its mapped libraries, and its size: the file's own (`library_bytes`) and
    that of the toolchain runtime libraries it maps (`runtime_bytes`, 0 for the dist one)."""
    c = _medians(runs)
    c["libraries"] = sorted(runs[0].get("libraries", []))
    c["load_create_ms_runs"] = [r["load_ms"] + r["create_ms"] for r in runs]
    c["path"] = str(library.resolve())
    c["library_bytes"] = os.path.getsize(library.resolve())
    c["runtime_bytes"] = sum(os.path.getsize(p) for p in c["libraries"]
                             if TOOLCHAIN_RUNTIME.match(Path(p).name) and os.path.exists(p))
    return c


def run(ctx: Context, repeats: int = 10, getter_calls: int = 1_000_000) -> dict[str, Any]:
    """Medians over `repeats` fresh processes of each form; the C forms also list the shared libraries mapped by
    dlopen + vg_client_create (from /proc/self/maps, the same in every run); the development and the dist library
    take turns. The dist library's row needs `make dist` (scripts/bench.sh runs it)."""
    if ctx.dist_library is None or not ctx.dist_library.exists():
        raise RuntimeError(f"no dist library at {ctx.dist_library}: run `make dist` first")
    c, c_dist = _c_forms(ctx, [ctx.library, ctx.dist_library], repeats, getter_calls)
    c["dependency_load_ms"] = dependency_loads(ctx, c["libraries"], repeats)
    size_table = ctx.dist_library.resolve().parent.parent / "size.md"   # written by scripts/dist.sh
    if size_table.exists():
        c_dist["size_table"] = size_table.read_text().strip()
    py = _medians(_runs(ctx, ctx.py_client("py_overhead.py") + ["videogen", str(getter_calls // 5)], repeats))
    oa = _medians(_runs(ctx, ctx.py_client("py_overhead.py") + ["openai", str(getter_calls // 5)], repeats))
    return {"repeats": repeats, "c": c, "c_dist": c_dist, "python_binding": py, "openai": oa}
