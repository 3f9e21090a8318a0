"""Hostile server: redirects to other schemes, other origins, and redirects of a submit (issue 12, point 4).

Polls and downloads get a 302, submits a 307 or 308 (the codes that keep the method and body). The server records
every request that arrives, on the configured origin (``main``) and on a second origin (``localhost`` on another
port), and counts connections to a trap port (the ``ftp:`` target).

====================================================  ===========================  ====================
Location                                               submit (307, 308)            poll, download (302)
====================================================  ===========================  ====================
``file:///etc/passwd``                                 INSECURE                     INSECURE
``ftp://127.0.0.1:<trap>/etc/passwd``                  INSECURE, trap untouched     INSECURE, trap untouched
``http://localhost:<other>/...`` (another origin)      INSECURE, nothing arrives    OK, no key there
``HTTP://localhost:<other>/...`` (upper-case scheme)   INSECURE, nothing arrives    OK, no key there
``http://127.0.0.1:<same port>/...`` (same origin)     see below                    -
``HTTP://127.0.0.1:<same port>/...``                   see below                    OK
====================================================  ===========================  ====================

A submit's 307/308 on the same origin either re-sends the SAME body (same bytes, same Content-Type) to the new
location and succeeds (OK), or is refused (PROTOCOL or INSECURE) with nothing re-sent; it is never re-sent empty,
as a GET, or to another origin. Everything that reaches the second origin carries no credential header and no
trace of the key, and the key did reach the configured origin (so the check is not vacuous).
"""

from __future__ import annotations

import pytest

from hostile_client import API_KEY
from hostile_server import HostileServer, Seen
from hostile_support import Case, problems, run_lanes

pytestmark = pytest.mark.hostile

#: Header names whose values are credentials (OriginPolicy.credentialHeaders).
CREDENTIAL_HEADERS = {"authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie"}

#: The acceptable codes of a submit's same-origin 307/308: re-sent with the same body, or refused.
RESEND_OR_REFUSE = ("OK", "PROTOCOL", "INSECURE")

CASES = [
    *(Case(kind, "redirect-302:file", ("INSECURE",)) for kind in ("poll", "download")),
    *(Case(kind, "redirect-302:ftp", ("INSECURE",)) for kind in ("poll", "download")),
    *(Case(kind, "redirect-302:other", ("OK",)) for kind in ("poll", "download")),
    *(Case(kind, "redirect-302:other-upper", ("OK",)) for kind in ("poll", "download")),
    *(Case(kind, "redirect-302:same-upper", ("OK",)) for kind in ("poll", "download")),
    *(Case("submit", f"redirect-{status}:{where}", ("INSECURE",))
      for status in ("307", "308") for where in ("file", "ftp", "other", "other-upper")),
    *(Case("submit", f"redirect-{status}:{where}", RESEND_OR_REFUSE)
      for status in ("307", "308") for where in ("same", "same-upper")),
]


@pytest.fixture(scope="module")
def redirect_run(tmp_path_factory):
    lanes = [[case for case in CASES if case.kind == kind] for kind in ("submit", "poll", "download")]
    with HostileServer() as server:
        results = run_lanes(server, str(tmp_path_factory.mktemp("redirects")), lanes)
    return server, results


def _leaks(seen: Seen) -> list[str]:
    found = [f"{name}: ..." for name, _ in seen.headers if name.lower() in CREDENTIAL_HEADERS]
    if any(API_KEY in value for _, value in seen.headers) or API_KEY.encode() in seen.body:
        found.append("the key itself")
    return found


def _origin_checks(case: Case, server: HostileServer, result: dict) -> list[str]:
    found: list[str] = []
    where = case.case.split(":", 1)[1]
    seen = [entry for entry in server.seen(case.case) if entry.kind == case.kind]
    first = [entry for entry in seen if entry.listener == "main" and "/landing/" not in entry.target]
    if not first:
        return [f"the first request never arrived: {seen}"]
    if first[0].header("Authorization") != f"Bearer {API_KEY}":
        found.append("the configured origin did not get the key")
    for entry in seen:
        if entry.listener != "main" and _leaks(entry):
            found.append(f"{entry.method} {entry.target} on the other origin carried {_leaks(entry)}")
    if where == "file":  # (the ftp: location points at the trap: anything that follows it is counted there)
        strays = server.strays()
        if strays:
            found.append(f"{len(strays)} request(s) for {sorted({e.target for e in strays})} arrived over http "
                         f"(with the key: {any(_leaks(e) for e in strays)}) while the file: redirects ran: the "
                         "location was followed as a path on the service")
    trapped = server.trapped(f"{case.case}/{case.kind}")
    if trapped:
        found.append(f"{trapped} connection(s) reached the ftp trap")
    landed = [entry for entry in seen if "/landing/" in entry.target]
    if case.kind == "submit":
        if where.startswith("other") and landed:
            found.append(f"the submit was re-sent to another origin: {[(e.method, len(e.body)) for e in landed]}")
        if where.startswith("same"):
            if result.get("code_name") == "OK":
                if len(landed) != 1:
                    found.append(f"OK without exactly one re-sent submit: {[(e.method, e.target) for e in landed]}")
                for entry in landed:
                    if entry.listener != "main" or entry.method != "POST":
                        found.append(f"re-sent as {entry.method} to {entry.listener}")
                    if entry.body != first[0].body:
                        found.append(f"re-sent with a different body ({len(entry.body)} bytes, not "
                                     f"{len(first[0].body)})")
                    if entry.header("Content-Type") != first[0].header("Content-Type"):
                        found.append("re-sent with another Content-Type")
            elif landed:
                found.append(f"refused, yet re-sent: {[(e.method, len(e.body)) for e in landed]}")
    elif case.expect == ("OK",) and result.get("code_name") == "OK" and len(landed) != 1:
        found.append(f"the redirect target got {len(landed)} requests")
    return found


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_redirect(redirect_run, case):
    server, results = redirect_run
    result = results[case.name]
    found = problems(case, result) + _origin_checks(case, server, result)
    assert not found, f"{case.name}: " + "; ".join(found)
