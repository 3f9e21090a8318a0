"""Finding, loading and checking ``libvideogen.so``, once, on first use.

The library is looked for, in order:

1. the file named by the ``VIDEOGEN_LIBRARY`` environment variable (and nowhere else when it is set);
2. a copy inside the installed package (``videogen/libvideogen.so``: the wheel that ``make wheel`` builds carries
   the self-contained library there);
3. the repository's build output (``.build/release/libvideogen.so`` above ``bindings/python``), for a checkout.

Importing :mod:`videogen` never loads it: the error comes on first use, naming what was tried.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from . import _cabi

ENV_VARIABLE = "VIDEOGEN_LIBRARY"
LIBRARY_NAME = "libvideogen.dylib" if sys.platform == "darwin" else "libvideogen.so"

_PACKAGE_DIR = Path(__file__).resolve().parent


class LibraryError(RuntimeError):
    """``libvideogen`` could not be found, loaded, or is not the ABI this binding was written for."""


@dataclass(frozen=True)
class Library:
    """The loaded library: the ``ctypes`` handle with every function declared, and where it came from."""

    cdll: ctypes.CDLL
    path: str
    missing: frozenset[str]

    @property
    def has_async(self) -> bool:
        """True when the library exports the asynchronous calls (event fd and dispatch)."""
        return not (self.missing & {"vg_client_dispatch", "vg_client_event_fd", "vg_client_submit_async",
                                    "vg_task_wait_async", "vg_task_download_async"})

    def require(self, name: str) -> None:
        """Raise :class:`~videogen.VideoGenError` (``UNSUPPORTED``) when the library lacks the function ``name``
        (a library older than the binding)."""
        if name in self.missing:
            from .errors import ErrorCode, VideoGenError
            since = "0.3.0" if name == "vg_idempotency_key" else "0.2.0"
            raise VideoGenError(f"the loaded libvideogen ({self.path}) predates {name} (added in {since}): "
                                "update the library", code=ErrorCode.UNSUPPORTED)


def candidates() -> list[Path]:
    """The paths tried, in order (only the ``VIDEOGEN_LIBRARY`` one when that variable is set)."""
    override = os.environ.get(ENV_VARIABLE)
    if override:
        return [Path(override)]
    found = [_PACKAGE_DIR / LIBRARY_NAME]
    for parent in _PACKAGE_DIR.parents:
        if (parent / "Package.swift").is_file():
            found.append(parent / ".build" / "release" / LIBRARY_NAME)
            break
    return found


def _open(path: Path) -> Library:
    try:
        cdll = ctypes.CDLL(str(path))
    except OSError as exc:
        raise LibraryError(f"cannot load {path}: {exc}") from exc
    try:
        abi = cdll.vg_abi_version
    except AttributeError:
        raise LibraryError(f"{path} is not libvideogen: it has no vg_abi_version") from None
    abi.restype, abi.argtypes = ctypes.c_uint, []
    found = abi()
    if found != _cabi.ABI_VERSION:
        raise LibraryError(
            f"{path} has ABI {found} but this binding needs ABI {_cabi.ABI_VERSION}: install the videogen package "
            f"that matches the library (or point {ENV_VARIABLE} at a matching library)")
    try:
        missing = _cabi.declare(cdll)
    except AttributeError as exc:
        raise LibraryError(f"{path}: {exc}") from None
    return Library(cdll, str(path), missing)


def load() -> Library:
    """Find and load the library (see the module docstring); raises :class:`LibraryError` naming what was tried."""
    tried = candidates()
    for path in tried:
        if path.is_file():
            return _open(path)
    where = ", ".join(str(p) for p in tried)
    hint = (f"check {ENV_VARIABLE}" if os.environ.get(ENV_VARIABLE)
            else f"install the videogen wheel (`make wheel` in the repository builds it), run `make build` in a "
                 f"checkout, or set {ENV_VARIABLE}")
    raise LibraryError(f"libvideogen not found (looked at {where}); {hint}")


_lock = threading.Lock()
_library: Library | None = None


def library() -> Library:
    """The process-wide :class:`Library`, loaded on the first call."""
    global _library
    if _library is None:
        with _lock:
            if _library is None:
                _library = load()
    return _library


def lib() -> ctypes.CDLL:
    """Shortcut for ``library().cdll``."""
    return library().cdll
