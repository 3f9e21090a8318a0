"""Fault injection: make chosen requests fail in the ways real networks and providers fail.

A fault is selected per request by the ``X-Emulator-Fault`` header or the ``?fault=`` query parameter, or by
rules installed with ``POST /_emulator/control`` (``{"faults": [...], "fault_seed": 7}``) or
``POST /_emulator/faults``. With no header, no query parameter and no rule, nothing changes.

Fault specs (combine several with ``,``, e.g. ``truncate:1048576,ignore-range``)::

    status:CODE[:S]       an error answer with that status (OpenAI error shape), with Retry-After: S if given
    retry-after:S         429 with Retry-After: S (seconds)
    retry-after-date:S    429 with Retry-After as an HTTP date S seconds from now
    retry-after-ms:MS     429 with retry-after-ms: MS (no Retry-After)
    reset                 the request is read, then the connection is reset (RST) before any answer byte
    commit-drop           the route runs (a submit creates its task), then the connection is reset, no answer
    reset-after:N         the headers and N body bytes, then a reset
    truncate:N            Content-Length of the whole body, N bytes, then a clean close
    stall:S               no byte for S seconds, then the normal answer
    stall-after:N:S       the headers and N body bytes, S seconds of silence, then the rest
    drip:BPS              the body at BPS bytes per second
    redirect              302 to the second (CDN) origin: a signed /files URL for /v1/videos/{id}/content,
                          the same path and query (without ``fault``) otherwise
    redirect-loop         302 to the very same URL, every time
    ignore-range          Range and If-Range are ignored: 200 with the whole body
    etag-change           a different ETag on every answer, so If-Range never matches
    expire                403 AccessDenied, as a CDN answers an expired signed URL
    oversize:MIB          200 with a valid JSON body of MIB MiB (Content-Length given)
    oversize-chunked:MIB  the same, chunked, without Content-Length
    json-truncated        200 with a JSON body cut short (Content-Length matches what is sent)
    html-502              502 with an HTML page, as proxies answer
    deep-json:N           200 with a JSON body nested N arrays deep

A rule is ``{"fault": SPEC, "match": "/v1/videos/", "method": "GET", "origin": "api", "rate": 0.2,
"count": 5, "skip": 0}``: it applies to requests whose path contains ``match`` (default: every path), of that
method and origin (default: any), after skipping the first ``skip`` matching ones, with probability ``rate``
(default 1) drawn from a random generator seeded by ``fault_seed`` (default 0) and the rule's index, at most
``count`` times (default: unlimited). Every matching rule may fire; when two set the same aspect the first wins.
Harness routes (``/_emulator/...`` except ``/_emulator/blob/``) are never faulted by rules.

Faulted requests appear in the request log with a ``fault`` member naming the spec.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

from .errors import openai_error
from .messages import Request, Response, json_response

MAX_RULES = 64
MAX_SECONDS = 3600.0
MAX_MIB = 1024
MAX_DEPTH = 10_000_000

_NO_ARG = ("reset", "commit-drop", "redirect", "redirect-loop", "ignore-range", "etag-change", "expire",
           "json-truncated", "html-502")
_ONE_ARG = ("retry-after", "retry-after-date", "retry-after-ms", "reset-after", "truncate", "stall", "drip",
            "oversize", "oversize-chunked", "deep-json")
KINDS = ("status", "stall-after") + _NO_ARG + _ONE_ARG

HTML_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
            b"</body>\r\n</html>\r\n")


def _number(text: str, kind: str, *, integer: bool = True, low: float = 0, high: float = 1 << 40) -> float:
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise ValueError(f"fault {kind}: {text!r} is not a{'n integer' if integer else ' number'}") from None
    if not low <= value <= high:
        raise ValueError(f"fault {kind}: {value} is outside {low:g}..{high:g}")
    return value


@dataclass(frozen=True)
class Fault:
    """One parsed fault: its kind and arguments, and the spec text it came from."""

    kind: str
    args: tuple[float, ...]
    text: str

    @staticmethod
    def parse(text: str) -> "Fault":
        """Parse one spec such as ``status:503`` or ``stall-after:1024:5``; ValueError if invalid."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("a fault must be a non-empty string")
        text = text.strip()
        kind, *rest = text.split(":")
        kind = kind.lower()
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)}")
        if kind in _NO_ARG:
            if rest:
                raise ValueError(f"fault {kind} takes no argument")
            return Fault(kind, (), text)
        if kind == "status":
            if len(rest) not in (1, 2):
                raise ValueError("fault status takes CODE or CODE:RETRY_AFTER_SECONDS")
            args = (_number(rest[0], kind, low=100, high=599),)
            if len(rest) == 2:
                args += (_number(rest[1], kind, integer=False, high=1e9),)
            return Fault(kind, args, text)
        if kind == "stall-after":
            if len(rest) != 2:
                raise ValueError("fault stall-after takes BYTES:SECONDS")
            return Fault(kind, (_number(rest[0], kind),
                                _number(rest[1], kind, integer=False, high=MAX_SECONDS)), text)
        if len(rest) != 1:
            raise ValueError(f"fault {kind} takes one argument")
        limits = {"stall": (False, 0, MAX_SECONDS), "drip": (False, 1, 1 << 40),
                  "oversize": (False, 0, MAX_MIB), "oversize-chunked": (False, 0, MAX_MIB),
                  "deep-json": (True, 1, MAX_DEPTH), "retry-after": (False, 0, 1e9),
                  "retry-after-date": (True, -1e9, 1e9), "retry-after-ms": (False, 0, 1e12)}
        integer, low, high = limits.get(kind, (True, 0, 1 << 40))
        return Fault(kind, (_number(rest[0], kind, integer=integer, low=low, high=high),), text)


