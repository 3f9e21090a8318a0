#!/usr/bin/env python3
"""The conformance runner of the Python binding (bindings/python, ctypes): runs conformance/scenarios.json.

    python3 conformance/python/runner.py conformance/scenarios.json

Environment (set by conformance/run.py): VG_CONFORMANCE_URL (the emulator), VG_CONFORMANCE_ECHO_URL (the service
that echoes the key), VG_CONFORMANCE_KEY (the canary key, read by the library through api_key_env),
VG_CONFORMANCE_SCRATCH (a directory to write into), VG_CONFORMANCE_ONLY (optional comma-separated ids). Prints one
'CONFORMANCE {...}' line per scenario; an id this runner does not know fails. Expected values come from the file.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import videogen

RUNTIME = "python"
PRINT = os.environ.get("VG_CONFORMANCE_PRINT") == "1"  # the canary child: print every error and record
printed = 0


class Failed(Exception):
    """A scenario's expectation did not hold."""


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise Failed(what)


def show(label: str, value: Any) -> None:
    """In the canary child, print what a user could print: every error's fields, every record."""
    global printed
    if PRINT:
        printed += 1
        if isinstance(value, videogen.VideoGenError):
            value = (f"{value!s} | {value!r} | code={int(value.code)} http={value.http_status} "
                     f"provider={value.provider_code} retry={value.retry_after} task={value.task_id}")
        print(f"SHOW {label}: {value}", flush=True)


class Suite:
    """The scenarios file and the environment the orchestrator gave."""

    def __init__(self, path: str) -> None:
        self.doc = json.loads(Path(path).read_text())
        self.path = path
        self.codes: dict[str, int] = self.doc["codes"]
        self.states: list[str] = self.doc["states"]
        self.video: dict[str, Any] = self.doc["video"]
        self.scratch = Path(os.environ["VG_CONFORMANCE_SCRATCH"])

    def client(self, scenario: dict) -> videogen.Client:
        config = dict(self.doc["client"], **scenario.get("client", {}))
        config["base_url"] = os.environ["VG_CONFORMANCE_ECHO_URL" if scenario["service"] == "echo"
                                        else "VG_CONFORMANCE_URL"]
        return videogen.Client(**config)

    def dir(self, scenario: dict) -> Path:
        path = self.scratch / scenario["id"]
        path.mkdir(parents=True, exist_ok=True)
        return path

    def code(self, name: str) -> int:
        return self.codes[name]

    def check_video(self, path: Path) -> None:
        data = path.read_bytes()
        expect(len(data) == self.video["bytes"] and hashlib.sha256(data).hexdigest() == self.video["sha256"],
               f"{path.name}: {len(data)} bytes, not the video")


def error_of(action: Callable[[], Any]) -> videogen.VideoGenError:
    """The VideoGenError `action` raises (a failure when it raises none)."""
    try:
        result = action()
    except videogen.VideoGenError as error:
        show("error", error)
        return error
    raise Failed(f"no error; got {result!r}")


def whole_job_byte_exact(suite: Suite, sc: dict) -> str:
    out = suite.dir(sc) / "video.mp4"
    transfers: list[tuple[int, int | None]] = []
    with suite.client(sc) as client:
        task = client.generate(**sc["request"], output=out,
                               on_progress=lambda p: p.kind == "download" and transfers.append(
                                   (p.bytes_received, p.bytes_total)))
        with task:
            record = task.record()
            show("record", json.dumps(record))
            expect(task.state.value == sc["expect"]["state"], f"state {task.state}")
    suite.check_video(out)
    size = suite.video["bytes"]
    expect(transfers and transfers[-1] == (size, size), f"last transfer {transfers[-1:]}, want {size} of {size}")
    download = record.get("download") or {}
    expect(download.get("bytes") == size and download.get("sha256") == suite.video["sha256"],
           f"record's download {download}")
    expect(not Path(str(out) + ".part").exists(), "a part file was left")
    return f"{size} bytes, sha256 matches, {len(transfers)} byte updates"


