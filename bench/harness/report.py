"""BENCHMARKS.md from the raw results: one table per scenario, ratios against the named peer, targets checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .stats import ratio

FINDINGS = Path(__file__).resolve().parents[1] / "findings.md"


def fmt(value: Any, digits: int = 1) -> str:
    """A number with `digits` decimals (thousands separated), or an em dash for missing values."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def times(value: float | None) -> str:
    """A ratio as '0.12x'."""
    return "—" if value is None else f"{value:.2f}x"


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def check(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "MISSED")


def machine_section(results: dict[str, Any]) -> str:
    m = results["machine"]
    return "\n".join([
        f"Measured {results['started']} (finished {results.get('finished', 'not finished')}) with "
        f"`{results['command'].strip()}`.", "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}",
        f"- {m['swift']}; {m['python']}; openai {m['openai']}",
        f"- {m['curl']}; {m['nginx']}; {m['wrk']}",
        "- Every client, the emulator and nginx share the machine's cores; each figure comes from the same run as "
        "the figures it is compared with. CPU and peak RSS are the client process's own (`wait4` rusage), the "
        "emulator's CPU is read from /proc beside it.",
    ])


def many_tasks_section(s: dict[str, Any]) -> str:
    rows = s["rows"]
    peer = next((r for r in rows if r["client"].startswith("openai")), None)
    body = []
    for r in rows:
        body.append([r["client"], f"{r['succeeded']:,}/{r['tasks']:,}", fmt(r["cpu_s"], 2),
                     times(ratio(r["cpu_s"], peer and peer["cpu_s"])), fmt(r["peak_rss_mb"]),
                     times(ratio(r["peak_rss_mb"], peer and peer["peak_rss_mb"])), fmt(r.get("peak_anon_mb")),
                     fmt(r["peak_threads"]), fmt(r["requests"]),
                     times(ratio(r["requests"], r.get("schedule_requests"))),
                     fmt(None if not r["requests"] else r["cpu_s"] / r["requests"] * 1e6, 0), fmt(r["run_s"]),
                     fmt(r["detect_p50_ms"], 0), fmt(r["detect_p99_ms"], 0), fmt(r["detect_max_ms"], 0),
                     f"{fmt(r['emulator_cpu_s'])} ({r['emulator_cpu_share'] * 100:.0f} %)",
                     fmt(r["probe_p99_ms"])])
    headers = ["client", "tasks ok", "client CPU s", "vs openai", "peak RSS MB", "vs openai", "peak private MB",
               "threads", "HTTP requests", "vs schedule", "CPU per request µs", "wall s", "detect p50 ms", "detect p99 ms",
               "detect max ms", "emulator CPU s (share)", "probe p99 ms"]
    limit_ms = s["interval_s"] * 1000 + 100
    targets = []
    for r in rows:
        if r is peer or peer is None:
            continue
        cpu_ok = r["cpu_s"] <= peer["cpu_s"] / 5
        rss_ok = r["peak_rss_mb"] <= peer["peak_rss_mb"] / 3
        p99_ok = None if r["detect_p99_ms"] is None else r["detect_p99_ms"] <= limit_ms
        needed = r.get("schedule_requests")
        req_ok = None if r["requests"] is None or not needed else r["requests"] <= needed
        targets.append(f"- {r['client']}: CPU at most 1/5 of the SDK's: {check(cpu_ok)} "
                       f"({times(ratio(r['cpu_s'], peer['cpu_s']))}); peak RSS at most 1/3: {check(rss_ok)} "
                       f"({times(ratio(r['peak_rss_mb'], peer['peak_rss_mb']))}); detection p99 at most "
                       f"{limit_ms:.0f} ms: {check(p99_ok)} ({fmt(r['detect_p99_ms'], 0)} ms); no more requests than "
                       f"the schedule needs: {check(req_ok)} ({fmt(r['requests'])} for {fmt(needed)})")
    schedule = max((r["last_completion_after_start_s"] or 0) for r in rows)
    return "\n".join([
        f"## 1. Many tasks at once: {s['count']:,} tasks of {s['task_seconds']:g} to "
        f"{s['task_seconds'] + s.get('spread_s', 0):g} s, polled every {s['interval_s']:g} s", "",
        "Each client submits every task at once and waits for all of them in one thread / one event loop "
        "(videogen C: `vg_client_submit_async` + `vg_task_wait_async` + `vg_client_dispatch`; binding: "
        "`submit_async` + `wait_async` under `asyncio.gather`; SDK: `AsyncOpenAI().videos.create_and_poll("
        f"poll_interval_ms={int(s['interval_s'] * 1000)})` under `asyncio.gather`). Each emulator task lasts "
        f"{s['task_seconds']:g} s plus a random share of {s.get('spread_s', 0):g} s, so completions do not line up "
        "with the poll ticks. Detection latency is the time from the instant the emulator's task became complete "
        "to the instant the client reported it. 'vs schedule' compares the HTTP requests the emulator served with "
        "what the schedule needs (per task one submit, and polls every interval from one interval after the submit "
        "until the first poll at or after completion). 'peak private MB' is the largest RssAnon sampled every "
        "100 ms: the process's own memory, without the mapped pages of shared libraries that RSS also counts. "
        "'probe p99' is the latency of a tiny request sent to the emulator every 100 ms during the run: it stays "
        "low when the emulator is not saturated.", "",
        table(headers, body), "",
        f"Wall time set by the schedule: the last task became complete {schedule:.1f} s after the start "
        "(submits included); a client's wall time beyond that is its own delay.", "",
        "Targets:", *targets,
    ])


