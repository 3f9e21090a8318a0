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
    direct = _direct_unauthorized(path)
    if direct is not None:
        if direct.status == 401:
            direct.headers.extend(headers.items())
        return direct
    if path.startswith("/v1/projects/"):
        return google_error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                                 "login cookie or other valid authentication credential.")
    if path.startswith("/kling/"):
        return kling_error(401, 1000, "Authentication failed", headers)
    if path == "/v1/video/generations" or path.startswith("/v1/video/generations/"):
        return unified_error(401, "invalid_api_key", "invalid token", headers)
    return openai_error(401, "Incorrect API key provided.", code="invalid_api_key", headers=headers)


def _direct_unauthorized(path: str) -> Response | None:
    """The 401 of the MiniMax, Runway, Luma and Ark routes, in each service's own shape; None for other paths."""
    from . import ark_routes, luma_routes, minimax_routes, runway_routes
    if path.startswith("/v2/") or path in ("/v1/video_generation", "/v1/query/video_generation", "/v1/files/retrieve"):
        return minimax_routes.unauthorized(path)
    if path.startswith("/v1/tasks/") or path in ("/v1/image_to_video", "/v1/text_to_video", "/v1/video_to_video"):
        return runway_routes.unauthorized(path)
    if path.startswith("/dream-machine/"):
        return luma_routes.unauthorized(path)
    if path.startswith("/api/v3/"):
        return ark_routes.unauthorized(path)
    return None
