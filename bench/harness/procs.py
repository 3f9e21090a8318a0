"""Running one measured process: wall time, CPU, peak RSS and context switches from wait4, threads sampled from
/proc.

A process is started through bench/clients/measure (LAUNCHER, set when the C clients are compiled): Linux counts the
RSS a process had before exec in the ru_maxrss wait4 reports, so a program started straight from this Python process
would report at least this process's RSS (30 MB and more). measure is small; it forks, execs the command, and
writes the command's pid and its wait4 rusage to a file.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

#: bench/clients/measure once compiled (Context.compile_clients sets it); without it, processes are started
#: directly and their peak RSS has this process's RSS as a floor.
LAUNCHER: str | None = None


@dataclass
class Measured:
    """What one finished process cost."""

    command: list[str]
    returncode: int
    wall: float
    cpu_user: float
    cpu_sys: float
    peak_rss_kb: int
    peak_threads: int
    peak_anon_kb: int = 0        # largest RssAnon sampled: the process's private memory, without mapped code
    voluntary_switches: int = 0      # ru_nvcsw: the process's threads gave up the CPU (blocked, slept)
    involuntary_switches: int = 0    # ru_nivcsw: the kernel took the CPU from them
    stdout: str = ""
    stderr: str = ""
    #: with run(threads=True): per thread name, {"threads", "voluntary", "involuntary", "cpu_s"} from the last sample
    #: of /proc/PID/task/* (a thread that ended between samples loses at most one interval of counts)
    by_thread: dict[str, dict[str, float]] | None = None

    @property
    def cpu(self) -> float:
        """User plus system CPU seconds."""
        return self.cpu_user + self.cpu_sys

    @property
    def switches(self) -> int:
        """Voluntary plus involuntary context switches, summed over the process's threads (wait4 rusage)."""
        return self.voluntary_switches + self.involuntary_switches


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon (kB) and Threads of a live process; {} once it is gone."""
    values: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM", "RssAnon", "Threads"):
                    values[name] = int(value.split()[0])
    except (OSError, ValueError):
        return {}
    return values


def proc_cpu(pid: int) -> float:
    """User plus system CPU seconds of a live process (from /proc/PID/stat), 0.0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS   # utime, stime: fields 14 and 15 of stat(5)


def thread_counts(pid: int) -> dict[int, tuple[str, int, int, float]]:
    """Each live thread of `pid`: (name, voluntary switches, involuntary switches, CPU seconds)."""
    counts: dict[int, tuple[str, int, int, float]] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return counts
    for tid in tids:
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(base + "/comm") as comm:
                name = comm.read().strip()
            voluntary = involuntary = 0
            with open(base + "/status") as status:
                for line in status:
                    if line.startswith("voluntary_ctxt_switches:"):
                        voluntary = int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches:"):
                        involuntary = int(line.split()[1])
            with open(base + "/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            counts[int(tid)] = (name, voluntary, involuntary, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
        except (OSError, ValueError, IndexError):
            continue
    return counts


def _by_name(last: dict[int, tuple[str, int, int, float]]) -> dict[str, dict[str, float]]:
    grouped: dict[str, dict[str, float]] = {}
    for name, voluntary, involuntary, cpu in last.values():
        entry = grouped.setdefault(name, {"threads": 0, "voluntary": 0, "involuntary": 0, "cpu_s": 0.0})
        entry["threads"] += 1
        entry["voluntary"] += voluntary
        entry["involuntary"] += involuntary
        entry["cpu_s"] += cpu
    return grouped


def run(command: list[str], env: dict[str, str] | None = None, timeout: float = 900.0,
        sample_every: float = 0.1, cwd: str | None = None, threads: bool = False) -> Measured:
    """Run `command` to completion and measure it. Output is captured; a process over `timeout` is killed. With
    `threads`, context switches and CPU are also sampled per thread (Measured.by_thread)."""
    with tempfile.TemporaryDirectory() as folder:
        result_path = os.path.join(folder, "rusage")
        launched = [LAUNCHER, result_path, *command] if LAUNCHER else command
        return _run(command, launched, result_path if LAUNCHER else None, env, timeout, sample_every, cwd, threads)


def _read_result(path: str) -> tuple[int | None, dict | None]:
    """(the command's pid, its rusage) from measure's result file, as far as it is written."""
    try:
        with open(path) as result:
            lines = result.read().splitlines()
    except OSError:
        return None, None
    pid = int(lines[0].split()[1]) if lines and lines[0].startswith("pid ") else None
    usage = json.loads(lines[1]) if len(lines) > 1 and lines[1].startswith("{") else None
    return pid, usage


def _run(command: list[str], launched: list[str], result_path: str | None, env: dict[str, str] | None,
         timeout: float, sample_every: float, cwd: str | None, threads: bool) -> Measured:
    start = time.monotonic()
    proc = subprocess.Popen(launched, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[int, int]] = []   # (threads, RssAnon kB)
    last_threads: dict[int, tuple[str, int, int, float]] = {}
    finished = threading.Event()
    target = {"pid": None if result_path else proc.pid}

    def sample() -> None:
        while not finished.wait(sample_every):
            if target["pid"] is None and result_path:
                target["pid"] = _read_result(result_path)[0]
            pid = target["pid"]
            if pid is None:
                continue
            status = proc_status(pid)
            if status:
                samples.append((status.get("Threads", 0), status.get("RssAnon", 0)))
            if threads:
                last_threads.update(thread_counts(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks: dict[str, str] = {}

    def drain(name: str, stream) -> None:
        out_chunks[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s), daemon=True)
               for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.02)
    wall = time.monotonic() - start
    finished.set()
    sampler.join()
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    user, system, maxrss = usage.ru_utime, usage.ru_stime, usage.ru_maxrss
    voluntary, involuntary = usage.ru_nvcsw, usage.ru_nivcsw
    if result_path:
        own = _read_result(result_path)[1]
        if own is None:   # killed before the command ended: nothing measured
            user = system = 0.0
            maxrss = voluntary = involuntary = 0
        else:
            user, system, maxrss = own["utime"], own["stime"], own["maxrss_kb"]
            voluntary, involuntary = own["nvcsw"], own["nivcsw"]
    return Measured(command=command, returncode=proc.returncode, wall=wall, cpu_user=user, cpu_sys=system,
                    peak_rss_kb=maxrss, peak_threads=max((s[0] for s in samples), default=0),
                    peak_anon_kb=max((s[1] for s in samples), default=0), voluntary_switches=voluntary,
                    involuntary_switches=involuntary, by_thread=_by_name(last_threads) if threads else None,
                    stdout=out_chunks.get("out", ""), stderr=out_chunks.get("err", ""))
