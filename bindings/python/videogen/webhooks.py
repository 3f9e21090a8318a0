"""Webhooks: verify a provider's callback and apply it to the task it names.

A verifier is a mapping (the library's verifier document, see README.md "Webhooks")::

    {"scheme": "standard_webhooks", "secret": "whsec_..."}          # OpenAI, Replicate, Gemini API
    {"scheme": "fal", "jwks": {...fal's /.well-known/jwks.json...}}
    {"scheme": "vidu", "secret": "<API token>"}
    {"scheme": "openrouter", "secret": "<workspace signing secret>"}
    {"scheme": "unsigned", "accept_unsigned": True}                 # Kling, Luma: a hint to poll, never trusted

plus ``tolerance`` (seconds, 300), ``max_body_bytes`` (1 MiB) and ``now`` (fixes the clock, for tests).
Give the raw body exactly as received: a body parsed and re-serialized does not verify.
"""

from __future__ import annotations

import ctypes
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from . import _loader
from ._native import check, take_string
from .request import dumps

#: The reasons a callback is refused, by the library's vg_webhook_verdict number.
REASONS = ("accepted", "bad_signature", "timestamp_outside_tolerance", "malformed_header", "unknown_key_id",
           "body_too_large", "unsigned", "no_key", "unreadable_payload")

Headers = Union[str, bytes, Mapping[str, str], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class WebhookVerdict:
    """What the library concluded. ``accepted`` is False for a refusal, whose ``reason`` names the failed check
    (``bad_signature``, ``timestamp_outside_tolerance``, ``malformed_header``, ``unknown_key_id``,
    ``body_too_large``, ``unsigned``, ``no_key``, ``unreadable_payload``) and ``message`` says it in words.
    ``details`` is the library's result document (for an applied callback: ``kind`` applied / hint / duplicate /
    unwatched, ``task_id``, ``state``, ``waits``, ``scheme``, ``signed``, ``delivery_id``)."""

    accepted: bool
    reason: str
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.accepted


def header_block(headers: Headers) -> bytes:
    """The raw header block (``Name: value`` lines) of a mapping, a list of pairs or a block already."""
    if isinstance(headers, bytes):
        return headers
    if isinstance(headers, str):
        return headers.encode("utf-8")
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    lines = []
    for name, value in pairs:
        if "\n" in name or "\r" in name or "\n" in value or "\r" in value:
            raise ValueError("a header name or value contains a line break")
        lines.append(f"{name}: {value}")
    return "\r\n".join(lines).encode("utf-8")


def _call(function, prefix: tuple, verifier: Mapping[str, Any], method: str, target: str, headers: Headers,
          body: bytes) -> WebhookVerdict:
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("body must be the raw bytes received")
    raw = bytes(body)
    verdict = ctypes.c_int(-1)
    result = ctypes.c_void_p()
    error = ctypes.c_void_p()
    code = function(*prefix, dumps(verifier), method.encode(), target.encode(), header_block(headers), raw, len(raw),
                    ctypes.byref(verdict), ctypes.byref(result), ctypes.byref(error))
    lib = _loader.lib()
    check(lib, code, error)
    details = json.loads(take_string(lib, result) or "{}")
    details.pop("verdict", None)
    reason = REASONS[verdict.value] if 0 <= verdict.value < len(REASONS) else f"verdict_{verdict.value}"
    return WebhookVerdict(accepted=verdict.value == 0, reason=reason, message=details.pop("message", ""),
                          details=details)


def verify_webhook(verifier: Mapping[str, Any], *, headers: Headers, body: bytes, method: str = "POST",
                   target: str = "/") -> WebhookVerdict:
    """Verify one callback (no client needed). Raises only for bad arguments; a refusal is a verdict."""
    lib = _loader.lib()
    return _call(lib.vg_webhook_verify, (), verifier, method, target, headers, body)