def parse_specs(text: str) -> list[Fault]:
    """Parse a comma-separated list of specs."""
    return [Fault.parse(part) for part in text.split(",") if part.strip()]


@dataclass
class Rule:
    """A configured fault rule (see the module documentation)."""

    faults: list[Fault]
    match: str = ""
    method: str | None = None
    origin: str | None = None
    rate: float = 1.0
    count: int | None = None
    skip: int = 0
    seen: int = 0
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random)

    @staticmethod
    def parse(obj: Any, index: int, seed: int) -> "Rule":
        """Validate one rule object; ValueError if it is not valid."""
        if not isinstance(obj, dict):
            raise ValueError(f"faults[{index}] must be an object")
        unknown = set(obj) - {"fault", "match", "method", "origin", "rate", "count", "skip"}
        if unknown:
            raise ValueError(f"faults[{index}]: unknown member {sorted(unknown)[0]!r}")
        faults = parse_specs(obj.get("fault", "")) if isinstance(obj.get("fault"), str) else []
        if not faults:
            raise ValueError(f"faults[{index}]: 'fault' must be a non-empty spec string")
        match = obj.get("match", "")
        method = obj.get("method")
        origin = obj.get("origin")
        rate = obj.get("rate", 1.0)
        count = obj.get("count")
        skip = obj.get("skip", 0)
        if not isinstance(match, str):
            raise ValueError(f"faults[{index}]: 'match' must be a string")
        if method is not None and not isinstance(method, str):
            raise ValueError(f"faults[{index}]: 'method' must be a string")
        if origin not in (None, "api", "cdn"):
            raise ValueError(f"faults[{index}]: 'origin' must be 'api' or 'cdn'")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"faults[{index}]: 'rate' must be a number in 0..1")
        for name, value in (("count", count), ("skip", skip)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"faults[{index}]: '{name}' must be a non-negative integer")
        return Rule(faults, match, method.upper() if method else None, origin, float(rate), count, skip,
                    rng=random.Random(f"{seed}:{index}"))

    def describe(self) -> dict[str, Any]:
        """The rule as JSON, with how many requests it saw and how often it fired."""
        return {"fault": ",".join(f.text for f in self.faults), "match": self.match, "method": self.method,
                "origin": self.origin, "rate": self.rate, "count": self.count, "skip": self.skip,
                "seen": self.seen, "fired": self.fired}


def is_harness(path: str) -> bool:
    """Harness plumbing that rules never fault (blob downloads are faultable)."""
    return path.startswith("/_emulator/") and not path.startswith("/_emulator/blob/")


