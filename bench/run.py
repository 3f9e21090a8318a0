"""`make bench`: run the benchmark scenarios side by side and write BENCHMARKS.md plus the raw JSON.

Usage: python bench/run.py [--scenarios 1,2,3,4,5,6,7,8,9] [--tasks 1000] [--scale-tasks 10000] [--download-mib 1024]
                           [--repeats 5] [--leak-polls 10000] [--profile-tasks 200] [--adaptive-tasks 200]
                           [--fifty-tasks 50] [--flight-tasks 100000] [--hostile-json PATH]
                           [--markdown BENCHMARKS.md] [--json bench/results.json] [--merge]
Scenarios: 1 many tasks, 2 scale (with the libcurl-multi floor and wrk), 3 download, 4 overheads, 5 leaks (valgrind
memcheck, a few minutes), 6 profile (callgrind, about a minute), 7 adaptive polling (about 4 minutes), 8 50 tasks of
5 s through the README's asyncio example, 9 100,000 tasks in flight (a few minutes; several GB of memory).
`--scenarios 1,2,3,4` leaves valgrind out; each scenario also runs alone (`bash scripts/bench.sh --scenarios 7`).
Needs the release library (make build), gcc, libcurl's headers, curl, nginx, wrk, valgrind, and $BENCH_PYTHON with
openai installed (scripts/bench.sh prepares all of it). No scenario fails on time: figures are reported, targets
are checked.

The hostile-server figures (peak RSS and time past the timeout under hostile servers) are not measured here: the
hostile-server suite writes them, and the report shows them when --hostile-json (default bench/hostile-results.json)
exists: {"measured": "...", "command": "...", "cases": [{"case": "...", "cap_mib": 64, "peak_above_baseline_mib":
70.5, "timeout_s": 5, "seconds_past_timeout": 0.4}, ...]} (a case may leave out the figures it does not measure).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import machine  # noqa: E402
from harness.context import default_context  # noqa: E402
from harness.emulator import ENGINE, REPO  # noqa: E402
from harness.report import render  # noqa: E402
from scenarios import adaptive, download, fifty_tasks, in_flight, leaks, many_tasks, overheads, profile, scale  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenarios", default="1,2,3,4,5,6,7,8,9", help="comma-separated scenario numbers")
    p.add_argument("--tasks", type=int, default=1000, help="scenario 1: tasks submitted at once")
    p.add_argument("--task-seconds", type=float, default=19.0, help="scenario 1: shortest task, seconds")
    p.add_argument("--spread", type=float, default=2.0, help="scenario 1: tasks last --task-seconds + [0, spread]")
    p.add_argument("--interval", type=float, default=2.0, help="scenario 1: poll interval")
    p.add_argument("--scale-tasks", type=int, default=10_000, help="scenario 2: tasks in flight")
    p.add_argument("--scale-task-seconds", type=float, default=30.0)
    p.add_argument("--scale-interval", type=float, default=5.0)
    p.add_argument("--download-mib", type=int, default=1024, help="scenario 3: file size")
    p.add_argument("--repeats", type=int, default=5, help="scenario 3 runs per client (median reported)")
    p.add_argument("--leak-polls", type=int, default=10_000, help="scenario 5: polls under valgrind")
    p.add_argument("--profile-tasks", type=int, default=50, help="scenario 6: tasks under callgrind")
    p.add_argument("--adaptive-tasks", type=int, default=200, help="scenario 7: tasks per policy and profile")
    p.add_argument("--adaptive-task-seconds", type=float, default=30.0, help="scenario 7: shortest task, seconds")
    p.add_argument("--adaptive-spread", type=float, default=5.0)
    p.add_argument("--fifty-tasks", type=int, default=50, help="scenario 8: tasks through the asyncio example")
    p.add_argument("--fifty-task-seconds", type=float, default=5.0)
    p.add_argument("--flight-tasks", type=int, default=100_000, help="scenario 9: tasks in flight at once")
    p.add_argument("--flight-task-seconds", type=float, default=150.0)
    p.add_argument("--flight-max-submitting", type=int, default=1000,
                   help="scenario 9: submits unanswered at a time (0: all at once)")
    p.add_argument("--flight-interval", type=float, default=60.0, help="scenario 9: poll interval")
    p.add_argument("--hostile-json", default=str(REPO / "bench" / "hostile-results.json"),
                   help="the hostile-server suite's figures, shown when the file exists")
    p.add_argument("--emulator-server", default="asyncio", help="the emulator's server engine")
    p.add_argument("--render-only", action="store_true",
                   help="measure nothing: rewrite --markdown from the figures already in --json (after editing "
                        "bench/findings.md or the report's wording)")
    p.add_argument("--merge", action="store_true",
                   help="keep the figures of the scenarios not run from --json, and stamp the ones run now with "
                        "their own time, commit and load (a scenario re-measured alone beside an earlier full run)")
    p.add_argument("--markdown", default=str(REPO / "BENCHMARKS.md"))
    p.add_argument("--json", default=str(REPO / "bench" / "results.json"))
    return p.parse_args(argv)


def source_commit() -> str:
    """The commit measured: HEAD, with '+changes' when Sources/ or include/ differ from it."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""
    head = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--", "Sources", "include") else "")


