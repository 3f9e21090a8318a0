"""Benchmark client for scenario 4, run in a fresh interpreter per measurement.

Usage: python py_overhead.py videogen|openai GETTER_CALLS
Prints one JSON object: ``import_ms`` (importing the package; for videogen this includes loading libvideogen and
the Swift runtime), ``create_ms`` (creating a client), and ``getter_ns``: the cost of reading a task's state as
the package exposes it (``Task.state`` through the binding's ctypes call; the ``status`` attribute of the SDK's
pydantic ``Video`` model, which is plain data with no native call behind it).
"""

from __future__ import annotations

import json
import sys
import time
import warnings


def measure_videogen(calls: int) -> dict[str, float]:
    t0 = time.perf_counter()
    import videogen
    videogen.Client   # noqa: B018 - the binding loads the library lazily; force it as a real use would
    from videogen import _loader
    _loader.library()
    t1 = time.perf_counter()
    client = videogen.Client(dialect="openai", base_url="http://127.0.0.1:9", api_key="sk-bench")
    t2 = time.perf_counter()
    task = client.resume({"record_version": 1, "id": "video_1", "dialect": "openai",
                          "base_url": "http://127.0.0.1:9", "state": "running", "progress": 42})
    s0 = time.perf_counter()
    for _ in range(calls):
        task.state
    s1 = time.perf_counter()
    task.close()
    client.close()
    return {"import_ms": (t1 - t0) * 1e3, "create_ms": (t2 - t1) * 1e3, "getter_ns": (s1 - s0) * 1e9 / calls}


def measure_openai(calls: int) -> dict[str, float]:
    t0 = time.perf_counter()
    import openai
    from openai.types import Video
    t1 = time.perf_counter()
    openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="sk-bench")
    t2 = time.perf_counter()
    video = Video.model_validate({"id": "video_1", "object": "video", "created_at": 0, "completed_at": None,
                                  "expires_at": None, "model": "sora-2", "progress": 42, "prompt": "x",
                                  "remixed_from_video_id": None, "seconds": "4", "size": "720x1280",
                                  "status": "in_progress", "error": None})
    s0 = time.perf_counter()
    for _ in range(calls):
        video.status
    s1 = time.perf_counter()
    return {"import_ms": (t1 - t0) * 1e3, "create_ms": (t2 - t1) * 1e3, "getter_ns": (s1 - s0) * 1e9 / calls}


if __name__ == "__main__":
    warnings.simplefilter("ignore", DeprecationWarning)
    which, count = sys.argv[1], int(sys.argv[2])
    print(json.dumps((measure_videogen if which == "videogen" else measure_openai)(count)))