class FaultRules:
    """The configured rules of one emulator (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._seed = 0

    def install(self, rules: Any, seed: Any = 0) -> list[dict[str, Any]]:
        """Validate and install ``rules`` (a list), replacing the previous ones; ValueError if invalid."""
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError("fault_seed must be an integer")
        if not isinstance(rules, list) or len(rules) > MAX_RULES:
            raise ValueError(f"faults must be a list of at most {MAX_RULES} rules")
        parsed = [Rule.parse(obj, i, seed) for i, obj in enumerate(rules)]
        with self._lock:
            self._rules, self._seed = parsed, seed
            return [rule.describe() for rule in parsed]

    def describe(self) -> dict[str, Any]:
        """The installed rules and their counters."""
        with self._lock:
            return {"fault_seed": self._seed, "faults": [rule.describe() for rule in self._rules]}

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules = []

    def select(self, method: str, path: str, origin: str) -> list[Fault]:
        """The faults the rules inject into this request (empty for most)."""
        if is_harness(path):
            return []
        chosen: list[Fault] = []
        with self._lock:
            for rule in self._rules:
                if rule.match not in path or (rule.method and rule.method != method) \
                        or (rule.origin and rule.origin != origin):
                    continue
                rule.seen += 1
                if rule.seen <= rule.skip or (rule.count is not None and rule.fired >= rule.count):
                    continue
                if rule.rate < 1 and rule.rng.random() >= rule.rate:
                    continue
                rule.fired += 1
                chosen.extend(rule.faults)
        return chosen


@dataclass
class Plan:
    """What the server does to one request, combined from its faults (the first fault setting an aspect wins)."""

    faults: list[Fault]
    answer: Response | None = None      # replaces the route's answer (route not run)
    reset_before: bool = False          # RST before any answer byte (route not run)
    commit_drop: bool = False           # run the route, then RST
    stall: float = 0.0                  # silence before the status line
    limit: int | None = None            # body bytes to send before closing
    reset_at_limit: bool = False        # RST (True) or FIN (False) at the limit
    pause_at: int | None = None         # body offset of a silence
    pause: float = 0.0
    drip: float | None = None           # bytes per second
    redirect: str | None = None         # "cdn" or "loop"
    ignore_range: bool = False
    etag_change: bool = False
    chunked: bool = False               # send without Content-Length

    @property
    def text(self) -> str:
        """The specs, as logged."""
        return ",".join(f.text for f in self.faults)


def plan(faults: list[Fault], req: Request) -> Plan:
    """Turn the faults chosen for ``req`` into a :class:`Plan`."""
    p = Plan(faults)
    for fault in faults:
        k, a = fault.kind, fault.args
        if k in ("status", "retry-after", "retry-after-date", "retry-after-ms", "expire", "oversize",
                 "oversize-chunked", "json-truncated", "html-502", "deep-json") and p.answer is None:
            p.answer = _answer(fault)
            p.chunked = p.chunked or k == "oversize-chunked"
        elif k == "reset":
            p.reset_before = True
        elif k == "commit-drop":
            p.commit_drop = True
        elif k == "stall" and not p.stall:
            p.stall = a[0]
        elif k in ("reset-after", "truncate") and p.limit is None:
            p.limit, p.reset_at_limit = int(a[0]), k == "reset-after"
        elif k == "stall-after" and p.pause_at is None:
            p.pause_at, p.pause = int(a[0]), a[1]
        elif k == "drip" and p.drip is None:
            p.drip = a[0]
        elif k in ("redirect", "redirect-loop") and p.redirect is None:
            p.redirect = "cdn" if k == "redirect" else "loop"
        elif k == "ignore-range":
            p.ignore_range = True
        elif k == "etag-change":
            p.etag_change = True
    return p


def _status_answer(status: int, retry_after: str | None = None, name: str = "Retry-After") -> Response:
    headers = {} if retry_after is None else {name: retry_after}
    kind = "server_error" if status >= 500 else "invalid_request_error"
    message = f"Injected fault: HTTP {status}."
    code = {429: "rate_limit_exceeded"}.get(status, f"emulated_{status}")
    return openai_error(status, message, code=code, type_=kind, headers=headers)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _answer(fault: Fault) -> Response:
    k, a = fault.kind, fault.args
    if k == "status":
        return _status_answer(int(a[0]), _number_text(a[1]) if len(a) > 1 else None)
    if k == "retry-after":
        return _status_answer(429, _number_text(a[0]))
    if k == "retry-after-date":
        return _status_answer(429, email.utils.formatdate(time.time() + a[0], usegmt=True))
    if k == "retry-after-ms":
        return _status_answer(429, _number_text(a[0]), "retry-after-ms")
    if k == "expire":
        return json_response(403, {"error": "AccessDenied",
                                   "message": "Request has expired or signature is invalid"})
    if k in ("oversize", "oversize-chunked"):
        return _oversize(int(a[0] * 1024 * 1024))
    if k == "json-truncated":
        body = json.dumps({"id": "video_truncated", "object": "video", "status": "in_progress",
                           "progress": 50}).encode()
        return Response(status=200, body=body[:len(body) // 2])
    if k == "html-502":
        return Response(status=502, body=HTML_502, content_type="text/html")
    depth = int(a[0])
    return Response(status=200, chunks=lambda: _nested(depth), length=2 * depth)


def _oversize(size: int) -> Response:
    head, tail = b'{"id":"video_oversize","status":"in_progress","padding":"', b'"}'
    pad = max(0, size - len(head) - len(tail))

    def chunks() -> Iterator[bytes]:
        yield head
        block = b"x" * 65536
        left = pad
        while left > 0:
            yield block[:min(left, len(block))]
            left -= len(block)
        yield tail

    return Response(status=200, chunks=chunks, length=len(head) + pad + len(tail))


def _nested(depth: int) -> Iterator[bytes]:
    for side in (b"[", b"]"):
        left = depth
        while left > 0:
            n = min(left, 65536)
            yield side * n
            left -= n


_FAULT_PARAM = re.compile(r"(^|&)fault=[^&]*")


def without_fault_param(query: str) -> str:
    """A raw query string without its ``fault`` parameter."""
    return _FAULT_PARAM.sub("", query).lstrip("&")


def redirect_answer(emu, req: Request, raw_query: str, mode: str) -> Response:
    """The 302 of a ``redirect`` (to the CDN origin) or ``redirect-loop`` (to itself) fault."""
    if mode == "loop":
        target = req.path + (f"?{raw_query}" if raw_query else "")
        return Response(status=302, body=b"{}", headers=[("Location", target)])
    match = re.match(r"^/v1/videos/([^/]+)/content$", req.path)
    if match and req.origin == "api":
        location = emu.signer.sign(emu.cdn_url, f"{match.group(1)}.mp4", emu.settings.get("url_ttl_seconds"))
    else:
        query = without_fault_param(raw_query)
        location = emu.cdn_url + req.path + (f"?{query}" if query else "")
    return json_response(302, {"redirect": location}, {"Location": location})


class EtagCounter:
    """Numbers the answers of ``etag-change`` faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._n = 0

    def next(self) -> int:
        """The next number."""
        with self._lock:
            self._n += 1
            return self._n


