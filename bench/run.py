"""`make bench`: run the benchmark scenarios side by side and write BENCHMARKS.md plus the raw JSON.

Usage: python bench/run.py [--scenarios 1,2,3,4,5,6] [--tasks 1000] [--scale-tasks 10000] [--download-mib 1024]
                           [--repeats 5] [--leak-polls 10000] [--profile-tasks 200] [--hostile-json PATH]
                           [--markdown BENCHMARKS.md] [--json bench/results.json] [--merge]
Scenarios: 1 many tasks, 2 scale (with the libcurl-multi floor and wrk), 3 download, 4 overheads, 5 leaks (valgrind
memcheck, a few minutes), 6 profile (callgrind, about a minute). `--scenarios 1,2,3,4` leaves valgrind out.
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
from scenarios import download, leaks, many_tasks, overheads, profile, scale  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenarios", default="1,2,3,4,5,6", help="comma-separated scenario numbers")
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
    p.add_argument("--hostile-json", default=str(REPO / "bench" / "hostile-results.json"),
                   help="the hostile-server suite's figures, shown when the file exists")
    p.add_argument("--emulator-server", default="asyncio", help="the emulator's server engine")
    p.add_argument("--render-only", action="store_true",
                   help="measure nothing: rewrite --markdown from the figures already in --json (after editing "
                        "bench/findings.md or the report's wording)")
    p.add_argument("--merge", action="store_true",
                   help="keep the other scenarios already in --json and replace only the chosen ones (each replaced "
                        "one records when, from which commit and with which command it was measured)")
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
    results: dict[str, Any] = {"machine": machine.describe(ctx.python), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                               "command": "make bench " + " ".join(sys.argv[1:]), "emulator_server": args.emulator_server,
                               "load": {"start": machine.load()}, "commit": source_commit(), "scenarios": {}}
    run_info = {key: results[key] for key in ("started", "command", "commit")}
    if args.merge and Path(args.json).exists():
        results = json.loads(Path(args.json).read_text())

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
    ]
    try:
        for number, name, step in steps:
            if number not in chosen:
                continue
            print(f"bench: scenario {number} ({name})...", flush=True)
            began = time.monotonic()
            results["load"][f"before {name}"] = machine.load()
            results["scenarios"][name] = step()
            results["scenarios"][name]["duration_s"] = time.monotonic() - began
            if args.merge:
                results["scenarios"][name]["measured_apart"] = run_info
            print(f"bench: scenario {number} done in {time.monotonic() - began:.0f} s", flush=True)
            save()
    finally:
        download.cleanup(ctx)
    if not args.merge:
        results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        results["load"]["end"] = machine.load()
    read_hostile(results, Path(args.hostile_json))
    save()
    Path(args.markdown).write_text(render(results))
    print(f"bench: wrote {args.markdown} and {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
