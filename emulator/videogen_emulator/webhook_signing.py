"""Signers of the callback schemes videogen verifies, as a provider would sign (the emulator's sending side).

Each returns the headers to add to a POST of ``body`` (bytes). Standard Webhooks (OpenAI, Replicate, Gemini API),
fal (ED25519, needs the ``cryptography`` package), Vidu (HMAC over the request line and signed headers) and
OpenRouter (``t=,v1=`` HMAC). Reusable by any provider route: give it the scheme, the secret and the body.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

SCHEMES = ("standard_webhooks", "fal", "vidu", "openrouter", "unsigned")


def new_standard_secret() -> str:
    """A fresh ``whsec_`` secret (24 random bytes, base64)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def standard_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret."""
    return base64.b64decode(secret[6:] if secret.startswith("whsec_") else secret)


def sign_standard(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Standard Webhooks headers: ``v1,`` base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``."""
    mac = hmac.new(standard_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": "v1," + base64.b64encode(mac).decode()}


def fal_message(request_id: str, user_id: str, timestamp: int, body: bytes) -> bytes:
    """What fal signs: request id, user id, timestamp and the body's hex SHA-256, one per line."""
    return "\n".join([request_id, user_id, str(timestamp), hashlib.sha256(body).hexdigest()]).encode()


def sign_fal(private_key, request_id: str, user_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """fal's headers, signed with ``private_key`` (a ``cryptography`` Ed25519PrivateKey)."""
    signature = private_key.sign(fal_message(request_id, user_id, timestamp, body))
    return {"X-Fal-Webhook-Request-Id": request_id, "X-Fal-Webhook-User-Id": user_id,
            "X-Fal-Webhook-Timestamp": str(timestamp), "X-Fal-Webhook-Signature": signature.hex()}


def fal_jwks(private_key, kid: str = "emulator-1") -> dict:
    """The JWKS document of ``private_key``'s public half (what fal serves at /.well-known/jwks.json)."""
    from cryptography.hazmat.primitives import serialization
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    x = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}]}


def sign_vidu(token: str, method: str, url: str, timestamp: float, nonce: str | None = None) -> dict[str, str]:
    """Vidu's headers for a request to ``url``: base64 HMAC-SHA256 under the API token of
    ``METHOD\\npath\\nquery\\nvidu\\nDate\\nDate:..\\nx-request-nonce:..\\n``."""
    parts = urlsplit(url)
    date = email.utils.formatdate(timestamp, usegmt=True)
    nonce = nonce or secrets.token_hex(16)
    signing = (f"{method.upper()}\n{parts.path or '/'}\n{parts.query}\nvidu\n{date}\n"
               f"Date:{date}\nx-request-nonce:{nonce}\n")
    mac = hmac.new(token.encode(), signing.encode(), hashlib.sha256).digest()
    return {"Date": date, "x-request-nonce": nonce, "X-HMAC-SIGNED-HEADERS": "Date;x-request-nonce",
            "X-HMAC-SIGNATURE": base64.b64encode(mac).decode(), "X-HMAC-ALGORITHM": "hmac-sha256",
            "X-HMAC-ACCESS-KEY": "vidu"}


def sign_openrouter(secret: str, timestamp: int, body: bytes, idempotency_key: str | None = None) -> dict[str, str]:
    """OpenRouter's ``X-OpenRouter-Signature: t=<ts>,v1=<hex HMAC-SHA256 of "<ts>,<body>">``."""
    mac = hmac.new(secret.encode(), f"{timestamp},".encode() + body, hashlib.sha256).hexdigest()
    headers = {"X-OpenRouter-Signature": f"t={timestamp},v1={mac}"}
    if idempotency_key:
        headers["X-OpenRouter-Idempotency-Key"] = idempotency_key
    return headers
