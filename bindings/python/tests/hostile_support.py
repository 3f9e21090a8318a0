"""What the hostile-server tests (test_hostile_*.py) share: the client settings, the case description, running cases
in child processes (hostile_client.py) against a :class:`~hostile_server.HostileServer`, and the checks every case
gets.

Every case is one call (a submit, a poll or a download) of the Python binding against one misbehaving server. It is
held to:

- its expected ``vg_code`` (one code; two only where the issue allows either of two outcomes, and then each with its
  own check);
- a time bound: the call returns within its configured timeout (``request_timeout`` for submits and polls,
  ``stall_timeout`` for a download's single attempt; both :data:`TIMEOUT`) plus :data:`SLACK`. A call still running
  at :data:`HARD_LIMIT` is killed and reported hung;
- no crash: the call runs in a forked worker, so a crash of the library is reported as this case's failure;
- for a case marked ``isolate``: a memory bound. The worker runs that one call, and its peak resident set
  (``ru_maxrss``) must stay within ``max_response_bytes`` + :data:`MEMORY_SLACK` of the baseline, the peak of a
  worker that made the same kind of call to a well-behaved server;
- for downloads: the destination holds exactly the expected bytes after a success, and nothing (no file, no part
  file: the server gives no validator to resume from) after a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hostile_server import MiB, VIDEO, HostileServer

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(TESTS_DIR)
CLIENT = os.path.join(TESTS_DIR, "hostile_client.py")

#: The three request kinds every case goes through.
KINDS = ("submit", "poll", "download")

#: ``request_timeout`` and ``stall_timeout`` of every case, seconds.
TIMEOUT = 2.0
#: How far past its configured timeout a call may return (the issue's bound).
SLACK = 1.0
#: The time bound of every call.
TIME_BOUND = TIMEOUT + SLACK
#: A call still running this long is killed and reported hung (so a hang costs seconds, not the suite).
HARD_LIMIT = TIME_BOUND + 7.0
#: The memory a heavy case may use above its baseline, besides ``max_response_bytes``.
MEMORY_SLACK = 16 * MiB
#: The client's default ``max_response_bytes`` (README).
DEFAULT_MAX_RESPONSE_BYTES = 8 * MiB


def options(**overrides: Any) -> dict[str, Any]:
    """The client settings of a case: short timeouts, one attempt (a retry would only slow the test down), and a
    cap on the video so that an endless download ends."""
    settings: dict[str, Any] = {"request_timeout": TIMEOUT, "stall_timeout": TIMEOUT,
                                "retry": {"max_attempts": 1}, "max_download_bytes": 8 * MiB}
    settings.update(overrides)
    return settings


@dataclass
class Case:
    """One call against one behaviour of the server."""

    kind: str
    case: str
    """The server's case segment: the behaviour (and its argument), e.g. ``cut-137`` or ``redirect-307:other``."""
    expect: tuple[str, ...]
    """The acceptable results, as ``ErrorCode`` names (``"OK"`` for success)."""
    config: dict[str, Any] = field(default_factory=options)
    isolate: bool = False
    """Run alone in its own worker and check its peak memory against the baseline of its kind."""
    scheme: str = "http"
    """The scheme as spelled in the client's ``base_url`` (``HTTP`` for the upper-case case)."""
    file: bytes | None = VIDEO
    """Downloads: what the destination must hold after a success."""
    http_status: int | None = None
    """When set, the HTTP status the error must carry."""

    @property
    def name(self) -> str:
        """Unique within a run: ``<kind>:<case>``."""
        return f"{self.kind}:{self.case}"

    def job(self, server: HostileServer, directory: str) -> dict[str, Any]:
        """The case as the child runner takes it."""
        base = server.url(self.case, scheme=self.scheme)
        return {"name": self.name, "kind": self.kind, "base_url": base, "config": self.config,
                "video_url": f"{base}/v1/videos/video_hostile/content",
                "dest": os.path.join(directory, self.name.replace(":", "_") + ".mp4"),
                "hard_limit": HARD_LIMIT, "isolate": self.isolate}


