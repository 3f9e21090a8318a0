"""Request and response values passed between the server and the route functions.

Route functions receive a :class:`Request` and return a :class:`Response`
(or raise :class:`HttpError` carrying one, or return a :class:`Hold` to answer later).
Only the server engines (:mod:`.server`, :mod:`.aserver`) touch sockets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping


@dataclass
class Request:
    """One parsed HTTP request.

    ``headers`` is case-insensitive (an ``email.message.Message`` from
    ``http.server``); ``query`` maps each query parameter to its last value;
    ``body`` holds the whole (already size-checked) request body.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: Any
    body: bytes
    origin: str

    def header(self, name: str) -> str | None:
        """Return the value of header ``name`` (case-insensitive), or None."""
        value = self.headers.get(name)
        return None if value is None else str(value)

    @property
    def content_type(self) -> str:
        """The media type of the body, lower-cased, without parameters ('' if absent)."""
        value = self.header("Content-Type") or ""
        return value.split(";", 1)[0].strip().lower()


@dataclass
class Response:
    """An HTTP response.

    Either ``body`` holds the whole payload, or ``chunks`` is a callable
    returning an iterator of byte chunks whose total size is ``length``
    (used for media, so large bodies are never built in memory).
    ``Content-Length`` is always added by the server. ``logged=False`` keeps
    the request out of the request log (harness plumbing such as reset).
    """

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    chunks: Callable[[], Iterable[bytes]] | None = None
    length: int | None = None
    close: bool = False
    logged: bool = True

    @property
    def content_length(self) -> int:
        """The number of body bytes the server will send."""
        return self.length if self.chunks is not None and self.length is not None else len(self.body)


@dataclass
class Hold:
    """A route's answer that is not ready yet: wait ``seconds`` (or until the emulator stops), then call ``then``
    for the :class:`Response` (it may raise :class:`HttpError`). The server waits without blocking a thread or
    its event loop (chat completions hold their answer until the video is done)."""

    seconds: float
    then: Callable[[], "Response"]


class HttpError(Exception):
    """Raised by route helpers to stop processing and send ``response``."""

    def __init__(self, response: Response) -> None:
        super().__init__(f"HTTP {response.status}")
        self.response = response


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
    """Build a JSON response with compact UTF-8 encoding."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(status=status, body=body, headers=list((headers or {}).items()))