def progress_events_in_order(suite: Suite, sc: dict) -> str:
    ex = sc["expect"]
    seen: list[tuple[str, int | None]] = []
    with suite.client(sc) as client, client.submit(**sc["request"]) as task:
        task.wait(on_progress=lambda p: seen.append((p.state.value, p.percent)))
        show("record", json.dumps(task.record()))
    expect(len(seen) >= ex["min_updates"], f"{len(seen)} updates")
    rank = suite.states.index
    expect(rank(seen[0][0]) < rank("succeeded"), f"first update already {seen[0][0]}")
    for before, after in zip(seen, seen[1:]):
        expect(rank(after[0]) >= rank(before[0]), f"state went back: {before} then {after}")
        if before[1] is not None and after[1] is not None:
            expect(after[1] >= before[1], f"progress went back: {before} then {after}")
    expect(seen[-1] == (ex["last_state"], ex["last_progress"]), f"last update {seen[-1]}")
    return f"{len(seen)} updates, {seen[0]} .. {seen[-1]}"


def typed_auth_error(suite: Suite, sc: dict) -> str:
    ex = sc["expect"]
    with suite.client(sc) as client:
        error = error_of(lambda: client.submit(**sc["request"]))
    expect(isinstance(error, videogen.AuthenticationError), f"{type(error).__name__}, not AuthenticationError")
    expect(int(error.code) == suite.code(ex["code"]) and error.http_status == ex["http_status"]
           and error.provider_code == ex["provider_code"], f"got {error!r}")
    expect(error.task is None, "a task came with the refused submit")
    expect(os.environ["VG_CONFORMANCE_KEY"] not in f"{error!s}{error!r}", "the key is in the error")
    return f"{type(error).__name__} {error.http_status} {error.provider_code}"


def not_found(suite: Suite, sc: dict) -> str:
    ex = sc["expect"]
    with suite.client(sc) as client, client.resume(sc["record"]) as task:
        error = error_of(lambda: task.wait())
    expect(isinstance(error, videogen.NotFoundError), f"{type(error).__name__}, not NotFoundError")
    expect(int(error.code) == suite.code(ex["code"]) and error.http_status == ex["http_status"]
           and error.task_id == ex["task_id"], f"got {error!r}")
    return f"NotFoundError {error.http_status} task {error.task_id}"


def task_failed_with_reason(suite: Suite, sc: dict) -> str:
    ex = sc["expect"]
    with suite.client(sc) as client, client.submit(**sc["request"]) as task:
        error = error_of(lambda: task.wait())
        expect(int(error.code) == suite.code(ex["code"]) and error.provider_code == ex["provider_code"]
               and ex["message_contains"] in error.message and error.task_id == task.id, f"got {error!r}")
        expect(task.state.value == ex["state"], f"state {task.state}")
        own = task.error
        expect(own is not None and own.code == error.code and own.message == error.message,
               f"task.error {own!r} is not the wait's")
        show("record", json.dumps(task.record()))
    return f"{type(error).__name__} {error.provider_code}: {error.message}"


def wait_deadline(suite: Suite, sc: dict) -> str:
    ex, deadline = sc["expect"], sc["deadline_seconds"]
    took = []
    with suite.client(sc) as client, client.submit(**sc["request"]) as task:
        for _ in range(sc["rounds"]):
            start = time.monotonic()
            error = error_of(lambda: task.wait(timeout=deadline))
            took.append(time.monotonic() - start)
            expect(int(error.code) == suite.code(ex["code"]), f"got {error!r}")
            expect(took[-1] >= deadline, f"returned after {took[-1]:.3f} s, before the deadline")
            expect(not task.done, f"state {task.state}")
        start = time.monotonic()
        error = error_of(lambda: task.wait(timeout=sc["expired_deadline_seconds"]))
        expired = time.monotonic() - start
        expect(int(error.code) == suite.code(ex["expired_code"]), f"an expired deadline: {error!r}")
        expect(expired <= ex["expired_within_seconds"], f"an expired deadline returned after {expired:.3f} s")
    return "deadline errors after " + ", ".join(f"{t:.2f} s" for t in took) + f"; expired: {expired * 1000:.1f} ms"