def baselines() -> list[Case]:
    """The memory baselines: each kind against the well-behaved server, alone in a worker."""
    return [Case(kind, "ok", ("OK",), isolate=True) for kind in KINDS]


def run_lanes(server: HostileServer, directory: str, lanes: Iterable[list[Case]]) -> dict[str, dict[str, Any]]:
    """Run each lane's cases in order in a child runner of its own, the lanes at the same time; the results by
    case name."""
    lanes = [lane for lane in lanes if lane]
    results: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def run(lane: list[Case]) -> None:
        job = json.dumps({"cases": [case.job(server, directory) for case in lane]})
        budget = sum(HARD_LIMIT for _ in lane) + 60
        done = subprocess.run([sys.executable, CLIENT], input=job, capture_output=True, text=True, timeout=budget,
                              env={**os.environ, "PYTHONPATH": PYTHON_DIR, "SWIFT_BACKTRACE": "enable=no"})
        with lock:
            for line in done.stdout.splitlines():
                result = json.loads(line)
                results[result["name"]] = result
            if done.returncode != 0:
                failures.append(f"runner exited {done.returncode}: {done.stderr[-2000:]}")

    threads = [threading.Thread(target=run, args=(lane,)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    missing = [case.name for lane in lanes for case in lane if case.name not in results]
    assert not missing, f"no result for {missing}"
    return results


def describe(result: dict[str, Any]) -> str:
    """One line saying what a call did."""
    if result.get("code") is None:
        what = f"HUNG (killed after {HARD_LIMIT:.0f} s)" if result.get("hung") else f"CRASH ({result.get('crash')})"
        stderr = " ".join((result.get("stderr") or "").split())[:160]
        return f"{what} {stderr}".strip()
    text = result["code_name"]
    if result.get("http_status"):
        text += f" (HTTP {result['http_status']})"
    if result.get("message"):
        text += f": {result['message'][:140]}"
    return text


def problems(case: Case, result: dict[str, Any], baseline: dict[str, Any] | None = None) -> list[str]:
    """Everything wrong with ``result`` for ``case`` (empty when it passed)."""
    found: list[str] = []
    code = result.get("code_name") if result.get("code") is not None else None
    if code not in case.expect:
        found.append(f"expected {' or '.join(case.expect)}, got {describe(result)}")
    elapsed = result.get("elapsed")
    if elapsed is not None and elapsed > TIME_BOUND:
        found.append(f"took {elapsed:.2f} s, over the {TIME_BOUND:.1f} s bound")
    if case.http_status is not None and code not in (None, "OK") and result.get("http_status") != case.http_status:
        found.append(f"expected HTTP status {case.http_status} in the error, got {result.get('http_status')}")
    if case.isolate and baseline is not None:
        limit = case.config.get("max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES) + MEMORY_SLACK
        used = (result.get("max_rss_kib", 0) - baseline.get("max_rss_kib", 0)) * 1024
        if used > limit:
            found.append(f"peak RSS {used / MiB:.1f} MiB above the baseline, over the {limit / MiB:.0f} MiB bound")
    if case.kind == "download" and code is not None:
        if code == "OK":
            expected = {"size": len(case.file), "sha256": hashlib.sha256(case.file).hexdigest()}
            if result.get("file") != expected:
                found.append(f"the file holds {result.get('file')}, expected {expected}")
        else:
            if result.get("file") is not None:
                found.append(f"a failed download left a file at the destination: {result['file']}")
            if result.get("part") is not None:
                found.append(f"a failed download without a validator kept a part file: {result['part']}")
    return found


def ranges(offsets: list[int]) -> str:
    """``[1, 2, 3, 7]`` as ``"1-3, 7"``."""
    spans: list[str] = []
    start = previous = None
    for offset in sorted(offsets) + [None]:
        if start is not None and (offset is None or offset != previous + 1):
            spans.append(str(start) if start == previous else f"{start}-{previous}")
            start = None
        if offset is not None and start is None:
            start = offset
        previous = offset
    return ", ".join(spans)
