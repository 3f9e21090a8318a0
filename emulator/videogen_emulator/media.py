"""Media bodies (the sample MP4, tasks' own videos, synthetic blobs) and Range/ETag handling.

:func:`serve` turns a :class:`MediaSource` plus the request's ``Range`` and
``If-Range`` headers into a 200, 206 or 416 :class:`Response`. The API content
route, the CDN and the blob route all use it.
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .errors import openai_error
from .messages import Request, Response

CHUNK = 64 * 1024
SAMPLE_PATH = Path(__file__).with_name("assets") / "sample.mp4"
#: The other assets of a completed video (``GET /v1/videos/{id}/content?variant=...``): JPEGs of the sample's frames.
VARIANT_PATHS = {"thumbnail": SAMPLE_PATH.with_name("thumbnail.jpg"),
                 "spritesheet": SAMPLE_PATH.with_name("spritesheet.jpg")}

# Blob content: byte i is PATTERN[i % PERIOD]. The period is prime, so it never
# lines up with power-of-two chunk sizes and misplaced resume offsets show up.
PERIOD = 65521


def _make_pattern() -> bytes:
    out = bytearray()
    block = b"videogen-emulator-blob"
    while len(out) < PERIOD:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:PERIOD])


PATTERN = _make_pattern()
_TILED = PATTERN * (1 + (PERIOD + CHUNK) // PERIOD)


def blob_bytes(offset: int, length: int) -> bytes:
    """Return ``length`` bytes of the deterministic blob content starting at ``offset``."""
    out = bytearray()
    while length > 0:
        n = min(length, CHUNK)
        start = offset % PERIOD
        out += _TILED[start:start + n]
        offset += n
        length -= n
    return bytes(out)


@dataclass(frozen=True)
class MediaSource:
    """A readable body: ``read(start, end)`` yields bytes ``start..end-1`` in chunks."""

    size: int
    etag: str                  # strong ETag, quoted
    last_modified: str         # HTTP-date
    content_type: str
    read: Callable[[int, int], Iterator[bytes]]


def bytes_source(data: bytes, content_type: str, modified: float) -> MediaSource:
    """A source serving an in-memory byte string (ETag from its SHA-256)."""
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'

    def read(start: int, end: int) -> Iterator[bytes]:
        for pos in range(start, end, CHUNK):
            yield data[pos:min(end, pos + CHUNK)]

    return MediaSource(len(data), etag, email.utils.formatdate(modified, usegmt=True),
                       content_type, read)


def blob_source(size: int, modified: float) -> MediaSource:
    """A source of ``size`` deterministic bytes, generated chunk by chunk."""

    def read(start: int, end: int) -> Iterator[bytes]:
        for pos in range(start, end, CHUNK):
            yield blob_bytes(pos, min(end, pos + CHUNK) - pos)

    return MediaSource(size, f'"blob-{size}-{PERIOD}"', email.utils.formatdate(modified, usegmt=True),
                       "application/octet-stream", read)


@functools.lru_cache(maxsize=256)
def _video_pattern(task_id: str) -> bytes:
    """The period of a task's own video: a SHA-256 chain seeded by the task id, ``PERIOD`` bytes long."""
    out = bytearray()
    block = b"videogen-emulator-video\0" + task_id.encode("utf-8", "surrogatepass")
    while len(out) < PERIOD:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:PERIOD]) * (1 + (PERIOD + CHUNK) // PERIOD)


def task_video_bytes(task_id: str, offset: int, length: int) -> bytes:
    """``length`` bytes of task ``task_id``'s own video from ``offset``: byte i is the task's pattern at
    i % PERIOD, so two tasks' videos differ everywhere and a resume at a wrong offset shows."""
    tiled = _video_pattern(task_id)
    out = bytearray()
    while length > 0:
        n = min(length, CHUNK)
        start = offset % PERIOD
        out += tiled[start:start + n]
        offset += n
        length -= n
    return bytes(out)


@functools.lru_cache(maxsize=4096)
def task_video_sha256(task_id: str, size: int) -> str:
    """The hex SHA-256 of task ``task_id``'s own video of ``size`` bytes."""
    digest = hashlib.sha256()
    for pos in range(0, size, 1 << 20):
        digest.update(task_video_bytes(task_id, pos, min(size, pos + (1 << 20)) - pos))
    return digest.hexdigest()


def task_video_source(task_id: str, size: int, modified: float) -> MediaSource:
    """A task's own video (the ``video_bytes`` setting): ``size`` bytes that depend on the task id, with a strong
    ETag naming both."""

    def read(start: int, end: int) -> Iterator[bytes]:
        for pos in range(start, end, CHUNK):
            yield task_video_bytes(task_id, pos, min(end, pos + CHUNK) - pos)

    tag = hashlib.sha256(task_id.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return MediaSource(size, f'"video-{tag}-{size}"', email.utils.formatdate(modified, usegmt=True),
                       "video/mp4", read)


def load_sample(modified: float) -> MediaSource:
    """The bundled ``assets/sample.mp4`` as a ``video/mp4`` source."""
    return bytes_source(SAMPLE_PATH.read_bytes(), "video/mp4", modified)


def load_variants(modified: float) -> dict[str, MediaSource]:
    """The bundled ``thumbnail.jpg`` and ``spritesheet.jpg`` as ``image/jpeg`` sources, by variant name."""
    return {name: bytes_source(path.read_bytes(), "image/jpeg", modified) for name, path in VARIANT_PATHS.items()}


_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """Parse a single-range ``Range`` header against a body of ``size`` bytes.

    Returns ``(start, end_exclusive)``, ``"unsatisfiable"``, or None when the
    header is absent, malformed or asks for several ranges (then the whole
    body is sent, as RFC 9110 allows).
    """
    if header is None:
        return None
    match = _RANGE.match(header)
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:                                   # bytes=-n : the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - n), size
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    end = size if not last else min(size, int(last) + 1)
    return start, end


def serve(req: Request, source: MediaSource) -> Response:
    """Answer a GET for ``source`` honouring ``Range`` and ``If-Range``."""
    headers = [("ETag", source.etag), ("Accept-Ranges", "bytes"),
               ("Last-Modified", source.last_modified)]
    wanted = parse_range(req.header("Range"), source.size)
    if_range = req.header("If-Range")
    if wanted is not None and if_range is not None \
            and if_range.strip() not in (source.etag, source.last_modified):
        wanted = None                               # validator changed: send the whole body
    if wanted == "unsatisfiable":
        response = openai_error(416, f"Requested range not satisfiable (size {source.size}).",
                                param="range", code="range_not_satisfiable")
        response.headers += headers + [("Content-Range", f"bytes */{source.size}")]
        return response
    status, (start, end) = (200, (0, source.size)) if wanted is None else (206, wanted)
    if status == 206:
        headers.append(("Content-Range", f"bytes {start}-{end - 1}/{source.size}"))
    return Response(status=status, content_type=source.content_type, headers=headers,
                    chunks=lambda: source.read(start, end), length=end - start)
