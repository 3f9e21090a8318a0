"""Scenario 8: 50 tasks of 5 s with the default policy through the README's asyncio example
(examples/python/many_async.py: `generate_async` under `asyncio.gather`: submit, wait, download), beside the openai
SDK's `create_and_poll` with its fixed 1-s poll (submit and wait only, no download)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from harness import procs
from harness.context import Context
from harness.emulator import REPO, EmulatorProcess
from harness.stats import percentile
from scenarios.many_tasks import measure_client

EXAMPLE = REPO / "examples" / "python" / "many_async.py"


def run_example(ctx: Context, emu: EmulatorProcess, count: int) -> dict[str, Any]:
    """The example as a user runs it: a fresh interpreter, `python many_async.py BASE_URL DIR COUNT`."""
    emu.reset()
    with tempfile.TemporaryDirectory() as folder:
        began = time.time()
        measured = procs.run([ctx.python, str(EXAMPLE), emu.base_url, folder, str(count)], env=ctx.client_env,
                             timeout=300, threads=True)
        ended = began + measured.wall
        saved = sorted(Path(folder).glob("*.mp4"))
        sizes = [p.stat().st_size for p in saved]
    stats, tasks = emu.stats(), emu.tasks()
    completes = [t["completes_at"] for t in tasks if t["completes_at"] is not None]
    requests = stats.get("requests", {})
    return {
        "client": "videogen (Python binding): the README's asyncio example, default policy",
        "tasks": count, "succeeded": sum(1 for size in sizes if size > 0), "failed": count - len(saved),
        "returncode": measured.returncode, "first_error": measured.stderr[-500:] if measured.returncode else "",
        "wall_s": measured.wall, "cpu_s": measured.cpu, "peak_rss_mb": measured.peak_rss_kb / 1024,
        "peak_threads": measured.peak_threads, "requests": requests.get("api"), "cdn_requests": requests.get("cdn"),
        "requests_per_task": requests.get("api") / count if requests.get("api") else None,
        "last_completion_after_start_s": max(completes) - began if completes else None,
        "after_last_completion_s": ended - max(completes) if completes else None,
        "task_seconds_p50": percentile([t["completes_at"] - t["created_at"] for t in tasks
                                        if t["completes_at"] is not None], 50),
    }


def run(ctx: Context, count: int = 50, task_seconds: float = 5.0) -> dict[str, Any]:
    """The example, then the SDK, against one emulator whose tasks last exactly task_seconds."""
    with EmulatorProcess(task_seconds, 0.0) as emu:
        example = run_example(ctx, emu, count)
        sdk = measure_client(ctx, emu, "openai SDK (AsyncOpenAI.create_and_poll, fixed 1-s poll)",
                             ctx.py_client("openai_tasks.py"), count, 1.0, 120)
    return {"count": count, "task_seconds": task_seconds, "example": example, "sdk": sdk}
