"""Hostile server: heads that are legal but unusual, or complete and malformed (issue 12, point 4).

=========================================================  ========  ========  ========
case                                                        submit    poll      download
=========================================================  ========  ========  ========
status line without a reason phrase (``HTTP/1.1 200``)      OK        OK        OK
base_url spelled ``HTTP://127.0.0.1:<port>/...``            OK        OK        OK
an obs-fold header line (a line starting with spaces)       PROTOCOL  PROTOCOL  PROTOCOL
=========================================================  ========  ========  ========

The reason phrase is optional (RFC 9112 §4) and URL schemes are case-insensitive (RFC 3986 §3.1): both must work,
and the upper-case base URL is still the configured origin (it gets the key). Line folding is obsolete and must be
refused (RFC 9112 §5.2 allows a client to reject it): a clean ``PROTOCOL`` error, no crash, no guess.
"""

from __future__ import annotations

import pytest

from hostile_client import API_KEY
from hostile_server import HostileServer
from hostile_support import KINDS, Case, problems, run_lanes

pytestmark = pytest.mark.hostile

CASES = [
    *(Case(kind, "noreason", ("OK",)) for kind in KINDS),
    *(Case(kind, "upper", ("OK",), scheme="HTTP") for kind in KINDS),
    *(Case(kind, "obsfold", ("PROTOCOL",)) for kind in KINDS),
]


@pytest.fixture(scope="module")
def head_run(tmp_path_factory):
    with HostileServer() as server:
        results = run_lanes(server, str(tmp_path_factory.mktemp("heads")), [CASES])
    return server, results


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_head(head_run, case):
    server, results = head_run
    found = problems(case, results[case.name])
    if case.case == "upper":
        arrived = [entry for entry in server.seen(case.case) if entry.kind == case.kind]
        if not arrived:
            found.append("no request arrived")
        elif arrived[0].header("Authorization") != f"Bearer {API_KEY}":
            found.append("the configured origin, spelled HTTP://, did not get the key")
    assert not found, f"{case.name}: " + "; ".join(found)
