"""make test-batch: the batch example (examples/python/batch) run for real, with workers killed mid-wait and
mid-download.

1. Starts the emulator (tasks of --task-seconds plus up to --spread, each its own video of --video-bytes bytes; a
   seeded share of the video downloads stalls for --stall seconds after 1,060,000 bytes, so a download can be caught
   with bytes on disk) and a private redis-server (examples/python/batch/redis_server.py).
2. Starts --workers Celery worker processes (threads pool, --concurrency jobs each) and sends --jobs jobs.
3. Kills two of the workers with SIGKILL, each twice: once while a job of its is in a wait, once while one is in a
   download with some but not all of its bytes in its part file, and never while one of its jobs is in a submit
   (the worker is frozen with SIGSTOP while its jobs' phases are read). Which workers, the order and the moments (after how many finished jobs)
   are drawn from --seed; the moment itself is an observed event (the worker's jobs' phases in Redis, the part file
   on disk), so the kills land where they are meant to. Each killed worker is restarted.
4. Checks: every job has its manifest line; every file is byte-exact (its SHA-256 is the emulator's for that
   task, and the manifest's); one task per job, 1,000 distinct; the emulator received exactly --jobs submits, made
   exactly --jobs tasks and replayed none; no part file, note or temporary file is left; the jobs of a killed
   worker were redelivered, resumed from their record (no submit), and the downloads cut by a kill went on from the
   bytes their part file held (the emulator's log shows the Range). Jobs the queue itself lost (a worker killed
   between popping a message and noting it unacknowledged) are sent again from the batch's ledger
   (examples/python/batch/enqueue.py, Reconciler), and counted.
5. Runs the same batch in a single process (the same job code on a thread pool as large as all the workers'
   concurrency together, no Celery, no kill) with the same checks, and prints both wall times.

Prints "ok - name" / "FAIL - name: reason" per check and "N passed, N failed" last; exits 1 on a failure.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BATCH_DIR = os.path.join(ROOT, "examples", "python", "batch")
PYTHONPATH = os.pathsep.join([BATCH_DIR, os.path.join(ROOT, "bindings", "python"), os.path.join(ROOT, "emulator")])
sys.path[:0] = PYTHONPATH.split(os.pathsep)

STALL_AFTER = 1_060_000      # past the library's first 1 MiB write batch: the part file holds bytes while stalled
EMULATOR_KEY = "sk-batch-test"

passed = failed = 0


def check(name: str, ok: bool, reason: str = "") -> bool:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL - {name}: {reason}", flush=True)
    return ok


def http(url: str, payload: dict | None = None) -> object:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.loads(reply.read())


class Emulator:
    """The emulator as a child process (python -m videogen_emulator)."""

    def __init__(self, args: argparse.Namespace) -> None:
        env = dict(os.environ, PYTHONPATH=PYTHONPATH)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "videogen_emulator", "--port", "0", "--task-seconds", str(args.task_seconds),
             "--api-key", EMULATOR_KEY], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        self.url = next(word for word in line.split() if word.startswith("http://"))
        self.args = args

    def configure(self) -> None:
        http(f"{self.url}/_emulator/reset", {})
        args = self.args
        http(f"{self.url}/_emulator/control", {
            "task_seconds": args.task_seconds, "task_seconds_spread": args.spread, "video_bytes": args.video_bytes,
            "faults": [{"fault": f"stall-after:{STALL_AFTER}:{args.stall}", "match": "/content", "method": "GET",
                        "rate": args.stall_rate}],
            "fault_seed": args.seed})

    def stats(self) -> dict:
        return http(f"{self.url}/_emulator/stats")            # type: ignore[return-value]

    def tasks(self) -> list[dict]:
        return http(f"{self.url}/_emulator/tasks?include=video")     # type: ignore[return-value]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def jobs(count: int) -> list[dict]:
    return [{"job_id": f"job-{n:04d}", "request": {"model": "sora-2", "prompt": f"batch test video {n}"}}
            for n in range(count)]


def client_options(emulator: Emulator) -> dict:
    return {"dialect": "openai", "base_url": emulator.url, "api_key_env": "VIDEOGEN_BATCH_TEST_KEY",
            "poll": {"interval": 0.25, "max_interval": 1}}


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(label: str, args: argparse.Namespace, emulator: Emulator, db, out_dir: str) -> dict:
    """The pass conditions of a finished run; returns the manifest by job id."""
    import records
    lines = {line["job_id"]: line for line in records.manifest(db)}
    check(f"{label}: manifest complete ({len(lines)} of {args.jobs} jobs)",
          sorted(lines) == [job["job_id"] for job in jobs(args.jobs)])
    fields = ("request", "task_id", "file", "size", "sha256", "cost_units", "state")
    incomplete = [job for job, line in lines.items() if any(name not in line for name in fields)]
    check(f"{label}: every manifest line names request, task id, file, size, SHA-256, cost units",
          not incomplete, f"{len(incomplete)} lines lack a field, e.g. {incomplete[:3]}")
    failed_jobs = [job for job, line in lines.items() if line.get("state") != "succeeded"]
    check(f"{label}: every job succeeded", not failed_jobs, f"{len(failed_jobs)} did not, e.g. "
          f"{[lines[j] for j in failed_jobs[:2]]}")
    expected = {row["id"]: row for row in emulator.tasks()}
    task_ids = [line.get("task_id") for line in lines.values()]
    check(f"{label}: one task per job ({len(set(task_ids))} distinct, {len(expected)} made by the emulator)",
          len(set(task_ids)) == args.jobs == len(expected) and set(task_ids) == set(expected))
    wrong = []
    for job, line in lines.items():
        path, row = line.get("file"), expected.get(line.get("task_id"), {})
        actual = sha256(path) if path and os.path.isfile(path) else None
        if not (actual == line.get("sha256") == row.get("video_sha256") and line.get("size") == args.video_bytes
                and os.path.getsize(path) == args.video_bytes):
            wrong.append(job)
    check(f"{label}: {args.jobs - len(wrong)} files byte-exact (SHA-256 = the emulator's video of the task = the "
          "manifest's)", not wrong, f"{len(wrong)} wrong, e.g. {wrong[:3]}")
    files = sorted(os.listdir(out_dir))
    leftovers = [name for name in files if not name.endswith(".mp4")]
    check(f"{label}: no part file, note or temporary file left", not leftovers, f"left: {leftovers[:5]}")
    check(f"{label}: {len(files)} files in the output directory", len(files) == args.jobs)
    submits = emulator.stats()["submits"]
    check(f"{label}: the emulator received exactly {args.jobs} submits and made {args.jobs} tasks "
          f"(received {submits['received']}, replayed {submits['replayed']}, created {submits['created']})",
          submits == {"received": args.jobs, "replayed": 0, "created": args.jobs})
    return lines


class Workers:
    """The Celery worker processes, by name."""

    def __init__(self, args: argparse.Namespace, env: dict, log_dir: str) -> None:
        self.args, self.env, self.log_dir = args, env, log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str) -> None:
        log = open(os.path.join(self.log_dir, f"{name}.log"), "ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celeryapp", "worker", "--pool", "threads", "--concurrency",
             str(self.args.concurrency), "-Q", "videogen-batch", "-n", f"{name}@batch", "--prefetch-multiplier", "1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
            cwd=BATCH_DIR, env=dict(self.env, VIDEOGEN_BATCH_WORKER=name), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        log.close()

    def kill(self, name: str) -> None:
        process = self.processes[name]
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def plan_kills(args: argparse.Namespace, names: list[str]) -> list[dict]:
    """Two victims, each killed once in a wait and once in a download (seeded order), after a seeded number of
    finished jobs."""
    rng = random.Random(args.seed)
    victims = rng.sample(names, 2)
    plan = []
    start = rng.randint(args.jobs // 10, args.jobs // 4)
    for victim in victims:
        for phase in rng.sample(["wait", "download"], 2):
            plan.append({"worker": victim, "phase": phase, "after_done": start})
            start += rng.randint(args.jobs // 12, args.jobs // 8)
    plan.sort(key=lambda kill: kill["after_done"])
    return plan


def distributed(args: argparse.Namespace, emulator: Emulator, redis_url: str, base: str) -> tuple[float, list, dict]:
    import records
    import redis
    db = redis.Redis.from_url(redis_url)
    out_dir = os.path.join(base, "videos")
    os.makedirs(out_dir)
    env = dict(os.environ, PYTHONPATH=PYTHONPATH, VIDEOGEN_BATCH_REDIS=redis_url, VIDEOGEN_BATCH_OUT=out_dir,
               VIDEOGEN_BATCH_CLIENT=json.dumps(client_options(emulator)), VIDEOGEN_BATCH_VISIBILITY=str(args.visibility),
               VIDEOGEN_BATCH_TEST_KEY=EMULATOR_KEY, VIDEOGEN_BATCH_SCOPE=f"test-batch-{args.seed}")
    os.environ.update(VIDEOGEN_BATCH_REDIS=redis_url, VIDEOGEN_BATCH_VISIBILITY=str(args.visibility))
    import enqueue          # (and celeryapp) read the broker's address from the environment
    workers = Workers(args, env, base)
    names = [f"w{n + 1}" for n in range(args.workers)]
    plan = plan_kills(args, names)
    landed: list[dict] = []
    resent: list[str] = []
    started = time.monotonic()
    for name in names:
        workers.start(name)
    enqueue.send(db, jobs(args.jobs))
    deadline = started + args.timeout
    reconciled = time.monotonic()
    reconciler = enqueue.Reconciler(db)
    try:
        while time.monotonic() < deadline:
            done = db.hlen(records.MANIFEST)
            if done >= args.jobs:
                break
            if time.monotonic() - reconciled > 2:
                reconciled = time.monotonic()
                again = reconciler.run()
                if again:
                    resent.extend(again)
                    print(f"# sent again (lost by the queue): {again}", flush=True)
            if plan and done >= plan[0]["after_done"]:
                kill = plan[0]
                caught = catch(db, kill, out_dir, workers.processes[kill["worker"]].pid, args.video_bytes)
                if caught is not None:
                    workers.kill(kill["worker"])
                    after = {job: (os.path.getsize(os.path.join(out_dir, f"{job}.mp4.part"))
                                   if os.path.exists(os.path.join(out_dir, f"{job}.mp4.part")) else 0)
                             for job in caught["jobs"]}
                    caught.update(part_after_kill=after, done_at_kill=done, at=round(time.monotonic() - started, 2))
                    landed.append(caught)
                    plan.pop(0)
                    print(f"# killed {kill['worker']} at {caught['at']} s ({done} jobs done) with "
                          f"{caught['phases']}", flush=True)
                    workers.start(kill["worker"])
                    continue
            time.sleep(0.01)
        elapsed = time.monotonic() - started
    finally:
        workers.stop()
    check(f"distributed: finished within {args.timeout} s", db.hlen(records.MANIFEST) >= args.jobs,
          f"{db.hlen(records.MANIFEST)} jobs done")
    check("distributed: all 4 planned kills landed", not plan, f"not landed: {plan}")
    lines = verify("distributed", args, emulator, db, out_dir)
    print(f"# jobs the queue lost and the ledger sent again: {len(resent)} {resent}", flush=True)
    return elapsed, landed, lines


def catch(db, kill: dict, out_dir: str, pid: int, size: int) -> dict | None:
    """The victim's jobs in flight when one of them is in the planned phase (for a download, with bytes in its part
    file, fewer than the video's ``size``) and none is in a submit, else None. The victim is frozen (SIGSTOP) while its jobs are read, so what is read
    is what the kill cuts; it is left frozen when caught (the caller kills it) and thawed (SIGCONT) otherwise. A
    submit is never cut: its phase is written before the request goes out and replaced only after the record is
    stored, so a job frozen between the two shows "submit" and the kill waits for another moment."""
    import records

    def look() -> dict | None:
        mine = {job: info for job, info in records.inflight(db).items() if info["pid"] == pid}
        phases = {job: info["phase"] for job, info in mine.items()}
        if "submit" in phases.values():
            return None
        if kill["phase"] == "wait":
            targets = [job for job, phase in phases.items() if phase == "wait"]
        else:
            targets = [job for job, phase in phases.items() if phase == "download"
                       and os.path.exists(os.path.join(out_dir, f"{job}.mp4.part"))
                       and 0 < os.path.getsize(os.path.join(out_dir, f"{job}.mp4.part")) < size]
        if not targets:
            return None
        return {"worker": kill["worker"], "planned": kill["phase"], "targets": sorted(targets), "jobs": sorted(phases),
                "phases": {phase: sum(1 for p in phases.values() if p == phase) for phase in sorted(set(phases.values()))}}

    if look() is None:
        return None
    os.kill(pid, signal.SIGSTOP)
    caught = look()
    if caught is None:
        os.kill(pid, signal.SIGCONT)
    return caught


def single(args: argparse.Namespace, emulator: Emulator, redis_url: str, base: str) -> float:
    import redis
    import videogen
    from job import run_job
    db = redis.Redis.from_url(redis_url)
    out_dir = os.path.join(base, "videos-single")
    os.makedirs(out_dir)
    os.environ["VIDEOGEN_BATCH_TEST_KEY"] = EMULATOR_KEY
    started = time.monotonic()
    with videogen.Client(**client_options(emulator)) as client, \
            concurrent.futures.ThreadPoolExecutor(args.workers * args.concurrency) as pool:
        futures = [pool.submit(run_job, client, db, job, out_dir, "single", f"test-single-{args.seed}")
                   for job in jobs(args.jobs)]
        errors = [future.exception() for future in futures if future.exception() is not None]
    elapsed = time.monotonic() - started
    check("single process: no job raised", not errors, f"{len(errors)} raised, e.g. {errors[:2]}")
    verify("single process", args, emulator, db, out_dir)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8, help="jobs in flight per worker process")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BATCH_SEED", "19")))
    parser.add_argument("--task-seconds", type=float, default=1.0)
    parser.add_argument("--spread", type=float, default=1.0)
    parser.add_argument("--video-bytes", type=int, default=1_100_000)
    parser.add_argument("--stall", type=float, default=1.5)
    parser.add_argument("--stall-rate", type=float, default=0.08)
    parser.add_argument("--visibility", type=float, default=15.0)
    parser.add_argument("--timeout", type=float, default=400.0)
    parser.add_argument("--no-single", action="store_true", help="skip the single-process run")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))       # stop the children on the way out
    if args.workers < 2:
        parser.error("--workers must be at least 2 (two are killed)")
    from redis_server import RedisServer
    import redis
    base = tempfile.mkdtemp(prefix="videogen-batch-")
    emulator = Emulator(args)
    try:
        with RedisServer(os.path.join(base, "redis")) as server:
            emulator.configure()
            print(f"# seed {args.seed}: {args.jobs} jobs, {args.workers} workers x {args.concurrency}, tasks of "
                  f"{args.task_seconds}-{args.task_seconds + args.spread} s, videos of {args.video_bytes} bytes, "
                  f"{args.stall_rate:.0%} of downloads stalled {args.stall} s", flush=True)
            wall, landed, lines = distributed(args, emulator, server.url, base)
            log = http(f"{emulator.url}/_emulator/requests")
            check(f"the emulator's request log holds the whole run ({len(log)} entries)",
                  len(log) < 10_000 and emulator.stats()["requests"]["api"] == len(log))
            report_kills(landed, lines, log)
            if failed == 0:
                shutil.rmtree(os.path.join(base, "videos"), ignore_errors=True)     # 1.1 GB: not needed any more
            requests = emulator.stats()["requests"]
            print(f"# distributed: {wall:.1f} s wall, {args.jobs} jobs, {emulator.stats()['submits']['received']} "
                  f"submits, {requests['api']} API requests, {len(landed)} kills survived", flush=True)
            if not args.no_single:
                redis.Redis.from_url(server.url).flushdb()
                emulator.configure()
                single_wall = single(args, emulator, server.url, base)
                print(f"# single process: {single_wall:.1f} s wall for the same {args.jobs} jobs "
                      f"({emulator.stats()['submits']['received']} submits, {emulator.stats()['requests']['api']} API "
                      f"requests); distributed with kills: {wall:.1f} s", flush=True)
    finally:
        emulator.stop()
        if failed == 0:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print(f"# kept {base} (worker logs, videos)", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def report_kills(landed: list[dict], lines: dict, log: list[dict]) -> None:
    """Where each kill landed, and that its jobs came back as they should (``log``: the emulator's request log)."""
    waits = sum(1 for kill in landed if kill["planned"] == "wait")
    downloads = sum(1 for kill in landed if kill["planned"] == "download")
    check(f"kills landed: {waits} in a wait, {downloads} in a download", waits == 2 and downloads == 2)
    for n, kill in enumerate(landed, 1):
        cut = kill["jobs"]
        redelivered = [job for job in cut if lines.get(job, {}).get("redelivered")]
        check(f"kill {n} ({kill['worker']}, {kill['planned']}, {kill['phases']}): its {len(cut)} jobs in flight "
              f"came back, {len(redelivered)} resumed from their stored record",
              all(job in lines for job in cut) and set(kill["targets"]) <= set(redelivered),
              f"targets {kill['targets']}, redelivered {redelivered}")
        if kill["planned"] == "download":
            # The emulator's log: the cut download's last request for its task's video asked for the rest of the
            # part file (Range from its size at the kill) and got it (206), or nothing was missing (416).
            resumed = {}
            for job in kill["targets"]:
                size, task_id = kill["part_after_kill"].get(job), lines.get(job, {}).get("task_id")
                asked = [(e.get("range"), e["status"]) for e in log
                         if e["method"] == "GET" and e["path"] == f"/v1/videos/{task_id}/content"]
                resumed[job] = (size, asked[-1] if asked else None)
            check(f"kill {n}: the cut downloads went on from their part files (bytes at the kill, last request): "
                  f"{resumed}", all(size and last and last[0] == f"bytes={size}-" and last[1] in (206, 416)
                                    for size, last in resumed.values()))


if __name__ == "__main__":
    sys.exit(main())
