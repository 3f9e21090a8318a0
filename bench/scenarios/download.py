"""Scenario 3: one large file from nginx on loopback. videogen against curl -o and the openai SDK's stream."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from harness import procs
from harness.context import Context
from harness.nginx import Nginx, make_file
from harness.stats import median

TASK_ID = "video_bench"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def clients(ctx: Context, base_url: str, out: Path) -> list[tuple[str, list[str]]]:
    """Each client's command downloading the file to `out`."""
    return [
        ("curl -o", [shutil.which("curl") or "curl", "-s", "-f", "-o", str(out),
                     f"{base_url}/v1/videos/{TASK_ID}/content"]),
        ("videogen (C API)", [ctx.c_client("vg_download"), base_url, TASK_ID, str(out)]),
        ("openai SDK (streamed)", ctx.py_client("openai_download.py") + [base_url, TASK_ID, str(out)]),
    ]


def run(ctx: Context, size_mib: int = 1024, repeats: int = 5, small_mib: int = 64) -> dict[str, Any]:
    """Every client `repeats` times, interleaved, on a `size_mib` file; videogen also on a `small_mib` file."""
    source = ctx.build / f"download-{size_mib}MiB.bin"
    make_file(source, size_mib << 20)
    expected = sha256_of(source)
    out = ctx.build / "download-out.bin"
    runs: dict[str, list[dict[str, Any]]] = {}
    with Nginx(source) as nginx:
        for _ in range(repeats):
            for name, command in clients(ctx, nginx.base_url, out):
                out.unlink(missing_ok=True)
                measured = procs.run(command, env=ctx.client_env, timeout=600)
                exact = measured.returncode == 0 and out.exists() and sha256_of(out) == expected
                runs.setdefault(name, []).append({
                    "wall_s": measured.wall, "cpu_s": measured.cpu, "peak_rss_mb": measured.peak_rss_kb / 1024,
                    "mb_per_s": (size_mib << 20) / measured.wall / 1e6, "byte_exact": exact,
                    "switches": measured.switches,
                    "returncode": measured.returncode, "stderr": measured.stderr[-500:]})
                out.unlink(missing_ok=True)
    flat = small_file_rss(ctx, small_mib, repeats)
    rows = []
    for name, results in runs.items():
        rows.append({"client": name, "runs": len(results), "all_byte_exact": all(r["byte_exact"] for r in results),
                     "mb_per_s": median([r["mb_per_s"] for r in results]),
                     "wall_s": median([r["wall_s"] for r in results]),
                     "cpu_s": median([r["cpu_s"] for r in results]),
                     "switches": median([r["switches"] for r in results]),
                     "peak_rss_mb": max(r["peak_rss_mb"] for r in results), "raw": results})
    return {"size_mib": size_mib, "repeats": repeats, "rows": rows, "flatness": flat}


def small_file_rss(ctx: Context, size_mib: int, repeats: int) -> dict[str, Any]:
    """videogen's peak RSS on a smaller file, to show that memory does not grow with the size."""
    source = ctx.build / f"download-{size_mib}MiB.bin"
    make_file(source, size_mib << 20)
    out = ctx.build / "download-small-out.bin"
    peaks = []
    with Nginx(source) as nginx:
        for _ in range(repeats):
            out.unlink(missing_ok=True)
            measured = procs.run([ctx.c_client("vg_download"), nginx.base_url, TASK_ID, str(out)],
                                 env=ctx.client_env, timeout=600)
            if measured.returncode == 0:
                peaks.append(measured.peak_rss_kb / 1024)
    out.unlink(missing_ok=True)
    source.unlink(missing_ok=True)
    return {"size_mib": size_mib, "videogen_peak_rss_mb": max(peaks, default=None)}


def cleanup(ctx: Context) -> None:
    """Remove the large files (they are regenerated on the next run)."""
    for path in ctx.build.glob("download-*"):
        path.unlink(missing_ok=True)



