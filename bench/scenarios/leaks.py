"""Scenario 5: what requests leave behind, under `valgrind --leak-check=full`.

- bench/clients/vg_polls: one task submitted through the C API and polled POLLS times (vg_task_poll, one HTTP
  request each), everything freed before exit; a short run (BASELINE polls) beside it separates what a process
  loses once from what each request loses.
- bench/clients/vg_tasks (the asynchronous path of scenarios 1 and 2: vg_client_submit_async, vg_task_wait_async,
  vg_client_dispatch): TASKS short tasks polled to the end.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.callgrind import demangle
from harness.context import Context
from harness.emulator import EmulatorProcess

_SUMMARY = {
    "definitely_lost": r"definitely lost: ([\d,]+) bytes in ([\d,]+) blocks",
    "indirectly_lost": r"indirectly lost: ([\d,]+) bytes in ([\d,]+) blocks",
    "possibly_lost": r"possibly lost: ([\d,]+) bytes in ([\d,]+) blocks",
    "still_reachable": r"still reachable: ([\d,]+) bytes in ([\d,]+) blocks",
}
_HEAP = r"total heap usage: ([\d,]+) allocs, ([\d,]+) frees, ([\d,]+) bytes allocated"
_RECORD = re.compile(r"^==\d+== ([\d,]+) (?:\(([\d,]+) direct, ([\d,]+) indirect\) )?bytes in ([\d,]+) blocks are "
                     r"definitely lost in loss record")
_FRAME = re.compile(r"^==\d+==\s+(?:at|by) 0x[0-9A-F]+: (.*)$")


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def parse_log(text: str) -> dict[str, Any]:
    """The LEAK SUMMARY's figures (bytes and blocks of each kind), the heap totals, and the stacks of the
    definitely lost records (first 12 frames, Swift names demangled)."""
    result: dict[str, Any] = {}
    for kind, pattern in _SUMMARY.items():
        found = re.search(pattern, text)
        # valgrind prints no LEAK SUMMARY line for a kind when nothing at all is left at exit
        result[kind + "_bytes"] = _int(found.group(1)) if found else 0
        result[kind + "_blocks"] = _int(found.group(2)) if found else 0
    heap = re.search(_HEAP, text)
    if heap:
        result["allocs"], result["frees"], result["bytes_allocated"] = (_int(g) for g in heap.groups())
    result["leak_summary_found"] = "LEAK SUMMARY" in text or "All heap blocks were freed" in text
    records: list[dict[str, Any]] = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _RECORD.match(line)
        if not match:
            continue
        frames = []
        for follow in lines[index + 1:index + 40]:
            frame = _FRAME.match(follow)
            if not frame:
                break
            frames.append(frame.group(1))
        records.append({"bytes": _int(match.group(1)), "blocks": _int(match.group(4)), "frames": frames[:12]})
    names = demangle(sorted({re.split(r" \(", f, maxsplit=1)[0] for r in records for f in r["frames"]}))
    for record in records:
        record["frames"] = [_demangled_frame(f, names) for f in record["frames"]]
    result["definite_records"] = records
    return result


def _demangled_frame(frame: str, names: dict[str, str]) -> str:
    name, _, rest = frame.partition(" (")
    return names.get(name, name) + (f" ({rest}" if rest else "")


def valgrind_run(ctx: Context, client: list[str], log: Path) -> dict[str, Any]:
    """`client` under memcheck; its figures, wall time and the client's own result line."""
    command = ["valgrind", "--leak-check=full", "--show-leak-kinds=definite", "--num-callers=40",
               f"--log-file={log}", *client]
    began = time.monotonic()
    done = subprocess.run(command, env=ctx.client_env, capture_output=True, text=True, timeout=3600)
    wall = time.monotonic() - began
    figures = parse_log(log.read_text(errors="replace"))
    figures.update({"wall_s": wall, "returncode": done.returncode,
                    "client_output": done.stdout.strip()[-500:], "stderr": done.stderr[-500:]})
    return figures


def run(ctx: Context, polls: int = 10_000, baseline: int = 200, tasks: int = 200, task_seconds: float = 4.0,
        interval: float = 0.5) -> dict[str, Any]:
    """The short run, then the long one, against one emulator whose tasks never finish during the run; then the
    asynchronous path on `tasks` tasks of `task_seconds` polled every `interval` s."""
    if not shutil.which("valgrind"):
        return {"skipped": "valgrind is not installed"}
    with tempfile.TemporaryDirectory() as folder:
        runs = []
        with EmulatorProcess(task_seconds=500_000) as emu:
            for count in (baseline, polls):
                emu.reset()
                figures = valgrind_run(ctx, [ctx.c_client("vg_polls"), emu.base_url, str(count)],
                                       Path(folder) / f"memcheck-{count}.log")
                figures["polls"] = count
                figures["requests"] = emu.stats().get("requests", {}).get("api")
                runs.append(figures)
        with EmulatorProcess(task_seconds, spread=1.0) as emu:
            emu.reset()
            result = Path(folder) / "result.json"
            async_run = valgrind_run(ctx, [ctx.c_client("vg_tasks"), emu.base_url, str(tasks), str(interval),
                                           str(task_seconds * 20 + 60), str(result)], Path(folder) / "memcheck-async.log")
            async_run["tasks"] = tasks
            async_run["requests"] = emu.stats().get("requests", {}).get("api")
            async_run["definitely_lost_per_request"] = (async_run["definitely_lost_bytes"] / async_run["requests"]
                                                        if async_run["requests"] else None)
    short, long = runs
    per = long["requests"] or long["polls"]
    slope_requests = (long["requests"] or 0) - (short["requests"] or 0)

    def slope(kind: str) -> float | None:
        return None if slope_requests <= 0 else (long[kind] - short[kind]) / slope_requests

    return {"polls": polls, "baseline_polls": baseline, "short": short, "long": long, "async": async_run,
            "definitely_lost_per_request": long["definitely_lost_bytes"] / per,
            "definitely_lost_slope_per_request": slope("definitely_lost_bytes"),
            "indirectly_lost_per_request": long["indirectly_lost_bytes"] / per,
            "still_reachable_slope_per_request": slope("still_reachable_bytes"),
            "allocs_per_request": slope("allocs"), "bytes_allocated_per_request": slope("bytes_allocated")}
