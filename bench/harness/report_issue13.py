"""BENCHMARKS.md sections of scenarios 7-9 (issue 13: adaptive polling, 50 tasks through the asyncio example,
100,000 tasks in flight), and their rows in the targets table."""

from __future__ import annotations

from typing import Any

from .report import check, fmt, table, times
from .stats import ratio

ADAPTIVE_P50_MS = 500          # scenario 7: detection p50 of the default policy on tasks that report progress
ADAPTIVE_REQUESTS_VS_FIXED = 0.5  # scenario 7: requests at most this share of a fixed 2-s poll's
FIFTY_WALL_S = 6.0             # scenario 8: 50 tasks of 5 s through the asyncio example
FLIGHT_THREADS = 4             # scenario 9: library threads while every task waits
FLIGHT_KB_PER_TASK = 4.0       # scenario 9: memory per task in flight
RSS_VS_SDK = 0.33              # scenario 1: the C client's peak RSS against the openai SDK's
DETECT_P99_OVER_INTERVAL_MS = 50  # scenario 1: detection p99 at most the poll interval plus this


def stamp(s: dict[str, Any]) -> str:
    """'Measured ... (commit ...)' for a scenario measured in a later run than the rest of the file."""
    m = s.get("measured")
    return "" if not m else f" Measured {m['started']}, library from commit {m['commit']}, load {m['load']:.2f}."


