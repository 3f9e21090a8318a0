"""A small, strict ``multipart/form-data`` parser (RFC 7578).

Only what form uploads need: parts separated by the boundary, each with a
``Content-Disposition: form-data; name=...[; filename=...]`` header and an
optional ``Content-Type``. Any malformation raises :class:`MultipartError`.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

MAX_PARTS = 100
MAX_HEADER_BYTES = 8 * 1024


class MultipartError(ValueError):
    """The body or the Content-Type header is not valid multipart/form-data."""


@dataclass(frozen=True)
class Part:
    """One form field: ``filename`` is None for plain (non-file) fields."""

    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None

    def text(self) -> str:
        """The part decoded as UTF-8 (invalid bytes replaced)."""
        return self.data.decode("utf-8", "replace")


def parse_header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``value; k=v; k2="q\\"v"`` into the main value (lower-cased) and its parameters.

    Parameter names are lower-cased; quoted strings are unescaped; RFC 5987
    ``name*=UTF-8''...`` values are decoded and stored under ``name``.
    """
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " \t;":
            i += 1
        eq = rest.find("=", i)
        if eq == -1:
            break
        key = rest[i:eq].strip().lower()
        i = eq + 1
        while i < n and rest[i] in " \t":
            i += 1
        if i < n and rest[i] == '"':
            i += 1
            out = []
            while i < n and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < n:
                    i += 1
                out.append(rest[i])
                i += 1
            if i >= n:
                raise MultipartError(f"unterminated quoted string in parameter {key!r}")
            i += 1
            val = "".join(out)
        else:
            end = rest.find(";", i)
            end = n if end == -1 else end
            val = rest[i:end].strip()
            i = end
        if key.endswith("*"):
            key = key[:-1]
            charset, _, encoded = val.partition("''")
            val = urllib.parse.unquote(encoded, encoding=charset or "utf-8", errors="replace")
        if key:
            params[key] = val
    return main.strip().lower(), params


def boundary_of(content_type: str) -> str:
    """Return the boundary parameter of a multipart/form-data Content-Type."""
    kind, params = parse_header_params(content_type)
    if kind != "multipart/form-data":
        raise MultipartError("Content-Type is not multipart/form-data")
    boundary = params.get("boundary", "")
    if not 1 <= len(boundary) <= 70:
        raise MultipartError("missing or invalid multipart boundary")
    return boundary


def _parse_part(raw: bytes) -> Part:
    if raw.startswith(b"\r\n"):
        raise MultipartError("part without a Content-Disposition header")
    head, sep, data = raw.partition(b"\r\n\r\n")
    if not sep or len(head) > MAX_HEADER_BYTES:
        raise MultipartError("malformed part headers")
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").split("\r\n"):
        key, colon, value = line.partition(":")
        if not colon:
            raise MultipartError(f"malformed part header line {line!r}")
        headers[key.strip().lower()] = value.strip()
    disposition, params = parse_header_params(headers.get("content-disposition", ""))
    if disposition != "form-data" or not params.get("name"):
        raise MultipartError("part needs Content-Disposition: form-data with a name")
    return Part(params["name"], data, params.get("filename"), headers.get("content-type"))


def parse(body: bytes, content_type: str) -> list[Part]:
    """Parse a multipart/form-data ``body`` into its parts, in order."""
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    if body.startswith(delimiter):
        pos = len(delimiter)
    else:                                           # skip a preamble
        found = body.find(b"\r\n" + delimiter)
        if found == -1:
            raise MultipartError("multipart boundary not found in body")
        pos = found + 2 + len(delimiter)
    parts: list[Part] = []
    while True:
        if body.startswith(b"--", pos):
            return parts                            # close delimiter; epilogue ignored
        eol = body.find(b"\r\n", pos)
        if eol == -1 or body[pos:eol].strip(b" \t"):
            raise MultipartError("malformed multipart delimiter line")
        start = eol + 2
        end = body.find(b"\r\n" + delimiter, start)
        if end == -1:
            raise MultipartError("multipart body is not terminated")
        if len(parts) >= MAX_PARTS:
            raise MultipartError(f"more than {MAX_PARTS} parts")
        parts.append(_parse_part(body[start:end]))
        pos = end + 2 + len(delimiter)
