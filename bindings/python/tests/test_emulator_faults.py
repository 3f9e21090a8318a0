"""Fault injection in the emulator (faults.py): every fault, by header, query parameter and rule."""

from __future__ import annotations

import email.utils
import http.client
import json
import socket
import time

import pytest

from conftest import AUTH, call, form, get, post_json
from videogen_emulator import media
from videogen_emulator.faults import Fault, parse_specs

BLOB = 256 * 1024
FORM, FORM_TYPE = form({"prompt": "p", "model": "sora-2"})   # one body, as a retrying client resends it


def set_faults(emu, rules, seed=0):
    reply = post_json(f"{emu.base_url}/_emulator/control", {"faults": rules, "fault_seed": seed}, headers={})
    assert reply.status == 200, reply.body
    return reply.json()


def raw(emu, target, headers=None, cdn=False, timeout=10.0):
    """Send a GET on a raw socket; return everything received until the peer closes, and how it closed."""
    host, port = (emu.cdn_url if cdn else emu.base_url).rsplit("/", 1)[1].rsplit(":", 1)
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in {**AUTH, **(headers or {})}.items()]
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    data, how = b"", "fin"
    try:
        while True:
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
    except ConnectionResetError:
        how = "reset"
    finally:
        sock.close()
    return data, how


def split(data):
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def submit(emu, key=None, fault=None):
    headers = {**AUTH}
    if key:
        headers["Idempotency-Key"] = key
    if fault:
        headers["X-Emulator-Fault"] = fault
    return call("POST", f"{emu.base_url}/v1/videos", FORM, {**headers, "Content-Type": FORM_TYPE})


# --- parsing and configuration --------------------------------------------------------------------------------------

def test_spec_parsing():
    assert Fault.parse("status:503").args == (503,)
    assert Fault.parse("status:503:2.5").args == (503, 2.5)
    assert Fault.parse("stall-after:10:1.5").args == (10, 1.5)
    assert [f.kind for f in parse_specs("truncate:5, ignore-range")] == ["truncate", "ignore-range"]
    for bad in ("", "nope", "status", "status:99", "reset:1", "truncate:x", "stall:-1", "stall-after:1"):
        with pytest.raises(ValueError):
            Fault.parse(bad)


def test_control_validates_rules_atomically(emu):
    bad = post_json(f"{emu.base_url}/_emulator/control",
                    {"task_seconds": 9, "faults": [{"fault": "bogus"}]}, headers={})
    assert bad.status == 400
    assert get(f"{emu.base_url}/_emulator/control", headers={}).json()["task_seconds"] == 0.5
    for rule in ({"fault": "reset", "rate": 2}, {"fault": "reset", "count": -1}, {"fault": "reset", "x": 1},
                 {"fault": "reset", "origin": "moon"}, "reset"):
        assert post_json(f"{emu.base_url}/_emulator/faults", {"faults": [rule]}, headers={}).status == 400
    reply = set_faults(emu, [{"fault": "status:503", "match": "/v1/videos/"}])
    assert reply["faults"][0]["fault"] == "status:503" and reply["faults"][0]["fired"] == 0


def test_bad_fault_header_is_a_400(emu):
    reply = get(f"{emu.base_url}/_emulator/health", headers={"X-Emulator-Fault": "bogus"})
    assert reply.status == 400 and reply.json()["error"]["code"] == "invalid_fault"


def test_no_fault_no_change_and_log_unchanged(emu):
    vid = submit(emu).json()["id"]
    assert get(f"{emu.base_url}/v1/videos/{vid}").status == 200
    assert all("fault" not in e and "replayed" not in e for e in emu.requests())


# --- status answers and hints ---------------------------------------------------------------------------------------

def test_status_by_header_query_and_rule(emu):
    vid = submit(emu).json()["id"]
    reply = get(f"{emu.base_url}/v1/videos/{vid}", headers={**AUTH, "X-Emulator-Fault": "status:503"})
    assert reply.status == 503 and reply.json()["error"]["type"] == "server_error"
    reply = get(f"{emu.base_url}/v1/videos/{vid}?fault=status:502:3")
    assert reply.status == 502 and reply.headers["Retry-After"] == "3"
    set_faults(emu, [{"fault": "status:500", "match": "/v1/videos/", "method": "GET", "count": 2}])
    statuses = [get(f"{emu.base_url}/v1/videos/{vid}").status for _ in range(4)]
    assert statuses == [500, 500, 200, 200]
    log = [e for e in emu.requests() if e["path"] == f"/v1/videos/{vid}"]
    assert [e.get("fault") for e in log][-4:] == ["status:500", "status:500", None, None]


def test_rate_is_seeded_and_deterministic(make_emu):
    def run(seed):
        emu = make_emu(task_seconds=0.5)
        set_faults(emu, [{"fault": "status:503", "match": "/_emulator/blob/", "rate": 0.2}], seed)
        return [get(f"{emu.base_url}/_emulator/blob/10").status for _ in range(200)]
    first, again, other = run(7), run(7), run(8)
    assert first == again and first != other
    assert 25 <= first.count(503) <= 55