def change_etag(response: Response, n: int) -> None:
    """Give ``response`` a fresh ETag (``"<old>-changed-<n>"``)."""
    for i, (name, value) in enumerate(response.headers):
        if name.lower() == "etag":
            response.headers[i] = (name, value.rstrip('"') + f'-changed-{n}"')


def body_chunks(response: Response) -> Iterator[bytes]:
    """The response body as a stream of chunks."""
    if response.chunks is None:
        if response.body:
            yield response.body
    else:
        yield from response.chunks()


class Idempotency:
    """Deduplicates submits by ``Idempotency-Key``: a repeated key replays the first 2xx answer.

    As in the IETF idempotency-key draft, a repeat while the first is in flight gets 409 and a repeat with a
    different method, path or body gets 422. Only 2xx answers are kept; a failed first attempt frees the key.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[str, Response | None]] = {}

    def begin(self, key: str, fingerprint: str) -> Response | None:
        """Reserve ``key``; returns the answer to send instead of running the route, or None to run it."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._entries[key] = (fingerprint, None)
                return None
        first, answer = entry
        if first != fingerprint:
            return openai_error(422, "Idempotency-Key reused with a different request.",
                                code="idempotency_key_reused")
        if answer is None:
            return openai_error(409, "A request with this Idempotency-Key is still in progress.",
                                code="idempotency_key_in_use")
        return Response(status=answer.status, body=answer.body, content_type=answer.content_type,
                        headers=list(answer.headers) + [("Idempotent-Replayed", "true")])

    def finish(self, key: str, response: Response) -> None:
        """Keep a 2xx answer for replays; forget the key otherwise."""
        with self._lock:
            if 200 <= response.status < 300 and response.chunks is None:
                fingerprint, _ = self._entries.get(key, ("", None))
                self._entries[key] = (fingerprint, response)
            else:
                self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget every key."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
