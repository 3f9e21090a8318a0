"""Small helpers around the C calls: raising a ``vg_code`` as an exception, taking owned strings."""

from __future__ import annotations

import ctypes
from typing import Any, NoReturn

from .errors import ErrorCode, VideoGenError, error_for


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", "replace")


def error_from_handle(lib: ctypes.CDLL, code: int, error: int | None, task_id: str | None = None) -> VideoGenError:
    """The exception for ``code`` with the details of the ``vg_error`` handle ``error`` (which is not freed)."""
    if not error:
        message = _text(lib.vg_code_str(code)) or "error"
        return error_for(code, message, task_id=task_id or None)
    status = lib.vg_error_http_status(error)
    retry_after = lib.vg_error_retry_after(error)
    return error_for(
        code,
        _text(lib.vg_error_message(error)) or _text(lib.vg_code_str(code)) or "error",
        http_status=status if status > 0 else None,
        provider_code=_text(lib.vg_error_provider_code(error)),
        retry_after=retry_after if retry_after >= 0 else None,
        task_id=task_id or None,
    )


def raise_error(lib: ctypes.CDLL, code: int, error: ctypes.c_void_p, task_id: str | None = None) -> NoReturn:
    """Raise the exception for a failed call, freeing its ``vg_error``."""
    try:
        raise error_from_handle(lib, code, error.value, task_id)
    finally:
        lib.vg_error_free(error)


def check(lib: ctypes.CDLL, code: int, error: ctypes.c_void_p, task_id: str | None = None) -> None:
    """Do nothing for ``VG_OK``; otherwise raise the call's error (see :func:`raise_error`)."""
    if code != ErrorCode.OK:
        raise_error(lib, code, error, task_id)


def raise_for(lib: ctypes.CDLL, code: int, error: ctypes.c_void_p, task: Any) -> None:
    """Free the call's ``vg_error``; for a failure, raise its exception with ``task`` attached (``error.task``)."""
    if code == ErrorCode.OK:
        lib.vg_error_free(error)
        return
    try:
        exc = error_from_handle(lib, code, error.value, task.id)
    finally:
        lib.vg_error_free(error)
    exc.task = task
    raise exc


def new_handle(out: ctypes.c_void_p) -> int:
    """The handle a successful call put in ``out`` (a successful call never leaves it NULL)."""
    if not out.value:
        raise VideoGenError("libvideogen reported success but returned no handle", code=ErrorCode.INTERNAL)
    return out.value


def take_string(lib: ctypes.CDLL, pointer: ctypes.c_void_p) -> str:
    """Copy a string the library handed over through a ``char **`` and free it with ``vg_string_free``."""
    try:
        return ctypes.string_at(pointer.value).decode("utf-8") if pointer.value else ""
    finally:
        lib.vg_string_free(pointer)


def version() -> str:
    """The loaded library's version string, e.g. ``"0.2.0"``."""
    from ._loader import lib
    return str(lib().vg_version_string().decode())


def code_description(code: int) -> str:
    """The library's short description of a code, e.g. ``"rate limited"``."""
    from ._loader import lib
    return str(lib().vg_code_str(code).decode())
