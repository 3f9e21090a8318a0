"""Error bodies in the shapes of each dialect (OpenAI, new-api, CDN)."""

from __future__ import annotations

import uuid

from .messages import HttpError, Response, json_response


def openai_error(status: int, message: str, *, param: str | None = None,
                 code: str | None = None, type_: str = "invalid_request_error",
                 headers: dict[str, str] | None = None) -> Response:
    """An OpenAI-style error: ``{"error":{"message","type","param","code"}}``."""
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return json_response(status, body, headers)


def unified_error(status: int, code: str, message: str,
                  headers: dict[str, str] | None = None) -> Response:
    """A new-api task error: ``{"code","message","data":null}``."""
    return json_response(status, {"code": code, "message": message, "data": None}, headers)


def kling_error(status: int, code: int, message: str,
                headers: dict[str, str] | None = None) -> Response:
    """A Kling error: ``{"code": <business code>, "message", "request_id"}``."""
    return json_response(status, {"code": code, "message": message,
                                  "request_id": str(uuid.uuid4())}, headers)


def kling_fail(status: int, code: int, message: str) -> HttpError:
    """An :class:`HttpError` wrapping :func:`kling_error` (for ``raise``)."""
    return HttpError(kling_error(status, code, message))


def openai_fail(status: int, message: str, **kwargs) -> HttpError:
    """An :class:`HttpError` wrapping :func:`openai_error` (for ``raise``)."""
    return HttpError(openai_error(status, message, **kwargs))


def unified_fail(status: int, code: str, message: str) -> HttpError:
    """An :class:`HttpError` wrapping :func:`unified_error` (for ``raise``)."""
    return HttpError(unified_error(status, code, message))


def not_found(method: str, path: str) -> Response:
    """404 for a URL no route matches (OpenAI wording)."""
    return openai_error(404, f"Unknown request URL: {method} {path}.", code="unknown_url")


def method_not_allowed(method: str, path: str, allowed: list[str]) -> Response:
    """405 for a known URL requested with the wrong method."""
    response = openai_error(405, f"Method {method} is not allowed for {path}.",
                            code="method_not_allowed")
    response.headers.append(("Allow", ", ".join(sorted(set(allowed)))))
    return response


def internal_error(exc: BaseException) -> Response:
    """500 for an unexpected exception inside a route."""
    return openai_error(500, f"Internal emulator error: {type(exc).__name__}: {exc}",
                        type_="server_error", code="internal_error")