def _adaptive_pair(s: dict[str, Any], profile: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    rows = [r for r in s["rows"] if r["profile"] == profile]
    adaptive = next((r for r in rows if r["policy"] == {}), None)
    fixed = next((r for r in rows if r["policy"].get("interval") == 2), None)
    return adaptive, fixed


def adaptive_section(s: dict[str, Any]) -> str:
    body = []
    for r in s["rows"]:
        _, fixed = _adaptive_pair(s, r["profile"])
        body.append([r["profile"], r["client"], f"{r['succeeded']:,}/{r['tasks']:,}", fmt(r["requests"]),
                     fmt(r.get("requests_per_task"), 2),
                     times(ratio(r["requests"], fixed and fixed["requests"])),
                     fmt(r["detect_p50_ms"], 0), fmt(r["detect_p99_ms"], 0), fmt(r["detect_max_ms"], 0),
                     fmt(r["cpu_s"], 2), fmt(r["run_s"])])
    targets = []
    for profile in sorted({r["profile"] for r in s["rows"]}, key=["linear", "variable"].index):
        a, f = _adaptive_pair(s, profile)
        if a and f:
            share = ratio(a["requests"], f["requests"])
            ok = None if a["detect_p50_ms"] is None or share is None else (
                a["detect_p50_ms"] <= ADAPTIVE_P50_MS and share <= ADAPTIVE_REQUESTS_VS_FIXED)
            targets.append(f"- {profile} progress: detection p50 at most {ADAPTIVE_P50_MS} ms with at most "
                           f"{ADAPTIVE_REQUESTS_VS_FIXED:g}x the requests of a fixed 2-s poll: {check(ok)} "
                           f"(p50 {fmt(a['detect_p50_ms'], 0)} ms, {times(share)} the requests; the fixed poll's "
                           f"p50 {fmt(f['detect_p50_ms'], 0)} ms)")
    return "\n".join([
        f"## 7. Adaptive polling: {s['count']:,} tasks of {s['task_seconds']:g} to "
        f"{s['task_seconds'] + s['spread_s']:g} s that report progress", "",
        "The C client (bench/clients/vg_tasks.c, as in scenario 1) submits every task at once and waits for all of "
        "them, with the library's default policy (first poll after 1 s, growing by 1.5 to 15 s; adaptive placement "
        "on: the poll lands 50 ms after the end the progress rate points to, within [min_interval, max_interval]), "
        "the same policy with `\"adaptive\": false`, and a fixed 2-s poll. Each emulator task is queued for the first "
        "20 % of its time (0 %), then running with progress. 'linear' progress rises steadily; 'variable' "
        "(the emulator's `progress_profile`) reaches 10 % at 30 % of the running time, 60 % at half-way, 62 % at "
        "70 %, then 100 %: estimates made in the slow start or in the stall are late, those made in the burst "
        "early. Requests are every HTTP request the emulator served (submits included); detection latency as in "
        f"scenario 1.{stamp(s)}", "",
        table(["progress", "policy", "tasks ok", "HTTP requests", "per task", "vs fixed 2 s", "detect p50 ms",
               "detect p99 ms", "detect max ms", "client CPU s", "wall s"], body), "",
        "Targets (issue 13):", *targets,
    ])


def fifty_tasks_section(s: dict[str, Any]) -> str:
    e, sdk = s["example"], s["sdk"]
    rows = [
        [e["client"], f"{e['succeeded']}/{e['tasks']}", fmt(e["wall_s"], 2), fmt(e["after_last_completion_s"], 2),
         fmt(e["requests"]), fmt(e.get("cdn_requests")), fmt(e["cpu_s"], 2), fmt(e["peak_rss_mb"]),
         fmt(e["peak_threads"])],
        [sdk["client"], f"{sdk['succeeded']}/{sdk['tasks']}", fmt(sdk["wall_s"], 2),
         fmt(None if sdk.get("last_completion_after_start_s") is None else
             sdk["run_s"] - sdk["last_completion_after_start_s"], 2),
         fmt(sdk["requests"]), "—", fmt(sdk["cpu_s"], 2), fmt(sdk["peak_rss_mb"]), fmt(sdk["peak_threads"])],
    ]
    ok = e["wall_s"] <= FIFTY_WALL_S and e["succeeded"] == e["tasks"]
    return "\n".join([
        f"## 8. {s['count']} tasks of {s['task_seconds']:g} s through the README's asyncio example", "",
        "`python examples/python/many_async.py BASE_URL DIR 50` in a fresh interpreter, as the README shows it: "
        "`Client(dialect=\"openai\", base_url=...)` with the default policy, `generate_async` (submit, wait, "
        "download to DIR) for each task under `asyncio.gather`, a status line per progress update. Wall time is the "
        "whole process (interpreter start, import, the library's load, 50 downloads). Beside it the openai SDK's "
        "`create_and_poll` with its fixed 1-s poll, which waits but does not download. 'after the last completion' "
        "is how long the client ran after the last emulator task became complete. HTTP requests are the API "
        f"origin's; downloads come from the emulator's CDN origin.{stamp(s)}", "",
        table(["client", "tasks ok", "wall s", "after the last completion s", "HTTP requests", "CDN requests",
               "CPU s", "peak RSS MB", "threads"], rows), "",
        "Targets (issue 13):",
        f"- 50 tasks of 5 s with the default policy (the README's asyncio example) in at most {FIFTY_WALL_S:g} s "
        f"(before 8.1 s; the openai SDK's fixed 1-s poll 5.9 s): {check(ok)} ({fmt(e['wall_s'], 2)} s)",
    ])


def in_flight_section(s: dict[str, Any]) -> str:
    v, emu = s["videogen"], s["emulator"]
    flight = v.get("in_flight") or {}
    sampled = bool(flight.get("samples"))
    rows = [[f"{v['succeeded']:,}/{v['tasks']:,}", fmt(flight.get("library_threads")) if sampled else "never all",
             fmt(v.get("rss_per_task_kb"), 2), fmt(v.get("anon_per_task_kb"), 2), fmt(v.get("peak_rss_per_task_kb"), 2),
             fmt(v["baseline_rss_mb"]), fmt(flight.get("rss_kb", 0) / 1024 if sampled else None),
             fmt(v["peak_rss_mb"]), fmt(v["requests"]), fmt(v["cpu_s"], 1), fmt(v["run_s"]),
             fmt(v.get("in_flight_from_start_s")), fmt(v.get("in_flight_window_s")),
             fmt(emu["peak_rss_mb"])]]
    threads_ok = None if not sampled else flight["library_threads"] <= FLIGHT_THREADS
    memory_ok = None if v.get("rss_per_task_kb") is None else v["rss_per_task_kb"] <= FLIGHT_KB_PER_TASK
    all_ok = v["succeeded"] == v["tasks"]
    return "\n".join([
        f"## 9. {s['count']:,} tasks in flight in one process", "",
        f"bench/clients/vg_tasks.c submits {s['count']:,} tasks (`vg_client_submit_async`, at most "
        f"{fmt(s.get('max_submitting')) if s.get('max_submitting') else 'all'} unanswered at a time, then "
        "`vg_task_wait_async` as each submit ends) "
        "and dispatches every event from its one thread. Each emulator "
        f"task lasts {s['task_seconds']:g} s plus a random share of {s['spread_s']:g} s and is polled every "
        f"{s['interval_s']:g} s (jitter 0.1), so the submits end before the first task does. Once a second (between "
        "calls of `vg_client_dispatch`) while every task is in flight (every wait started, none ended) the client reads its "
        "VmRSS and RssAnon and lists /proc/self/task: every thread but its own is the library's (the Swift "
        "runtime's and Dispatch's included). Per task in flight is (the largest VmRSS, or RssAnon, sampled then − the "
        "same after `vg_client_create`) / tasks; 'peak' uses the process's VmHWM over the whole run."
        f"{stamp(s)}", "",
        table(["tasks ok", "library threads", "KB per task in flight (RSS)", "(RssAnon)", "(peak RSS)",
               "RSS after create MB", "RSS in flight MB", "peak RSS MB", "HTTP requests", "client CPU s", "wall s",
               "all in flight from s", "for s", "emulator peak RSS MB"], rows), "",
        f"The library's threads while every task waited: {flight.get('thread_names') or 'not sampled'}.", "",
        "Targets (issue 13):",
        f"- {s['count']:,} tasks in flight, all succeed: {check(all_ok)} ({v['succeeded']:,} succeeded, "
        f"{v['failed']:,} failed{'; first error: ' + v['first_error'] if v.get('first_error') else ''})",
        f"- at most {FLIGHT_THREADS} library threads: {check(threads_ok)} ({fmt(flight.get('library_threads'))})",
        f"- at most {FLIGHT_KB_PER_TASK:g} KB per task in flight: {check(memory_ok)} "
        f"({fmt(v.get('rss_per_task_kb'), 2)} KB)",
    ])


def summary_rows(sc: dict[str, Any]) -> list[list[str]]:
    """Issue 13's rows of the targets table: figure, before, target, this run, met or missed."""
    rows: list[list[str]] = []
    a = sc.get("adaptive")
    if a:
        for profile in ("linear", "variable"):
            ad, fx = _adaptive_pair(a, profile)
            if ad and fx:
                share = ratio(ad["requests"], fx["requests"])
                ok = None if ad["detect_p50_ms"] is None or share is None else (
                    ad["detect_p50_ms"] <= ADAPTIVE_P50_MS and share <= ADAPTIVE_REQUESTS_VS_FIXED)
                rows.append([f"adaptive polling, {profile} progress: detection p50 and requests vs a fixed 2-s poll "
                             "(scenario 7)", "n/a", f"p50 at most {ADAPTIVE_P50_MS} ms with at most half the requests",
                             f"p50 {fmt(ad['detect_p50_ms'], 0)} ms, {times(share)} the requests", check(ok)])
    f = sc.get("fifty_tasks")
    if f:
        e = f["example"]
        rows.append(["50 tasks of 5 s with the default policy, the README's asyncio example (scenario 8)", "8.1 s",
                     f"at most {FIFTY_WALL_S:g} s", f"{fmt(e['wall_s'], 2)} s ({e['succeeded']}/{e['tasks']} ok)",
                     check(e["wall_s"] <= FIFTY_WALL_S and e["succeeded"] == e["tasks"])])
    many = sc.get("many_tasks")
    if many:
        c = next((r for r in many["rows"] if r["client"] == "videogen (C API)"), None)
        sdk = next((r for r in many["rows"] if r["client"].startswith("openai SDK")), None)
        if c and sdk:
            share = ratio(c["peak_rss_mb"], sdk["peak_rss_mb"])
            rows.append(["scenario 1 peak RSS vs the openai SDK (C API)", "0.53x", f"at most {RSS_VS_SDK:g}x",
                         f"{times(share)} ({fmt(c['peak_rss_mb'])} MB against {fmt(sdk['peak_rss_mb'])} MB)",
                         check(None if share is None else share <= RSS_VS_SDK)])
        if c and c.get("detect_p99_ms") is not None:
            over = c["detect_p99_ms"] - many["interval_s"] * 1000
            rows.append(["scenario 1 detection p99 (C API)", "interval + 122 ms",
                         f"interval + {DETECT_P99_OVER_INTERVAL_MS} ms",
                         f"interval {over:+,.0f} ms ({fmt(c['detect_p99_ms'], 0)} ms at a {many['interval_s']:g}-s interval)",
                         check(over <= DETECT_P99_OVER_INTERVAL_MS)])
    fl = sc.get("in_flight")
    if fl:
        v = fl["videogen"]
        flight = v.get("in_flight") or {}
        threads = flight.get("library_threads") if flight.get("samples") else None
        rows.append([f"tasks in flight in one process (scenario 9)", "10,000",
                     f"{fl['count']:,}, all succeed, at most {FLIGHT_THREADS} library threads",
                     f"{v['succeeded']:,}/{v['tasks']:,} succeeded, {fmt(threads)} library threads",
                     check(None if threads is None else v["succeeded"] == v["tasks"] and threads <= FLIGHT_THREADS)])
        per = v.get("rss_per_task_kb")
        rows.append([f"memory per task in flight ({fl['count']:,} tasks, scenario 9)", "23.8 KB (scenario 2)",
                     f"at most {FLIGHT_KB_PER_TASK:g} KB", f"{fmt(per, 2)} KB",
                     check(None if per is None else per <= FLIGHT_KB_PER_TASK)])
    return rows
