"""Checks for reference images: magic bytes, http(s) URLs and ``data:`` URIs."""

from __future__ import annotations

import base64
import binascii
import urllib.parse


def image_kind(data: bytes) -> str | None:
    """Return ``png``, ``jpeg``, ``webp`` or ``gif`` from the magic bytes, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    return None


def is_http_url(value: str) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL with a host."""
    try:
        parts = urllib.parse.urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def data_uri_image(value: str) -> bytes | None:
    """Decode a ``data:image/...;base64,`` URI holding a real image; else None."""
    head, sep, payload = value.partition(",")
    if not sep:
        return None
    head = head.strip().lower()
    if not head.startswith("data:image/") or not head.endswith(";base64"):
        return None
    try:
        data = base64.b64decode(payload.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if image_kind(data) else None


def is_image_reference(value: object) -> bool:
    """True for an http(s) URL or an image ``data:`` URI."""
    return isinstance(value, str) and (is_http_url(value) or data_uri_image(value) is not None)
