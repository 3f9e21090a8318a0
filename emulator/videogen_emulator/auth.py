"""API-key checks and the 401 answers of both dialects."""

from __future__ import annotations

import hmac

from .errors import kling_error, openai_error, unified_error
from .google_routes import google_error
from .messages import Response


def classify(header: str | None, api_key: str) -> str:
    """Classify an ``Authorization`` header as ``none``, ``valid`` or ``invalid``.

    Valid means ``Bearer <api_key>`` (scheme case-insensitive). The key is
    compared in constant time and never stored or echoed.
    """
    if header is None:
        return "none"
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return "invalid"
    ok = hmac.compare_digest(token.strip().encode("utf-8"), api_key.encode("utf-8"))
    return "valid" if ok else "invalid"


def unauthorized(path: str, scheme: str) -> Response:
    """The 401 for ``path``: new-api shape under ``/v1/video/generations``, Kling's under
    ``/kling/``, else OpenAI's (which Router One and chat completions share)."""
    headers = {"WWW-Authenticate": f'{scheme} realm="videogen-emulator"'}
    if path.startswith("/v1/projects/"):
        return google_error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                                 "login cookie or other valid authentication credential.")
    if path.startswith("/kling/"):
        return kling_error(401, 1000, "Authentication failed", headers)
    if path == "/v1/video/generations" or path.startswith("/v1/video/generations/"):
        return unified_error(401, "invalid_api_key", "invalid token", headers)
    return openai_error(401, "Incorrect API key provided.", code="invalid_api_key", headers=headers)
