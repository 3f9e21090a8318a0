"""The fake CDN origin: HMAC-signed, expiring ``/files/<name>.mp4`` URLs.

Signed URLs look like ``<cdn_url>/files/<name>.mp4?expires=<unix s>&sig=<hex>``
where ``sig`` is HMAC-SHA256 over ``"<path>\\n<expires>"`` with a random
per-emulator secret. The CDN needs no API key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import urllib.parse

from .messages import Request, Response, json_response
from . import media

DENIED = {"error": "AccessDenied", "message": "Request has expired or signature is invalid"}


class UrlSigner:
    """Creates and checks signed CDN URLs with a secret of its own."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def signature(self, path: str, expires: int) -> str:
        """Hex HMAC-SHA256 of ``path`` and ``expires``."""
        message = f"{path}\n{expires}".encode("utf-8")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def sign(self, base_url: str, name: str, ttl_seconds: int) -> str:
        """Return a URL for ``/files/<name>`` on ``base_url`` valid for ``ttl_seconds``."""
        path = "/files/" + urllib.parse.quote(name, safe="._-")
        expires = int(time.time()) + ttl_seconds
        query = urllib.parse.urlencode({"expires": expires, "sig": self.signature(path, expires)})
        return f"{base_url}{path}?{query}"

    def verify(self, path: str, query: dict[str, str]) -> bool:
        """True if ``query`` carries a valid, unexpired signature for ``path``."""
        expires, sig = query.get("expires", ""), query.get("sig", "")
        if not expires.isdigit() or int(expires) < time.time():
            return False
        return hmac.compare_digest(sig.encode("ascii", "replace"),
                                   self.signature(path, int(expires)).encode("ascii"))


def get_file(emu, req: Request, name: str) -> Response:
    """``GET /files/<name>``: serve the sample MP4 if the signature is valid, else 403."""
    if not emu.signer.verify(req.path, req.query):
        return json_response(403, DENIED)
    return media.serve(req, emu.sample)


def not_found(req: Request) -> Response:
    """404 for anything else on the CDN origin (S3-like body)."""
    return json_response(404, {"error": "NoSuchKey", "message": "The specified key does not exist."})


ROUTES = [
    ("GET", re.compile(r"^/files/(?P<name>[^/]+\.mp4)$"), get_file),
]