def scale_section(s: dict[str, Any]) -> str:
    v, w = s["videogen"], s["wrk"]
    rows = [
        ["videogen (C API)", f"{v['succeeded']:,}/{v['tasks']:,}", fmt(v["peak_threads"]),
         fmt(v["rss_per_task_kb"], 2), fmt(v["peak_rss_mb"]), fmt(v["requests"]), fmt(v["cpu_s"], 2),
         fmt(v["cpu_per_request_us"]), fmt(v["emulator_cpu_per_request_us"]), fmt(v["run_s"])],
        [f"wrk -t1 -c{w['connections']} ({w['seconds']} s)", "—", fmt(w["peak_threads"]), "—",
         fmt(w["peak_rss_mb"]), fmt(w["requests"]), fmt(w["cpu_s"], 2), fmt(w["cpu_per_request_us"]),
         fmt(w["emulator_cpu_per_request_us"]), fmt(float(w["seconds"]))],
    ]
    headers = ["client", "tasks ok", "peak threads", "RSS per task KB", "peak RSS MB", "HTTP requests",
               "client CPU s", "client CPU per request µs", "emulator CPU per request µs", "wall s"]
    per_request = ratio(v["cpu_per_request_us"], w["cpu_per_request_us"])
    return "\n".join([
        f"## 2. Scale: {s['count']:,} tasks in flight in one client ({s['task_seconds']:g} s tasks, polled every "
        f"{s['interval_s']:g} s)", "",
        "RSS per task is (peak RSS − RSS after client creation) / tasks. CPU per request is the client's whole "
        "CPU (start-up, submits, polls, JSON, state machine) divided by the HTTP requests the emulator served it. "
        "wrk polls one task's status over as many keep-alive connections as videogen uses; its CPU per request "
        "is the practical floor of an HTTP client on this machine.", "",
        table(headers, rows), "",
        f"videogen spends {times(per_request)} wrk's CPU per request. wrk reached {fmt(w['requests_per_s'], 0)} "
        "requests/s against the emulator, which bounds any client's rate here.", "",
        "Targets:",
        f"- threads bounded (no thread per task): {check(v['peak_threads'] < 64)} ({v['peak_threads']} threads "
        f"for {v['tasks']:,} tasks)",
        f"- RSS per task in kilobytes: {check(v['rss_per_task_kb'] < 1024)} ({fmt(v['rss_per_task_kb'], 2)} KB)",
    ])


