"""The emulator's server engines (asyncio and threads): keep-alive, threads, stop, wire parity, measurement plumbing.

Tests taking ``emu``, ``make_emu`` or ``server`` run once per engine (see conftest.py).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import resource
import socket
import subprocess
import sys
import threading
import time
import types
import urllib.parse

import pytest

from conftest import API_KEY, AUTH, EMULATOR_PYTHONPATH, SERVERS, call, get, post_json
from test_emulator import _raw
from videogen_emulator import Emulator
from videogen_emulator.exchange import Headers, ProtocolError, parse_request_line



def address(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    return parts.hostname, parts.port


def connect(url: str, timeout: float = 10.0) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(*address(url), timeout=timeout)


def os_threads() -> int:
    """This process's thread count as the kernel reports it."""
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("Threads:")).split()[1])


def read_reply(sock: socket.socket) -> bytes:
    """One whole reply (with a Content-Length) from a keep-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(4096)
        assert piece, "the server closed a keep-alive connection"
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"\r\nContent-Length: (\d+)", head).group(1))
    while len(body) < length:
        piece = sock.recv(4096)
        assert piece, "the server closed a keep-alive connection"
        body += piece
    return head + b"\r\n\r\n" + body


def open_idle_connections(url: str, n: int, target: str = "/_emulator/blob/3") -> list[socket.socket]:
    """``n`` keep-alive connections, each of which has been served one request (so each has been accepted and
    its handler has run), left open and idle."""
    socks = [socket.create_connection(address(url), timeout=10) for _ in range(n)]
    for sock in socks:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    for sock in socks:
        assert read_reply(sock).startswith(b"HTTP/1.1 200 ")
    return socks


def without_date(raw: bytes) -> bytes:
    return re.sub(rb"\r\nDate: [^\r]*", b"", raw)


# --- keep-alive and threads -----------------------------------------------------------------------------------------

def test_keep_alive_serves_many_requests_on_one_connection(emu):
    vid = post_json(f"{emu.base_url}/v1/videos", {"model": "sora-2", "prompt": "x"}).json()["id"]
    conn = connect(emu.base_url)
    try:
        seen = set()
        for i in range(300):
            conn.request("GET", f"/v1/videos/{vid}", headers=AUTH)
            reply = conn.getresponse()
            assert reply.status == 200 and json.loads(reply.read())["id"] == vid
            assert reply.getheader("Connection") is None and not reply.will_close
            seen.add(conn.sock.getsockname())      # http.client reconnects silently if the server closed
        assert len(seen) == 1
    finally:
        conn.close()
    assert emu.log.counts()["api"] == 301


def test_asyncio_engine_needs_no_thread_per_connection():
    with Emulator(api_key=API_KEY, server="asyncio") as emu:
        before = threading.active_count(), os_threads()
        socks = open_idle_connections(emu.base_url, 200) + open_idle_connections(emu.cdn_url, 20)
        try:
            time.sleep(0.2)
            # other tests' leftover threads may come and go: allow a few, a thread per connection is 220
            assert threading.active_count() <= before[0] + 5 and os_threads() <= before[1] + 5
            assert call("GET", f"{emu.base_url}/_emulator/health").status == 200
        finally:
            for sock in socks:
                sock.close()


def test_threads_engine_has_a_thread_per_connection():
    """The contrast that shows the measurement above sees connection threads when there are some."""
    with Emulator(api_key=API_KEY, server="threads") as emu:
        before = threading.active_count(), os_threads()
        socks = open_idle_connections(emu.base_url, 50)
        try:
            assert threading.active_count() >= before[0] + 45 and os_threads() >= before[1] + 45
        finally:
            for sock in socks:
                sock.close()


def test_the_asyncio_engine_serves_both_origins_on_one_thread():
    before = set(threading.enumerate())
    with Emulator(api_key=API_KEY, server="asyncio") as emu:
        assert [t.name for t in set(threading.enumerate()) - before] == ["videogen-emulator-loop"]
        assert get(emu.signed_url("a.mp4")).status == 200 and get(f"{emu.base_url}/_emulator/health").status == 200
    time.sleep(0.1)
    assert set(threading.enumerate()) - before == set()


def test_a_held_or_stalled_request_does_not_hold_up_the_others(make_emu):
    emu = make_emu(task_seconds=3)
    results = []

    def chat():
        body = {"model": "veo-3.1", "messages": [{"role": "user", "content": "p"}]}
        results.append(post_json(f"{emu.base_url}/v1/chat/completions", body).status)

    def stalled():
        results.append(get(f"{emu.base_url}/_emulator/blob/10?fault=stall:6").status)

    workers = [threading.Thread(target=f) for f in (chat, stalled) * 10]
    for worker in workers:
        worker.start()
    time.sleep(0.3)
    start = time.monotonic()
    for _ in range(20):
        assert get(f"{emu.base_url}/_emulator/health").status == 200
    # Served while the stalls last (none ended: an order), and far sooner than a blocked server could (6 s).
    assert time.monotonic() - start < 3.0
    assert results == []
    for worker in workers:
        worker.join(10)
    assert results == [200] * 20


# --- stop -----------------------------------------------------------------------------------------------------------

def test_stop_with_open_connections_returns_promptly(server):
    emu = Emulator(api_key=API_KEY, server=server).start()
    url = emu.base_url
    idle = open_idle_connections(emu.base_url, 50)
    busy = []
    for target in ("/_emulator/blob/10?fault=stall:60", "/_emulator/blob/1000000?fault=stall-after:10:60",
                   f"/_emulator/blob/{2 ** 32}", "/_emulator/blob/100000?fault=drip:10"):
        sock = socket.create_connection(address(emu.base_url), timeout=10)
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        busy.append(sock)
    time.sleep(0.3)
    start = time.monotonic()
    emu.stop()
    assert time.monotonic() - start < 10  # a hang guard: the held requests would last 60 s
    for sock in idle + busy:             # every connection is closed: reading ends (EOF or reset), never hangs
        sock.settimeout(5)
        try:
            while sock.recv(1 << 20):
                pass
        except ConnectionResetError:
            pass
        sock.close()
    with pytest.raises(OSError):
        call("GET", f"{url}/_emulator/health", timeout=1)


# --- large bodies ---------------------------------------------------------------------------------------------------

def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1]) / 1024


def test_a_stalled_reader_of_a_huge_body_is_met_with_backpressure(emu):
    before = _rss_mib()
    sock = socket.create_connection(address(emu.base_url), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    try:
        sock.sendall(f"GET /_emulator/blob/{2 ** 30} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        sock.recv(1024)
        time.sleep(1.0)                      # read nothing more: without backpressure the GiB is buffered
        assert _rss_mib() - before < 64
        start = time.monotonic()
        assert get(f"{emu.base_url}/_emulator/health").status == 200
        assert time.monotonic() - start < 5  # a hang guard: a server stuck on the stalled reader never answers
    finally:
        sock.close()


def test_a_fast_reader_of_a_huge_body_does_not_starve_the_others(emu, monkeypatch):
    from videogen_emulator import control
    monkeypatch.setattr(control, "MAX_BLOB", 2 ** 39)  # a body that cannot end within the test
    stop = threading.Event()
    received = []

    def download():
        conn = connect(emu.base_url)
        conn.request("GET", f"/_emulator/blob/{2 ** 39}")
        reply = conn.getresponse()
        total = 0
        while not stop.is_set():
            total += len(reply.read(1 << 20))
        received.append(total)
        conn.close()

    worker = threading.Thread(target=download)
    worker.start()
    try:
        time.sleep(0.3)
        start = time.monotonic()
        for _ in range(10):
            assert get(f"{emu.base_url}/_emulator/health").status == 200
        assert time.monotonic() - start < 10  # a hang guard; starving would last until the body ends
    finally:
        stop.set()
        worker.join(10)
    # The reader was still receiving when the health checks were answered (an order: the body never ends).
    assert received and 1 << 20 < received[0] < 2 ** 39


def test_a_client_hanging_up_mid_body_ends_the_body(emu, caplog):
    sock = socket.create_connection(address(emu.base_url), timeout=10)
    sock.sendall(f"GET /_emulator/blob/{2 ** 32} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    received = 0
    while received < 200_000:
        received += len(sock.recv(65536))
    sock.close()
    time.sleep(0.5)
    assert not [r for r in caplog.records if "raised exception" in r.getMessage()]   # asyncio: writes to a lost peer
    assert get(f"{emu.base_url}/_emulator/health").status == 200


# --- wire parity ----------------------------------------------------------------------------------------------------

PARITY_REQUESTS = [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.x\r\n\r\n",
    b"GET / HTTP/2.0\r\n\r\n",
    b"GET / HTTP/1.1 extra\r\n\r\n",
    b"POST /\r\n\r\n",
    b"BREW /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(101)) + b"\r\n",
    b"HEAD /_emulator/blob/5 HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"GET /_emulator/blob/5 HTTP/1.0\r\n\r\n",
    b"GET //_emulator/health HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"GET /_emulator/health HTTP/1.1\r\nConnection: close\r\nX-Emulator-Fault: bogus\r\n\r\n",
    b"GET /v1/videos/x HTTP/1.1\r\nConnection: close\r\nAuthorization: Bearer wrong\r\n\r\n",
    b"POST /v1/video/generations HTTP/1.1\r\nConnection: close\r\nContent-Length: x\r\n\r\n",
    b"GET /_emulator/blob/300?fault=truncate:100 HTTP/1.1\r\n\r\n",
    b"GET /_emulator/blob/300?fault=oversize-chunked:0 HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"GET /_emulator/blob/300 HTTP/1.1\r\nConnection: close\r\nRange: bytes=10-19\r\n"
    b"X-Emulator-Fault: ignore-range,truncate:50\r\n\r\n",
    b"GET /_emulator/blob/300 HTTP/1.1\r\nConnection: close\r\nRange:\r\n  bytes=10-19\r\n\r\n",
]


def test_both_engines_answer_byte_for_byte_alike():
    engines = [Emulator(api_key=API_KEY, server=name).start() for name in SERVERS]
    try:
        _compare(engines)
    finally:
        for emu in engines:
            emu.stop()


def _compare(engines):
    for request in PARITY_REQUESTS:
        answers = [without_date(_raw(emu, request)) for emu in engines]
        assert answers[0] == answers[1], request[:80]
        assert answers[0].startswith(b"HTTP/1.1 "), request[:80]
    logs = [[{k: v for k, v in e.items() if k != "time"} for e in emu.requests()] for emu in engines]
    assert logs[0] == logs[1] and len(logs[0]) >= 8


def test_expect_100_continue_then_body(emu):
    body = json.dumps({"model": "m", "prompt": "p"}).encode()
    with socket.create_connection(address(emu.base_url), timeout=5) as sock:
        sock.sendall(f"POST /v1/video/generations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                     "Expect: 100-continue\r\nConnection: close\r\n\r\n".encode())
        assert sock.recv(1024) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        data = b""
        while piece := sock.recv(65536):
            data += piece
    assert data.startswith(b"HTTP/1.1 200 ") and b'"task_id"' in data


def test_request_line_parsing_units():
    assert parse_request_line(b"GET /x HTTP/1.1\r\n") == ("GET", "/x", "HTTP/1.1", True)
    assert parse_request_line(b"GET /x HTTP/1.0\r\n") == ("GET", "/x", "HTTP/1.0", False)
    assert parse_request_line(b"GET ///x\n") == ("GET", "/x", "HTTP/1.1", False)
    assert parse_request_line(b"\r\n") is None
    for line, status in ((b"GET / HTTP/2.0\r\n", 505), (b"GET / HTTP/1\r\n", 400), (b"A B C D\r\n", 400),
                         (b"POST /\r\n", 400), (b"GET /" + b"a" * 70000 + b"\r\n", 414)):
        with pytest.raises(ProtocolError) as info:
            parse_request_line(line)
        assert info.value.status == status
    headers = Headers()
    headers.add("Range", "bytes=1-2")
    headers.add("range", "bytes=3-4")
    assert headers.get("RANGE") == "bytes=1-2" and "range" in headers
    del headers["Range"]
    assert headers.get("Range") is None and len(headers) == 0


# --- measurement plumbing -------------------------------------------------------------------------------------------

def stats(emu):
    return get(f"{emu.base_url}/_emulator/stats", headers={}).json()


def test_stats_count_requests_per_origin_and_report_cpu_and_engine(emu, server):
    first = stats(emu)
    assert first["requests"] == {"api": 0, "cdn": 0} and first["server"] == server
    assert isinstance(first["cpu_seconds"], float) and first["cpu_seconds"] > 0
    vid = post_json(f"{emu.base_url}/v1/videos", {"model": "sora-2", "prompt": "x"}).json()["id"]
    for _ in range(5):
        get(f"{emu.base_url}/v1/videos/{vid}")
    get(f"{emu.base_url}/v1/videos/{vid}", headers={})                       # 401: counted too
    with pytest.raises((OSError, http.client.HTTPException)):
        get(f"{emu.base_url}/_emulator/blob/10?fault=reset")                  # faulted: counted
    for _ in range(3):
        get(emu.signed_url("a.mp4"))
    get(f"{emu.cdn_url}/nope")
    for plumbing in ("health", "control", "requests", "faults", "stats", "tasks"):
        get(f"{emu.base_url}/_emulator/{plumbing}", headers={})
    usage = resource.getrusage(resource.RUSAGE_SELF)
    second = stats(emu)
    assert second["requests"] == {"api": 8, "cdn": 4}
    assert first["cpu_seconds"] <= second["cpu_seconds"] <= usage.ru_utime + usage.ru_stime + 0.1


def test_request_counters_are_not_bounded_by_the_log(make_emu, server):
    emu = make_emu()
    emu.log._entries = type(emu.log._entries)(maxlen=10)      # a short log, to see the counters go past it
    for _ in range(25):
        get(f"{emu.base_url}/_emulator/blob/1")
    assert len(emu.requests()) == 10 and stats(emu)["requests"]["api"] == 25


def test_reset_zeroes_the_counters(emu):
    get(f"{emu.base_url}/_emulator/blob/1")
    get(emu.signed_url("a.mp4"))
    assert stats(emu)["requests"] == {"api": 1, "cdn": 1}
    assert post_json(f"{emu.base_url}/_emulator/reset", {}, headers={}).status == 200
    assert stats(emu)["requests"] == {"api": 0, "cdn": 0}
    get(f"{emu.base_url}/_emulator/blob/1")
    assert stats(emu)["requests"] == {"api": 1, "cdn": 0}


def test_tasks_route_lists_every_task_with_its_completion_instant(make_emu):
    emu = make_emu(task_seconds=0.4)
    made = []
    for model in ("sora-2", "sora-2-emu-fail", "sora-2-emu-stuck"):
        made.append(post_json(f"{emu.base_url}/v1/videos", {"model": model, "prompt": "x"}).json()["id"])
    post_json(f"{emu.base_url}/_emulator/control", {"task_seconds": 0.2}, headers={})
    made.append(post_json(f"{emu.base_url}/v1/video/generations", {"model": "kling-v2", "prompt": "x"}).json()["id"])
    before = stats(emu)["requests"]
    reply = get(f"{emu.base_url}/_emulator/tasks", headers={})
    assert reply.status == 200
    tasks = reply.json()
    assert [t["id"] for t in tasks] == made
    assert all(set(t) == {"id", "model", "created_at", "completes_at", "phase"} for t in tasks)
    assert [t["model"] for t in tasks] == ["sora-2", "sora-2-emu-fail", "sora-2-emu-stuck", "kling-v2"]
    for task, seconds in zip(tasks, (0.4, 0.4, None, 0.2)):
        stored = emu.store.get(task["id"])
        assert task["created_at"] == stored.created_at and abs(task["created_at"] - time.time()) < 5
        if seconds is None:
            assert task["completes_at"] is None
        else:
            assert task["completes_at"] == stored.created_at + seconds
    assert stats(emu)["requests"] == before                  # plumbing: not counted
    assert all(e["path"] != "/_emulator/tasks" for e in emu.requests())
    time.sleep(max(t["completes_at"] or 0 for t in tasks) - time.time() + 0.05)
    phases = [t["phase"] for t in get(f"{emu.base_url}/_emulator/tasks", headers={}).json()]
    assert phases == ["completed", "failed", "running", "completed"]
    post_json(f"{emu.base_url}/_emulator/reset", {}, headers={})
    assert get(f"{emu.base_url}/_emulator/tasks", headers={}).json() == []


def test_a_task_is_terminal_from_its_completes_at_on(make_emu, monkeypatch):
    # A manual clock for the store (its monotonic and wall readings), so "just before" and "at" completes_at are
    # exact instants, not sleeps that a loaded machine may overshoot. 0.25 s and the start are exact in binary.
    from videogen_emulator import store
    now = [1_764_547_200.0]
    monkeypatch.setattr(store, "time", types.SimpleNamespace(monotonic=lambda: now[0], time=lambda: now[0]))
    emu = make_emu(task_seconds=0.25)
    vid = post_json(f"{emu.base_url}/v1/videos", {"model": "sora-2", "prompt": "x"}).json()["id"]
    [task] = get(f"{emu.base_url}/_emulator/tasks", headers={}).json()
    assert task["completes_at"] == now[0] + 0.25
    now[0] = task["completes_at"] - 0.001
    assert get(f"{emu.base_url}/v1/videos/{vid}").json()["status"] != "completed"
    now[0] = task["completes_at"]
    assert get(f"{emu.base_url}/v1/videos/{vid}").json()["status"] == "completed"


def test_request_log_can_be_switched_off(make_emu):
    emu = make_emu(request_log=False)
    get(f"{emu.base_url}/_emulator/blob/1")
    assert emu.requests() == [] and stats(emu)["requests"]["api"] == 1


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="asyncio"):
        Emulator(server="fork")


@pytest.mark.parametrize("engine", SERVERS)
def test_cli_server_and_request_log_options(engine):
    env = dict(os.environ, PYTHONPATH=EMULATOR_PYTHONPATH)
    proc = subprocess.Popen([sys.executable, "-m", "videogen_emulator", "--server", engine, "--no-request-log"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().strip()
        assert call("GET", f"{base}/_emulator/blob/3").status == 200
        assert call("GET", f"{base}/_emulator/requests").json() == []
        reply = call("GET", f"{base}/_emulator/stats").json()
        assert reply["server"] == engine and reply["requests"] == {"api": 1, "cdn": 0}
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and err == ""


def test_held_answers_take_no_thread_on_the_asyncio_engine():
    with Emulator(api_key=API_KEY, server="asyncio", task_seconds=30) as emu:
        before = os_threads()
        body = b'{"model":"veo-3.1","messages":[{"role":"user","content":"p"}]}'
        socks = []
        for target in ["/v1/chat/completions"] * 20 + ["/_emulator/blob/10?fault=stall:30"] * 20:
            sock = socket.create_connection(address(emu.base_url), timeout=10)
            sock.sendall(f"POST {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
                         if target.startswith("/v1/") else f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            socks.append(sock)
        try:
            time.sleep(0.3)
            assert os_threads() <= before + 5        # a thread per held request would be 40
        finally:
            for sock in socks:
                sock.close()


def test_idle_keep_alive_connections_are_closed_after_the_idle_timeout(monkeypatch):
    from videogen_emulator import aserver, exchange
    monkeypatch.setattr(exchange, "IDLE_TIMEOUT", 0.3)
    monkeypatch.setattr(aserver, "SWEEP_SECONDS", 0.1)
    with Emulator(api_key=API_KEY, server="asyncio") as emu:
        start = time.monotonic()
        [idle] = open_idle_connections(emu.base_url, 1)
        [busy] = open_idle_connections(emu.base_url, 1)
        busy.sendall(b"GET /_emulator/blob/10?fault=stall:1 HTTP/1.1\r\nHost: x\r\n\r\n")
        idle.settimeout(10)
        assert idle.recv(10) == b""
        assert 0.3 <= time.monotonic() - start < 5  # closed by the sweep (never closing would hit the 10 s timeout)
        assert read_reply(busy).startswith(b"HTTP/1.1 200 ")     # a request in progress is not idle
        idle.close()
        busy.close()


def test_task_seconds_spread_gives_each_task_its_own_length(make_emu):
    emu = make_emu(task_seconds=20, task_seconds_spread=2)
    for dialect_path in ("/v1/videos", "/v1/video/generations"):
        for _ in range(15):
            post_json(f"{emu.base_url}{dialect_path}", {"model": "sora-2", "prompt": "x"})
    lengths = [t["completes_at"] - t["created_at"] for t in get(f"{emu.base_url}/_emulator/tasks", headers={}).json()]
    assert len(lengths) == 30 and all(20 <= length <= 22 for length in lengths)
    assert len({round(length, 6) for length in lengths}) > 20          # spread, not one shared length
    post_json(f"{emu.base_url}/_emulator/control", {"task_seconds_spread": 0}, headers={})
    post_json(f"{emu.base_url}/v1/videos", {"model": "sora-2", "prompt": "x"})
    last = get(f"{emu.base_url}/_emulator/tasks", headers={}).json()[-1]
    assert last["completes_at"] - last["created_at"] == 20
    reply = post_json(f"{emu.base_url}/_emulator/control", {"task_seconds_spread": -1}, headers={})
    assert reply.status == 400 and "task_seconds_spread" in reply.json()["error"]["message"]