def cancel_within_1s(suite: Suite, sc: dict) -> str:
    ex = sc["expect"]
    started = threading.Event()
    cancelled = threading.Event()
    late: list[Any] = []
    outcome: dict[str, Any] = {}

    def progress(p: Any) -> None:
        if cancelled.is_set():
            late.append(p)
        started.set()

    with suite.client(sc) as client, client.submit(**sc["request"]) as task:
        def waiter() -> None:
            try:
                task.wait(timeout=sc["wait_seconds"], on_progress=progress)
            except videogen.VideoGenError as error:
                outcome["error"] = error
            outcome["returned"] = time.monotonic()

        thread = threading.Thread(target=waiter)
        thread.start()
        expect(started.wait(sc["wait_seconds"]), "the wait never reported its start")
        # The cancel, from this thread (not the waiting one); the time runs from the call.
        at = time.monotonic()
        task.cancel()
        cancelled.set()
        thread.join(sc["wait_seconds"])
        expect(not thread.is_alive(), "the wait did not return")
        error = outcome.get("error")
        expect(error is not None and int(error.code) == suite.code(ex["code"]), f"the wait ended with {error!r}")
        lag = outcome["returned"] - at
        expect(lag <= sc["within_seconds"], f"the wait returned {lag:.3f} s after the cancel")
        expect(not late, f"{len(late)} progress callbacks after the cancel returned")
        later = error_of(lambda: task.wait(timeout=sc["wait_seconds"]))
        expect(int(later.code) == suite.code(ex["later_wait_code"]), f"a later wait: {later!r}")
    return f"cancelled wait returned {lag * 1000:.1f} ms after the cancel call"


def resume_in_new_process(suite: Suite, sc: dict) -> str:
    folder = suite.dir(sc)
    with suite.client(sc) as client, client.submit(**sc["request"]) as task:
        record = json.dumps(task.record())
    expect(os.environ["VG_CONFORMANCE_KEY"] not in record, "the record holds the key")
    (folder / "record.json").write_text(record)
    out = folder / "resumed.mp4"
    child = subprocess.run([sys.executable, __file__, "--child", "resume", suite.path, str(folder / "record.json"),
                            str(out)], capture_output=True, text=True, timeout=300)
    expect(child.returncode == sc["expect"]["child_exit"],
           f"the child exited {child.returncode}: {child.stdout[-500:]} {child.stderr[-500:]}")
    suite.check_video(out)
    return f"a child process resumed {json.loads(record)['id']} and downloaded it byte-exact"


def resume_child(suite: Suite, record_path: str, out: str) -> int:
    sc = {"service": "emulator"}
    with suite.client(sc) as client, client.resume(Path(record_path).read_text()) as task:
        task.wait()
        task.download(out)
        print(f"resumed {task.id} {task.file.sha256}")
    return 0


