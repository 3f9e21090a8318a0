"""Hostile server: bodies that never end or explode when decoded (issue 12, point 4).

Each heavy case runs alone in a forked worker whose peak resident set must stay within ``max_response_bytes`` +
16 MiB of the baseline (the same kind of call to a well-behaved server, measured the same way), and returns within
its timeout + 1 s.

===========================================  ===============  ===============  ==================================
case                                          submit           poll             download
===========================================  ===============  ===============  ==================================
200, chunked body without end                 TOO_LARGE        TOO_LARGE        TOO_LARGE (max_download_bytes)
gzip bomb: 2 MiB of gzip -> 2 GiB, chunked    TOO_LARGE        TOO_LARGE
deflate bomb: 2 MiB of deflate -> 2 GiB       TOO_LARGE        TOO_LARGE
gzip / deflate bomb on the video, with its                                      OK, the file holds the 2 MiB as
Content-Length (encoded size)                                                   sent (not decoded)
honest gzip video (asked for identity)                                          OK, the file holds the gzip bytes
500 with a chunked body without end           SERVER (500)     SERVER (500)     SERVER (500)
===========================================  ===============  ===============  ==================================

The bombs on JSON answers run with ``max_response_bytes`` = 1 MiB, less than the bomb's encoded size, so the
expectation is the same whether the transport decodes answers (and caps the decoded bytes) or hands them over as
sent (and caps those): ``TOO_LARGE`` either way, never 2 GiB in memory. Downloads ask for ``Accept-Encoding:
identity``; a server that encodes anyway gets its bytes stored as sent, and the sizes (``Content-Length``, the
size check, the SHA-256) are those of the bytes written: the download must not fail because a decoder changed the
length. A 500's body is an error body: read up to a small cap and dropped, and the call reports the 500, at once,
not after reading for the whole timeout.
"""

from __future__ import annotations

import pytest

from hostile_server import HostileServer, MiB, bomb, gzip_video
from hostile_support import KINDS, Case, baselines, options, problems, run_lanes

pytestmark = pytest.mark.hostile

SMALL_CAP = options(max_response_bytes=1 * MiB)

CASES = [
    *(Case(kind, "endless", ("TOO_LARGE",), isolate=True) for kind in KINDS),
    *(Case(kind, f"bomb-{encoding}", ("TOO_LARGE",), config=SMALL_CAP, isolate=True)
      for kind in ("submit", "poll") for encoding in ("gzip", "deflate")),
    *(Case("download", f"bombdownload-{encoding}", ("OK",), isolate=True, file=bomb(encoding))
      for encoding in ("gzip", "deflate")),
    Case("download", "gzipdownload", ("OK",), file=gzip_video()),
    *(Case(kind, "error500endless", ("SERVER",), isolate=True, http_status=500) for kind in KINDS),
]


@pytest.fixture(scope="module")
def body_results(tmp_path_factory):
    lanes = [[base] + [case for case in CASES if case.kind == base.kind] for base in baselines()]
    with HostileServer() as server:
        return run_lanes(server, str(tmp_path_factory.mktemp("bodies")), lanes)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_body(body_results, case):
    baseline = body_results[f"{case.kind}:ok"]
    assert baseline["code_name"] == "OK", baseline
    found = problems(case, body_results[case.name], baseline)
    assert not found, f"{case.name}: " + "; ".join(found)


def test_bombs_are_bombs():
    """The bombs decode to 2 GiB from about 2 MiB (checked by decoding a prefix at a bounded cost)."""
    import zlib
    for encoding, wbits in (("gzip", 31), ("deflate", 15)):
        data = bomb(encoding)
        assert 1.9 * MiB < len(data) < 2.2 * MiB
        decoder = zlib.decompressobj(wbits)
        decoded = len(decoder.decompress(data[:64 * 1024], 256 * MiB))
        assert decoded >= 60 * MiB, "64 KiB of the bomb decode to at least 60 MiB"