def test_skip_and_origin(emu):
    set_faults(emu, [{"fault": "status:418", "origin": "cdn"},
                     {"fault": "status:503", "match": "/_emulator/blob/", "skip": 1, "count": 1}])
    assert [get(f"{emu.base_url}/_emulator/blob/4").status for _ in range(3)] == [200, 503, 200]


def test_retry_after_forms(emu):
    url = f"{emu.base_url}/_emulator/blob/4"
    reply = get(url + "?fault=retry-after:7")
    assert reply.status == 429 and reply.headers["Retry-After"] == "7"
    reply = get(url + "?fault=retry-after-ms:1500")
    assert reply.status == 429 and reply.headers["retry-after-ms"] == "1500" and "Retry-After" not in reply.headers
    reply = get(url + "?fault=retry-after:300")
    assert reply.headers["Retry-After"] == "300"
    before = time.time()
    reply = get(url + "?fault=retry-after-date:30")
    after = time.time()
    when = email.utils.parsedate_to_datetime(reply.headers["Retry-After"]).timestamp()
    # The server read its clock between `before` and `after`; an HTTP date has whole seconds.
    assert reply.status == 429 and before + 29 <= when <= after + 30


# --- connection faults ----------------------------------------------------------------------------------------------

def test_reset_before_headers(emu):
    data, how = raw(emu, "/_emulator/blob/1000?fault=reset")
    assert data == b"" and how == "reset"
    assert emu.requests()[-1]["fault"] == "reset" and emu.requests()[-1]["status"] == 0


def test_reset_after_n_bytes(emu):
    data, how = raw(emu, f"/_emulator/blob/{BLOB}?fault=reset-after:1000")
    assert how == "reset"
    status, headers, body = split(data)
    assert status == 200 and headers["content-length"] == str(BLOB)
    assert len(body) <= 1000 and body == media.blob_bytes(0, len(body))


def test_truncated_body(emu):
    data, how = raw(emu, f"/_emulator/blob/{BLOB}?fault=truncate:5000")
    status, headers, body = split(data)
    assert how == "fin" and headers["content-length"] == str(BLOB) and body == media.blob_bytes(0, 5000)
    with pytest.raises(http.client.IncompleteRead):
        get(f"{emu.base_url}/_emulator/blob/{BLOB}?fault=truncate:5000")


def test_stall_then_answer(emu):
    start = time.monotonic()
    reply = get(f"{emu.base_url}/_emulator/blob/10?fault=stall:0.5")
    assert reply.status == 200 and time.monotonic() - start >= 0.5
    with pytest.raises(socket.timeout):
        get(f"{emu.base_url}/_emulator/blob/10?fault=stall:5", timeout=0.3)


