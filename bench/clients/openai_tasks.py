"""Benchmark client for scenario 1: the openai Python SDK's ``AsyncOpenAI.videos.create_and_poll``.

Usage: python openai_tasks.py BASE_URL COUNT POLL_INTERVAL WAIT_TIMEOUT OUT.json
All tasks are gathered in one event loop; the key comes from $VIDEOGEN_API_KEY. Writes the same JSON as vg_tasks.c.
"""

from __future__ import annotations

import time

PROCESS_START = time.time()

import asyncio  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import openai  # noqa: E402

from report_json import proc_status_kb, write_result  # noqa: E402

warnings.simplefilter("ignore", DeprecationWarning)   # create_and_poll is marked deprecated with the Sora API


async def one(client: openai.AsyncOpenAI, interval_ms: int, detected: dict[str, float], errors: list[str]) -> None:
    try:
        video = await client.videos.create_and_poll(model="sora-2", prompt="a benchmark task",
                                                    poll_interval_ms=interval_ms)
    except openai.OpenAIError as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
        return
    if video.status == "completed":
        detected[video.id] = time.time()
    else:
        errors.append(f"status {video.status}")


async def main(base_url: str, count: int, interval: float, timeout: float, out: str) -> int:
    client = openai.AsyncOpenAI(base_url=base_url.rstrip("/") + "/v1", api_key=os.environ["VIDEOGEN_API_KEY"])
    baseline_rss, threads = proc_status_kb("VmRSS"), proc_status_kb("Threads")
    detected: dict[str, float] = {}
    errors: list[str] = []
    start = time.time()
    jobs = [one(client, int(interval * 1000), detected, errors) for _ in range(count)]
    await asyncio.wait_for(asyncio.gather(*jobs), timeout)
    end = time.time()
    await client.close()
    write_result(out, client="openai-sdk", tasks=count, succeeded=len(detected), failed=len(errors),
                 first_error=errors[0] if errors else "", process_start=PROCESS_START, start=start,
                 submitted=start, end=end, baseline_rss_kb=baseline_rss, baseline_threads=threads,
                 detected=detected)
    return 1 if errors else 0


if __name__ == "__main__":
    url, n, every, limit, path = sys.argv[1:6]
    sys.exit(asyncio.run(main(url, int(n), float(every), float(limit), path)))
