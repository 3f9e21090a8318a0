"""The ``Idempotency-Key`` of a submit derived from the caller's own job id (the library's ``vg_idempotency_key``)."""

from __future__ import annotations

import ctypes

from . import _loader
from ._native import check, take_string
from .errors import InvalidArgumentError


def _utf8(name: str, value: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidArgumentError(f"{name} contains a NUL character")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError(f"{name} is not valid UTF-8 (an undecodable byte or a lone surrogate); "
                                   "videogen never substitutes characters") from None


def idempotency_key(job_id: str, scope: str = "") -> str:
    """The ``Idempotency-Key`` for your job ``job_id`` within ``scope`` (a batch, tenant or revision name; ""
    for none): the same pair gives the same key in every process, on every machine and in every version of the
    library, so a job re-run after a crash, or after ``ErrorCode.UNKNOWN_OUTCOME``, re-sends the key of its first
    attempt and the service makes no second task. A version-8 UUID (RFC 9562's SHA-256 name-based form; see
    ``vg_idempotency_key`` in the header). No network traffic.

    Raises :class:`InvalidArgumentError` for an empty job id, a NUL character, a text longer than 4,096 UTF-8 bytes
    or one that is not valid UTF-8; :class:`TypeError` for a value that is not a ``str``.
    """
    job = _utf8("job_id", job_id)
    scoped = _utf8("scope", scope)
    library = _loader.library()
    library.require("vg_idempotency_key")
    lib = library.cdll
    out = ctypes.c_void_p()
    error = ctypes.c_void_p()
    check(lib, lib.vg_idempotency_key(job, scoped, ctypes.byref(out), ctypes.byref(error)), error)
    return take_string(lib, out)
