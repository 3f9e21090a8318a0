#!/usr/bin/env python3
"""`make conformance`: runs conformance/scenarios.json in every runtime and prints a table, scenario x runtime.

For each runtime it builds the runner (conformance/<runtime>/), starts it with the scenarios file against one loopback
emulator whose key is a fresh canary, reads the runner's result lines ('CONFORMANCE {...}', one per scenario) and
checks that every scenario of the file got exactly one. A scenario without a line, or with a line a runner made up,
is a failure; so is a runner that crashes or hangs (its missing scenarios fail). Then it searches everything the
runner printed (stdout and stderr) and every file it left in its scratch directory for the canary key: a hit fails
that runtime's canary scenario, naming where.

    python3 conformance/run.py [--runtimes c,python,go,rust,node] [--only id,id] [--results FILE]

Exit status 0 when every scenario passed in every runtime asked for, 1 otherwise, 2 when the suite could not start.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "conformance" / "scenarios.json"
BUILD = ROOT / ".build" / "conformance"
LIBDIR = ROOT / ".build" / "release"
RUNTIMES = ("c", "python", "go", "rust", "node")
RESULT_PREFIX = "CONFORMANCE "
RUNNER_TIMEOUT = 900  # seconds for one runtime's whole run; a hang fails what it did not report


def check_suite(suite: dict) -> None:
    """The suite's tables must say what the header and the emulator say, so its expectations cannot drift."""
    header = (ROOT / "include" / "videogen.h").read_text()
    codes = {name: int(value) for name, value in re.findall(r"\b(VG_(?:OK|E_[A-Z_]+))\s*=\s*(\d+)", header)}
    if codes != suite["codes"]:
        raise SystemExit(f"scenarios.json 'codes' differ from include/videogen.h: {sorted(set(codes.items()) ^ set(suite['codes'].items()))}")
    states = re.findall(r"\bVG_STATE_([A-Z]+)\s*=\s*\d+", header)
    if [s.lower() for s in states] != suite["states"]:
        raise SystemExit(f"scenarios.json 'states' differ from include/videogen.h: {states}")
    sample = (ROOT / "emulator" / "videogen_emulator" / "assets" / "sample.mp4").read_bytes()
    if suite["video"] != {"bytes": len(sample), "sha256": hashlib.sha256(sample).hexdigest()}:
        raise SystemExit("scenarios.json 'video' is not the emulator's asset (emulator/videogen_emulator/assets/sample.mp4)")
    ids = [s["id"] for s in suite["scenarios"]]
    if len(set(ids)) != len(ids):
        raise SystemExit("scenarios.json has a repeated scenario id")


class EchoHandler(http.server.BaseHTTPRequestHandler):
    """The echo service: every request gets 401 with the key it carried repeated in the message."""

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        body = json.dumps({"error": {"code": "invalid_api_key", "type": "invalid_request_error",
                                     "message": f"Incorrect API key provided: {key}"}}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


def start_emulator(key: str, task_seconds: float) -> tuple[subprocess.Popen, str]:
    """The loopback emulator with `key`, and its base URL (the first line it prints)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "emulator"), VIDEOGEN_EMULATOR_KEY=key)
    process = subprocess.Popen([sys.executable, "-m", "videogen_emulator", "--port", "0", "--task-seconds",
                                str(task_seconds), "--no-request-log"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    url = process.stdout.readline().strip()
    if not url.startswith("http://"):
        process.kill()
        raise SystemExit(f"the emulator did not start (printed {url!r})")
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, url


def build(runtime: str) -> list[str]:
    """Builds `runtime`'s runner; returns the command that runs it (the scenarios file is appended)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    if runtime == "c":
        out = BUILD / "c-runner"
        sources = sorted(str(p) for p in (ROOT / "conformance" / "c").glob("*.c"))
        subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror",
                        f"-I{ROOT / 'include'}", *sources, "-o", str(out), f"-L{LIBDIR}",
                        f"-Wl,-rpath,{LIBDIR}", "-lvideogen", "-lpthread", "-lm"], check=True)
        return [str(out)]
    if runtime == "python":
        return [sys.executable, str(ROOT / "conformance" / "python" / "runner.py")]
    if runtime == "go":
        out = BUILD / "go-runner"
        subprocess.run([os.environ.get("GO", "go"), "build", "-o", str(out), "."], cwd=ROOT / "conformance" / "go",
                       check=True)
        return [str(out)]
    if runtime == "rust":
        target = BUILD / "rust-target"
        subprocess.run([os.environ.get("CARGO", "cargo"), "build", "--offline", "--quiet", "--manifest-path",
                        str(ROOT / "conformance" / "rust" / "Cargo.toml"), "--target-dir", str(target)], check=True)
        return [str(target / "debug" / "videogen-conformance")]
    if runtime == "node":
        return [os.environ.get("NODE", "node"), str(ROOT / "conformance" / "node" / "runner.js")]
    raise SystemExit(f"unknown runtime {runtime!r}")


