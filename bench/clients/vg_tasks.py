"""Benchmark client for scenario 1: the videogen Python binding, ``submit_async`` + ``wait_async``.

Usage: python vg_tasks.py BASE_URL COUNT POLL_INTERVAL WAIT_TIMEOUT OUT.json
All tasks are gathered in one event loop; the key comes from $VIDEOGEN_API_KEY. Writes the same JSON as vg_tasks.c.
"""

from __future__ import annotations

import time

PROCESS_START = time.time()

import asyncio  # noqa: E402
import sys  # noqa: E402

import videogen  # noqa: E402

from report_json import proc_status_kb, write_result  # noqa: E402


async def one(client: videogen.Client, detected: dict[str, float], errors: list[str]) -> None:
    try:
        task = await client.submit_async(model="sora-2", prompt="a benchmark task")
        await task.wait_async()
    except videogen.VideoGenError as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
        return
    if task.state == videogen.State.SUCCEEDED:
        detected[task.id] = time.time()
    else:
        errors.append(f"state {task.state}")
    task.close()


async def main(base_url: str, count: int, interval: float, timeout: float, out: str) -> int:
    client = videogen.Client(dialect="openai", base_url=base_url, wait_timeout=timeout,
                             poll={"interval": interval, "max_interval": interval, "multiplier": 1, "jitter": 0,
                                   "adaptive": False})
    baseline_rss, threads = proc_status_kb("VmRSS"), proc_status_kb("Threads")
    detected: dict[str, float] = {}
    errors: list[str] = []
    start = time.time()
    await asyncio.gather(*(one(client, detected, errors) for _ in range(count)))
    end = time.time()
    client.close()
    write_result(out, client="videogen-python", tasks=count, succeeded=len(detected), failed=len(errors),
                 first_error=errors[0] if errors else "", process_start=PROCESS_START, start=start,
                 submitted=start, end=end, baseline_rss_kb=baseline_rss, baseline_threads=threads,
                 detected=detected)
    return 1 if errors else 0


if __name__ == "__main__":
    url, n, every, limit, path = sys.argv[1:6]
    sys.exit(asyncio.run(main(url, int(n), float(every), float(limit), path)))