def download_section(s: dict[str, Any]) -> str:
    rows = s["rows"]
    curl = next((r for r in rows if r["client"].startswith("curl")), None)
    body = [[r["client"], fmt(r["mb_per_s"], 0), times(ratio(r["mb_per_s"], curl and curl["mb_per_s"])),
             fmt(r["wall_s"], 2), fmt(r["cpu_s"], 2), fmt(r["peak_rss_mb"]), fmt(r["all_byte_exact"])]
            for r in rows]
    vg = next((r for r in rows if r["client"].startswith("videogen")), None)
    flat = s["flatness"]
    targets = []
    if vg and curl:
        targets = ["Targets:",
                   f"- at least 0.9x curl's throughput: {check(vg['mb_per_s'] >= 0.9 * curl['mb_per_s'])} "
                   f"({times(ratio(vg['mb_per_s'], curl['mb_per_s']))})",
                   f"- peak RSS under 64 MiB: {check(vg['peak_rss_mb'] < 64)} ({fmt(vg['peak_rss_mb'])} MB); on a "
                   f"{flat['size_mib']} MiB file: {fmt(flat['videogen_peak_rss_mb'])} MB"]
    return "\n".join([
        f"## 3. Download: a {s['size_mib']:,} MiB file from nginx on loopback (median of {s['repeats']} runs)", "",
        "nginx serves the file at `/v1/videos/<id>/content` with sendfile and range support. videogen resumes a "
        "succeeded task from its record and downloads it with `vg_task_download` (into `<path>.part`, SHA-256 "
        "while streaming, fsync, rename); curl writes with `-o` (no hash, no fsync); the SDK streams with "
        "`with_streaming_response.download_content(...).stream_to_file(...)`. Every output is compared with the "
        "source by SHA-256.", "",
        table(["client", "MB/s", "vs curl", "wall s", "CPU s", "peak RSS MB", "byte-exact"], body), "",
        *targets,
    ])


def overheads_section(s: dict[str, Any]) -> str:
    c, py, oa = s["c"], s["python_binding"], s["openai"]
    rows = [
        ["C: dlopen(libvideogen.so) + vg_client_create", fmt(c["load_ms"] + c["create_ms"], 2),
         fmt(c["load_ms"], 2), fmt(c["create_ms"], 2), f"vg_task_state {fmt(c['state_ns'])} ns, "
         f"vg_task_progress {fmt(c['progress_ns'])} ns, vg_task_id {fmt(c['id_ns'])} ns"],
        ["Python: import videogen (loads the library) + Client()", fmt(py["import_ms"] + py["create_ms"], 2),
         fmt(py["import_ms"], 2), fmt(py["create_ms"], 2), f"task.state {fmt(py['getter_ns'])} ns"],
        ["Python: import openai + OpenAI()", fmt(oa["import_ms"] + oa["create_ms"], 2), fmt(oa["import_ms"], 2),
         fmt(oa["create_ms"], 2), f"video.status {fmt(oa['getter_ns'])} ns (a pydantic attribute, no native call)"],
    ]
    return "\n".join([
        f"## 4. Overheads (median of {s['repeats']} fresh processes)", "",
        table(["what", "total ms", "load/import ms", "client creation ms", "one task getter"], rows), "",
        f"videogen's Python import plus client costs {times(ratio(py['import_ms'] + py['create_ms'], oa['import_ms'] + oa['create_ms']))} "
        "of openai's. A getter through the binding is a ctypes call into the library (the C call itself is the "
        "figure in the first row); the SDK's getter reads a Python attribute.",
    ])


SECTIONS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("many_tasks", many_tasks_section), ("scale", scale_section), ("download", download_section),
    ("overheads", overheads_section),
]


def render(results: dict[str, Any]) -> str:
    """The whole BENCHMARKS.md."""
    parts = ["# Benchmarks", "",
             "Written by `make bench` (bench/run.py); the raw figures are in bench/results.json. Nothing here is "
             "a test: no figure fails a build. Reproduce with `make bench` on a quiet machine.", "",
             machine_section(results)]
    for name, section in SECTIONS:
        if name in results["scenarios"]:
            parts += ["", section(results["scenarios"][name])]
    if FINDINGS.exists():
        parts += ["", FINDINGS.read_text().strip()]
    return "\n".join(parts) + "\n"