def self_check(runtime: str, command: list[str], suite: dict, env: dict[str, str]) -> str | None:
    """Before the real run: the runner must fail a scenario it does not know, and must fail typed_auth_error when
    the file expects another HTTP status (so its expectations come from the file). None when both held."""
    probe = json.loads(json.dumps(suite))
    unknown = {"id": "self_check_unknown_scenario", "description": "no runner knows this id", "service": "emulator"}
    auth = next(s for s in probe["scenarios"] if s["id"] == "typed_auth_error")
    auth["expect"]["http_status"] = 499
    probe["scenarios"].append(unknown)
    path = BUILD / "self-check.json"
    path.write_text(json.dumps(probe))
    scratch = BUILD / "scratch" / f"{runtime}-self-check"
    scratch.mkdir(parents=True, exist_ok=True)
    run = subprocess.run([*command, str(path)], capture_output=True, timeout=120, cwd=ROOT,
                         env=dict(env, VG_CONFORMANCE_SCRATCH=str(scratch), VG_CONFORMANCE_RUNTIME=runtime,
                                  VG_CONFORMANCE_ONLY="typed_auth_error,self_check_unknown_scenario"))
    seen = {}
    for line in run.stdout.decode(errors="replace").splitlines():
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX):])
            seen[result["scenario"]] = result["result"]
    if seen != {"typed_auth_error": "fail", "self_check_unknown_scenario": "fail"}:
        return f"the runner's self-check: {seen} (exit {run.returncode}); both must fail"
    if env["VG_CONFORMANCE_KEY"].encode() in run.stdout + run.stderr:
        return "the canary key is in the self-check's output"
    return None


def run_runtime(runtime: str, suite: dict, env: dict[str, str], key: str) -> dict[str, dict]:
    """Runs one runtime's runner; returns {scenario id: result} for every scenario of the suite."""
    wanted = [s["id"] for s in suite["scenarios"] if not env.get("VG_CONFORMANCE_ONLY")
              or s["id"] in env["VG_CONFORMANCE_ONLY"].split(",")]
    scratch = BUILD / "scratch" / runtime
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        command = build(runtime)
    except (subprocess.CalledProcessError, OSError) as error:
        return {sid: {"result": "fail", "reason": f"the runner did not build ({type(error).__name__}; its output is above)"} for sid in wanted}
    checked = self_check(runtime, command, suite, env)
    env = dict(env, VG_CONFORMANCE_SCRATCH=str(scratch), VG_CONFORMANCE_RUNTIME=runtime)
    started = time.monotonic()
    try:
        run = subprocess.run([*command, str(SUITE)], env=env, capture_output=True, timeout=RUNNER_TIMEOUT, cwd=ROOT)
        stdout, stderr, status = run.stdout, run.stderr, run.returncode
    except subprocess.TimeoutExpired as expired:
        stdout, stderr, status = expired.stdout or b"", expired.stderr or b"", f"killed after {RUNNER_TIMEOUT} s"
    elapsed = time.monotonic() - started
    (BUILD / f"{runtime}.stdout").write_bytes(stdout)
    (BUILD / f"{runtime}.stderr").write_bytes(stderr)
    results: dict[str, dict] = {}
    for line in stdout.decode(errors="replace").splitlines():
        if not line.startswith(RESULT_PREFIX):
            continue
        try:
            result = json.loads(line[len(RESULT_PREFIX):])
            sid = result["scenario"]
        except (ValueError, KeyError, TypeError):
            results.setdefault("<malformed>", {"result": "fail", "reason": f"a malformed result line: {line!r}"})
            continue
        if sid in results:
            results[sid] = {"result": "fail", "reason": "reported twice"}
        elif result.get("runtime") != runtime or result.get("result") not in ("pass", "fail"):
            results[sid] = {"result": "fail", "reason": f"a malformed result line: {line!r}"}
        else:
            results[sid] = result
    for sid in wanted:
        results.setdefault(sid, {"result": "fail", "reason": f"no result line (runner exit status {status})"})
    for sid in list(results):
        if sid not in wanted:
            results[sid] = {"result": "fail", "reason": "not a scenario asked for"}
    leaks = [f"{runtime}.stdout"] if key.encode() in stdout else []
    leaks += [f"{runtime}.stderr"] if key.encode() in stderr else []
    for path in sorted(scratch.rglob("*")):
        if path.is_file() and not path.is_symlink() and key.encode() in path.read_bytes():
            leaks.append(str(path.relative_to(ROOT)))
    if checked:
        results["<self-check>"] = {"result": "fail", "reason": checked}
    canary = "canary_key_never_in_output"
    if leaks and canary in results:
        results[canary] = {"result": "fail", "reason": f"the canary key is in {', '.join(leaks[:5])}"}
    if status not in (0, 1) and all(r["result"] == "pass" for r in results.values()):
        results["<runner>"] = {"result": "fail", "reason": f"runner exit status {status}"}
    print(f"  {runtime}: {sum(r['result'] == 'pass' for r in results.values())}/{len(results)} passed in "
          f"{elapsed:.1f} s (exit {status}; output in {BUILD.relative_to(ROOT)}/{runtime}.stdout)", flush=True)
    return results