def os_threads() -> int:
    """This process's OS threads (/proc/self/status)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("Threads:"))


def tasks_200_at_once(suite: Suite, sc: dict) -> str:
    folder = suite.dir(sc)
    before = os_threads()
    most = [before]

    def sample(_: Any) -> None:
        most[0] = max(most[0], os_threads())

    async def all_jobs(client: videogen.Client) -> list[videogen.Task]:
        return await asyncio.gather(*(client.generate_async(**sc["request"], output=folder / f"{i}.mp4",
                                                            timeout=sc["wait_seconds"], on_progress=sample)
                                      for i in range(sc["count"])))

    with suite.client(sc) as client:
        tasks = asyncio.run(all_jobs(client))
        try:
            expect(all(t.state.value == "succeeded" for t in tasks), "not every task succeeded")
            expect(len({t.id for t in tasks}) == sc["count"], "task ids repeat")
        finally:
            for t in tasks:
                t.close()
    for i in range(sc["count"]):
        suite.check_video(folder / f"{i}.mp4")
    extra = most[0] - before
    expect(extra <= sc["expect"]["max_extra_threads"], f"{extra} more OS threads with the tasks in flight")
    return f"{sc['count']} jobs on one asyncio loop; OS threads {before} before, at most {most[0]} in flight"


def misuse_after_close(suite: Suite, sc: dict) -> str:
    ex = sc["expect"]
    client = suite.client(sc)
    bad = error_of(lambda: client.submit(**sc["bad_request"]))
    expect(int(bad.code) == suite.code(ex["bad_request_code"]) and ex["bad_request_names"] in bad.message,
           f"a bad request: {bad!r}")
    task = client.submit(**sc["request"])
    task.close()
    task.close()  # a no-op
    refused = []
    # The Python binding refuses calls on a closed object as Python refuses them on a closed file.
    idiom = {"ValueError": ValueError}[ex["closed_idiom"][RUNTIME]]
    for name, call in (("wait", lambda: task.wait()), ("download", lambda: task.download(suite.dir(sc) / "x.mp4")),
                       ("record", task.record), ("cancel", task.cancel)):
        try:
            call()
            raise Failed(f"{name} on a closed task was not refused")
        except idiom as error:
            refused.append(f"task.{name}: {error}")
    client.close()
    client.close()
    for name, call in (("submit", lambda: client.submit(**sc["request"])),
                       ("resume", lambda: client.resume(sc.get("record") or {"record_version": 1, "id": "x",
                                                                            "state": "queued"}))):
        try:
            call()
            raise Failed(f"{name} on a closed client was not refused")
        except idiom as error:
            refused.append(f"client.{name}: {error}")
    return f"{len(refused)} calls refused with {idiom.__name__} (the closed-file idiom), closing twice a no-op"


def canary_key_never_in_output(suite: Suite, sc: dict) -> str:
    ex = sc["expect"]
    key = os.environ["VG_CONFORMANCE_KEY"]
    folder = suite.dir(sc)
    env = dict(os.environ, VG_CONFORMANCE_PRINT="1", VG_CONFORMANCE_SCRATCH=str(folder),
               VG_CONFORMANCE_ONLY=",".join(sc["child_scenarios"]))
    child = subprocess.run([sys.executable, __file__, suite.path], capture_output=True, env=env, timeout=600)
    out = child.stdout.decode(errors="replace")
    expect(child.returncode == ex["child_exit"], f"the child exited {child.returncode}: {out[-800:]}")
    expect(out.count("SHOW ") >= ex["min_printed"], f"the child printed {out.count('SHOW ')} values")
    passed = out.count('"result": "pass"')
    expect(passed == len(sc["child_scenarios"]), f"the child passed {passed} of its scenarios: {out[-800:]}")
    expect(key.encode() not in child.stdout + child.stderr, "the key is in the child's output")
    files = [p for p in folder.rglob("*") if p.is_file()]
    for path in files:
        expect(key.encode() not in path.read_bytes(), f"the key is in {path}")
    return f"child printed {out.count('SHOW ')} values, wrote {len(files)} files: no key"


SCENARIOS: dict[str, Callable[[Suite, dict], str]] = {f.__name__: f for f in (
    whole_job_byte_exact, progress_events_in_order, typed_auth_error, not_found, task_failed_with_reason,
    wait_deadline, cancel_within_1s, resume_in_new_process, tasks_200_at_once, misuse_after_close,
    canary_key_never_in_output)}


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "--child":
        suite = Suite(argv[2])
        if argv[1] == "resume":
            return resume_child(suite, argv[3], argv[4])
        return 2
    suite = Suite(argv[0])
    only = [s for s in os.environ.get("VG_CONFORMANCE_ONLY", "").split(",") if s]
    failed = 0
    for sc in suite.doc["scenarios"]:
        if only and sc["id"] not in only:
            continue
        start = time.monotonic()
        run = SCENARIOS.get(sc["id"])
        try:
            if run is None:
                raise Failed("unknown scenario: this runner has no implementation of it")
            result, reason = "pass", run(suite, sc)
        except Failed as failure:
            result, reason = "fail", str(failure)
        except Exception as error:  # any other exception is the scenario's failure, reported, not a crash
            result, reason = "fail", f"{type(error).__name__}: {error}"
        failed += result == "fail"
        print("CONFORMANCE " + json.dumps({"runtime": RUNTIME, "scenario": sc["id"], "result": result,
                                            "reason": reason, "seconds": round(time.monotonic() - start, 3)}),
              flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