def test_stall_mid_body(emu):
    # The first 1,000 bytes come before the stall: with a 30 s stall, reading until 1,000 body bytes arrived finds
    # exactly 1,000 (an order, not a time: the rest cannot come before the stall ends).
    sock = socket.create_connection(("127.0.0.1", int(emu.base_url.rsplit(":", 1)[1])), timeout=20)
    sock.sendall(b"GET /_emulator/blob/20000?fault=stall-after:1000:30 HTTP/1.1\r\nHost: x\r\n"
                 b"Connection: close\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data or len(split(data)[2]) < 1000:
        piece = sock.recv(65536)
        assert piece, "closed before 1,000 body bytes"
        data += piece
    sock.close()
    assert split(data)[2] == media.blob_bytes(0, 1000)
    # With a 0.6 s stall, the whole body arrives, the rest not before the stall's end.
    parts = []
    sock = socket.create_connection(("127.0.0.1", int(emu.base_url.rsplit(":", 1)[1])), timeout=5)
    sock.sendall(b"GET /_emulator/blob/20000?fault=stall-after:1000:0.6 HTTP/1.1\r\nHost: x\r\n"
                 b"Connection: close\r\n\r\n")
    start = time.monotonic()
    data = b""
    while True:
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
        parts.append((time.monotonic() - start, len(split(data)[2]) if b"\r\n\r\n" in data else 0))
    sock.close()
    assert split(data)[2] == media.blob_bytes(0, 20000)
    after = [t for t, n in parts if n > 1000]
    assert min(after) >= 0.55


def test_slow_drip(emu):
    start = time.monotonic()
    reply = get(f"{emu.base_url}/_emulator/blob/4000?fault=drip:8000")
    assert reply.body == media.blob_bytes(0, 4000)
    assert time.monotonic() - start >= 0.4


def test_commit_drop_creates_the_task_then_drops(emu):
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        submit(emu, key="k-drop", fault="commit-drop")
    assert len(emu.store) == 1
    again = submit(emu, key="k-drop")
    assert again.status == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert len(emu.store) == 1
    log = [e for e in emu.requests() if e["idempotency_key"] == "k-drop"]
    assert [e.get("fault") for e in log] == ["commit-drop", None] and log[1]["replayed"] is True


# --- idempotency ----------------------------------------------------------------------------------------------------

def test_idempotency_key_deduplicates(emu):
    first = submit(emu, key="k1").json()
    second = submit(emu, key="k1").json()
    third = submit(emu, key="k2").json()
    assert first == second and third["id"] != first["id"]
    assert len(emu.store) == 2
    stats = get(f"{emu.base_url}/_emulator/stats", headers={}).json()
    assert {k: stats[k] for k in ("tasks", "idempotency_keys")} == {"tasks": 2, "idempotency_keys": 2}
    unified = post_json(f"{emu.base_url}/v1/video/generations", {"model": "m", "prompt": "p"},
                        headers={**AUTH, "Idempotency-Key": "k1"})
    assert unified.status == 422 and unified.json()["error"]["code"] == "idempotency_key_reused"


def test_failed_first_attempt_frees_the_key(emu):
    assert submit(emu, key="k3", fault="status:503").status == 503
    assert submit(emu, key="k3").status == 200 and len(emu.store) == 1
    assert submit(emu).status == 200 and submit(emu).status == 200 and len(emu.store) == 3


# --- redirects, ranges, ETags, expiry -------------------------------------------------------------------------------

def test_redirect_to_the_cdn_origin(emu):
    vid = submit(emu).json()["id"]
    time.sleep(0.6)
    reply = get(f"{emu.base_url}/v1/videos/{vid}/content?fault=redirect")
    assert reply.status == 302 and reply.headers["Location"].startswith(emu.cdn_url + f"/files/{vid}.mp4?expires=")
    cdn = get(reply.headers["Location"], headers={})
    assert cdn.status == 200 and cdn.body == media.SAMPLE_PATH.read_bytes()
    reply = get(f"{emu.base_url}/_emulator/blob/100?fault=redirect&x=1")
    assert reply.headers["Location"] == emu.cdn_url + "/_emulator/blob/100?x=1"
    assert get(reply.headers["Location"], headers={}).body == media.blob_bytes(0, 100)


def test_redirect_loop(emu):
    reply = get(f"{emu.base_url}/_emulator/blob/100?fault=redirect-loop")
    assert reply.status == 302 and reply.headers["Location"] == "/_emulator/blob/100?fault=redirect-loop"


def test_ignored_range(emu):
    url = f"{emu.base_url}/_emulator/blob/1000"
    assert get(url, headers={"Range": "bytes=10-"}).status == 206
    reply = get(url + "?fault=ignore-range", headers={"Range": "bytes=10-"})
    assert reply.status == 200 and reply.body == media.blob_bytes(0, 1000)
    assert emu.requests()[-1]["range"] == "bytes=10-"


def test_etag_changes_between_requests(emu):
    url = f"{emu.base_url}/_emulator/blob/1000?fault=etag-change"
    first = get(url)
    second = get(url)
    assert first.headers["ETag"] != second.headers["ETag"]
    resumed = get(url, headers={"Range": "bytes=10-", "If-Range": first.headers["ETag"]})
    assert resumed.status == 200 and resumed.body == media.blob_bytes(0, 1000)


def test_expire_on_the_cdn(emu):
    vid = submit(emu).json()["id"]
    url = emu.signed_url(f"{vid}.mp4")
    set_faults(emu, [{"fault": "expire", "origin": "cdn", "count": 1}])
    assert get(url, headers={}).status == 403
    assert get(url, headers={}).status == 200


# --- hostile bodies -------------------------------------------------------------------------------------------------

def test_oversized_body(emu):
    reply = get(f"{emu.base_url}/_emulator/blob/1?fault=oversize:2")
    assert len(reply.body) == 2 * 1024 * 1024 and json.loads(reply.body)["status"] == "in_progress"
    data, _ = raw(emu, "/_emulator/blob/1?fault=oversize-chunked:1")
    status, headers, body = split(data)
    assert headers.get("transfer-encoding") == "chunked" and "content-length" not in headers
    assert body.endswith(b"0\r\n\r\n") and len(body) > 1024 * 1024


def test_malformed_bodies(emu):
    truncated = get(f"{emu.base_url}/_emulator/blob/1?fault=json-truncated")
    assert truncated.status == 200
    with pytest.raises(ValueError):
        json.loads(truncated.body)
    html = get(f"{emu.base_url}/_emulator/blob/1?fault=html-502")
    assert html.status == 502 and html.headers["Content-Type"] == "text/html" and b"Bad Gateway" in html.body
    deep = get(f"{emu.base_url}/_emulator/blob/1?fault=deep-json:100000")
    assert deep.body == b"[" * 100000 + b"]" * 100000


def test_faults_combine_and_reset_clears(emu):
    data, _ = raw(emu, "/_emulator/blob/5000?fault=truncate:100,etag-change", headers={"Range": "bytes=0-"})
    status, headers, body = split(data)
    assert status == 206 and "-changed-" in headers["etag"] and len(body) == 100
    set_faults(emu, [{"fault": "status:503"}])
    assert get(f"{emu.base_url}/_emulator/health", headers={}).status == 200   # harness routes are exempt
    assert post_json(f"{emu.base_url}/_emulator/reset", {}, headers={}).status == 200
    assert get(f"{emu.base_url}/_emulator/faults", headers={}).json()["faults"] == []