def table(suite: dict, runtimes: list[str], results: dict[str, dict[str, dict]]) -> str:
    """The scenario x runtime table, with a passed/total row."""
    ids = [s["id"] for s in suite["scenarios"]]
    extra = sorted({sid for r in results.values() for sid in r} - set(ids))
    width = max(len(i) for i in ids + extra + ["passed"])
    lines = ["scenario".ljust(width) + "".join(f"  {r:>6}" for r in runtimes)]
    for sid in ids + extra:
        cells = []
        for runtime in runtimes:
            result = results[runtime].get(sid)
            cells.append("-" if result is None else "pass" if result["result"] == "pass" else "FAIL")
        lines.append(sid.ljust(width) + "".join(f"  {c:>6}" for c in cells))
    totals = [f"{sum(r['result'] == 'pass' for r in results[rt].values())}/{len(results[rt])}" for rt in runtimes]
    lines.append("passed".ljust(width) + "".join(f"  {t:>6}" for t in totals))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtimes", default=",".join(RUNTIMES))
    parser.add_argument("--only", default="", help="comma-separated scenario ids (default: all)")
    parser.add_argument("--results", default=str(BUILD / "results.json"))
    args = parser.parse_args()
    suite = json.loads(SUITE.read_text())
    check_suite(suite)
    runtimes = [r for r in args.runtimes.split(",") if r]
    key = "sk-conformance-canary-" + secrets.token_hex(16)
    emulator, url = start_emulator(key, suite["emulator"]["task_seconds"])
    echo = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    env = dict(os.environ, VG_CONFORMANCE_KEY=key, VG_CONFORMANCE_URL=url,
               VG_CONFORMANCE_ECHO_URL=f"http://127.0.0.1:{echo.server_address[1]}",
               PYTHONPATH=str(ROOT / "bindings" / "python"), VG_CONFORMANCE_ONLY=args.only)
    results: dict[str, dict[str, dict]] = {}
    try:
        print(f"conformance: {len(suite['scenarios'])} scenarios x {len(runtimes)} runtimes, emulator {url}",
              flush=True)
        for runtime in runtimes:
            results[runtime] = run_runtime(runtime, suite, env, key)
    finally:
        emulator.terminate()
        emulator.wait()
        echo.shutdown()
    print(table(suite, runtimes, results))
    failures = [(rt, sid, r["reason"]) for rt in runtimes for sid, r in results[rt].items() if r["result"] != "pass"]
    for runtime, sid, reason in failures:
        print(f"FAIL {runtime} {sid}: {reason}")
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(json.dumps(results, indent=1) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
