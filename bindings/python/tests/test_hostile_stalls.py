"""Hostile server: answers that crawl, never come, or never get past interim answers (issue 12, point 4).

Every call must return within its timeout (``request_timeout`` = 2 s for a submit or a poll, ``stall_timeout``
= 2 s for a download's single attempt) plus 1 s, whatever the server does; a server that keeps a connection busy
cannot stretch a control request's whole duration.

=============================================  ===============  ========  ==========
case                                            submit           poll      download
=============================================  ===============  ========  ==========
the whole answer at 1 byte/s, from its first    UNKNOWN_OUTCOME  TIMEOUT   TIMEOUT
the head at once, the body at 1 byte/s          UNKNOWN_OUTCOME  TIMEOUT   TIMEOUT
silent: reads the request, never answers        UNKNOWN_OUTCOME  TIMEOUT   TIMEOUT
``100 Continue`` answers without end (fast)     PROTOCOL         PROTOCOL  PROTOCOL
=============================================  ===============  ========  ==========

A submit that got no complete answer may have created the task: ``UNKNOWN_OUTCOME``, not retried. A download
dripping at 1 B/s is under ``min_download_rate`` (2048 B/s) over ``stall_timeout``: a stall. A flood of interim
answers is a head that never ends: refused as a protocol violation once the head cap is passed (a server that
sends only ``1xx`` is not speaking HTTP), in bounded memory (the flood runs alone and its peak memory is checked).
"""

from __future__ import annotations

import pytest

from hostile_server import HostileServer
from hostile_support import KINDS, Case, baselines, problems, run_lanes

pytestmark = pytest.mark.hostile

SLOW = {"submit": "UNKNOWN_OUTCOME", "poll": "TIMEOUT", "download": "TIMEOUT"}

CASES = [
    *(Case(kind, behaviour, (SLOW[kind],)) for behaviour in ("drip", "dripbody", "silent") for kind in KINDS),
    *(Case(kind, "continueflood", ("PROTOCOL",), isolate=True) for kind in KINDS),
]


@pytest.fixture(scope="module")
def stall_results(tmp_path_factory):
    # The slow cases mostly wait: one lane per behaviour, plus the floods after their baselines.
    lanes = [[case for case in CASES if case.case == behaviour] for behaviour in ("drip", "dripbody", "silent")]
    lanes.append(baselines() + [case for case in CASES if case.case == "continueflood"])
    with HostileServer() as server:
        return run_lanes(server, str(tmp_path_factory.mktemp("stalls")), lanes)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_stall(stall_results, case):
    baseline = stall_results[f"{case.kind}:ok"]
    assert baseline["code_name"] == "OK", baseline
    found = problems(case, stall_results[case.name], baseline)
    assert not found, f"{case.name}: " + "; ".join(found)