def read_hostile(results: dict[str, Any], hostile: Path) -> None:
    """The hostile-server suite's figures into `results["hostile"]`, when its file exists."""
    if not hostile.exists():
        return
    try:
        results["hostile"] = json.loads(hostile.read_text())
        results["hostile"]["file"] = str(hostile.relative_to(REPO)) if hostile.is_relative_to(REPO) else str(hostile)
    except (OSError, ValueError, TypeError) as exc:
        results["hostile"] = {"error": f"{hostile}: {exc}"}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render_only:
        results = json.loads(Path(args.json).read_text())
        read_hostile(results, Path(args.hostile_json))
        Path(args.markdown).write_text(render(results))
        print(f"bench: wrote {args.markdown} from {args.json}")
        return 0
    chosen = {int(s) for s in args.scenarios.split(",") if s.strip()}
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))   # 1,000 connections per client need descriptors
    ENGINE["server"] = args.emulator_server
    ctx = default_context()
    ctx.compile_clients()
    merging = args.merge and Path(args.json).exists()
    if merging:
        results: dict[str, Any] = json.loads(Path(args.json).read_text())
    else:
        results = {"machine": machine.describe(ctx.python), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                   "command": "make bench " + " ".join(sys.argv[1:]), "emulator_server": args.emulator_server,
                   "load": {"start": machine.load()}, "commit": source_commit(), "scenarios": {}}

    def save() -> None:
        Path(args.json).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")

    steps = [
        (1, "many_tasks", lambda: many_tasks.run(ctx, args.tasks, args.task_seconds, args.interval,
                                                        args.spread)),
        (2, "scale", lambda: scale.run(ctx, args.scale_tasks, args.scale_task_seconds, args.scale_interval)),
        (3, "download", lambda: download.run(ctx, args.download_mib, args.repeats)),
        (4, "overheads", lambda: overheads.run(ctx)),
        (5, "leaks", lambda: leaks.run(ctx, args.leak_polls)),
        (6, "profile", lambda: profile.run(ctx, args.profile_tasks)),
        (7, "adaptive", lambda: adaptive.run(ctx, args.adaptive_tasks, args.adaptive_task_seconds,
                                             args.adaptive_spread)),
        (8, "fifty_tasks", lambda: fifty_tasks.run(ctx, args.fifty_tasks, args.fifty_task_seconds)),
        (9, "in_flight", lambda: in_flight.run(ctx, args.flight_tasks, args.flight_task_seconds,
                                               interval=args.flight_interval,
                                               max_submitting=args.flight_max_submitting)),
    ]
    try:
        for number, name, step in steps:
            if number not in chosen:
                continue
            print(f"bench: scenario {number} ({name})...", flush=True)
            began = time.monotonic()
            load = machine.load()
            started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
            if not merging:
                results["load"][f"before {name}"] = load
            results["scenarios"][name] = step()
            results["scenarios"][name]["duration_s"] = time.monotonic() - began
            if merging:
                results["scenarios"][name]["measured"] = {"started": started, "commit": source_commit(),
                                                          "load": load.get("1min", 0.0),
                                                          "command": "bench/run.py " + " ".join(sys.argv[1:])}
            print(f"bench: scenario {number} done in {time.monotonic() - began:.0f} s", flush=True)
            save()
    finally:
        download.cleanup(ctx)
    if not merging:
        results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        results["load"]["end"] = machine.load()
    read_hostile(results, Path(args.hostile_json))
    save()
    Path(args.markdown).write_text(render(results))
    print(f"bench: wrote {args.markdown} and {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
