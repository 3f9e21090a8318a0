"""Hostile server: the answer to each request kind cut at every byte offset (issue 12, point 4).

The server sends the first ``k`` bytes of the canonical answer (hostile_server.canonical: a 200 with a ~170-byte
head and a 149 to 256-byte body, ``Content-Length`` framing) and closes the connection, for every ``k`` from 0 to
the whole answer. The expectation, per region of the answer:

=========================  ===================  =========  ==========
region of the cut           submit               poll       download
=========================  ===================  =========  ==========
status line (k = 0 ... 16)  UNKNOWN_OUTCOME      NETWORK    NETWORK
headers (up to the blank)   UNKNOWN_OUTCOME      NETWORK    NETWORK
body (head complete)        UNKNOWN_OUTCOME      NETWORK    NETWORK
nothing cut (k = length)    OK                   OK         OK
=========================  ===================  =========  ==========

A cut is a lost connection wherever it falls: the bytes before it were a valid prefix, so it is never
``PROTOCOL`` (that is for heads that are complete and malformed, test_hostile_heads.py). A submit whose request
went out may have created the task: ``UNKNOWN_OUTCOME``, never retried. A failed download leaves neither the
destination nor a part file (the server gives no validator to resume from). Every call returns within its timeout
plus one second, and never crashes (each runs in a forked worker; a crashed worker costs one offset and a new one
goes on).
"""

from __future__ import annotations

import pytest

from hostile_server import HostileServer, canonical, head_regions
from hostile_support import KINDS, Case, describe, problems, ranges, run_lanes

pytestmark = pytest.mark.hostile

#: What a cut that is not at the very end gives, by request kind.
CUT_CODE = {"submit": "UNKNOWN_OUTCOME", "poll": "NETWORK", "download": "NETWORK"}


def cases(kind: str) -> list[Case]:
    """Every offset of ``kind``'s answer, the whole answer included."""
    whole = len(canonical(kind))
    return [Case(kind, f"cut-{k}", ("OK",) if k == whole else (CUT_CODE[kind],)) for k in range(whole + 1)]


@pytest.fixture(scope="module")
def cut_results(tmp_path_factory):
    with HostileServer() as server:
        lanes = [cases(kind) for kind in KINDS]
        results = run_lanes(server, str(tmp_path_factory.mktemp("cuts")), lanes)
    return {case.name: (case, results[case.name]) for lane in lanes for case in lane}


def _offsets(kind: str, region: str) -> list[int]:
    if region == "complete":
        return [len(canonical(kind))]
    return list(head_regions(kind)[region])


@pytest.mark.parametrize("region", ("status", "headers", "body", "complete"))
@pytest.mark.parametrize("kind", KINDS)
def test_cut_at_every_offset(cut_results, kind, region):
    failed: dict[str, list[int]] = {}
    for offset in _offsets(kind, region):
        case, result = cut_results[f"{kind}:cut-{offset}"]
        for problem in problems(case, result):
            failed.setdefault(problem[:240], []).append(offset)
    report = [f"offsets {ranges(offsets)}: {problem}" for problem, offsets in failed.items()]
    assert not failed, f"{kind}, cut in the {region}:\n" + "\n".join(report[:12])


def test_regions_cover_the_answer():
    """The regions partition each answer, so every offset is tested against one expectation."""
    for kind in KINDS:
        regions = head_regions(kind)
        covered = [k for region in regions.values() for k in region]
        assert covered == list(range(len(canonical(kind))))
        assert len(regions["status"]) == len(b"HTTP/1.1 200 OK\r\n")
        assert canonical(kind)[regions["body"].start - 4:regions["body"].start] == b"\r\n\r\n"


def test_describe_names_a_crash():
    """A crashed worker is reported with its signal and the start of its stderr."""
    text = describe({"code": None, "crash": "SIGILL", "stderr": "Fatal error: Transfer completed\n"})
    assert text.startswith("CRASH (SIGILL) Fatal error: Transfer completed")


def test_the_runner_survives_crashes_and_hangs(tmp_path):
    """A worker that dies by a signal or hangs costs its own case only: the cases after it still run, in a new
    worker. (So a crash of the library shows as a failed case, and the passes around it are real.)"""
    import json
    import subprocess
    import sys

    from hostile_support import CLIENT, PYTHON_DIR

    with HostileServer() as server:
        ok = Case("poll", "ok", ("OK",)).job(server, str(tmp_path))
        cases = [dict(ok, name="abort", kind="selftest-abort"), dict(ok, name="first"),
                 dict(ok, name="hang", kind="selftest-hang", hard_limit=1.0), dict(ok, name="second")]
        done = subprocess.run([sys.executable, CLIENT], input=json.dumps({"cases": cases}), capture_output=True,
                              text=True, timeout=120, env={**__import__("os").environ, "PYTHONPATH": PYTHON_DIR})
    assert done.returncode == 0, done.stderr
    results = {r["name"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert list(results) == ["abort", "first", "hang", "second"]
    assert (results["abort"]["code_name"], results["abort"]["crash"]) == ("CRASH", "SIGABRT")
    assert results["hang"]["code_name"] == "HUNG" and results["hang"]["hung"]
    assert results["first"]["code_name"] == results["second"]["code_name"] == "OK"
