"""Webhook verification through the C library (vg_webhook_verify), checked against reference implementations:
Standard Webhooks against the ``standardwebhooks`` package (both directions), fal's ED25519 message against the
``cryptography`` package; and every refusal (forged, tampered, truncated, stale, future, malformed, oversized,
unsigned) with its reason. The clock is fixed through the verifier's ``now``: no test depends on the wall clock."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json

import pytest

import videogen
from videogen.webhooks import header_block
from videogen_emulator import webhook_signing as signing

try:
    import standardwebhooks
    import standardwebhooks.webhooks
    from cryptography.hazmat.primitives.asymmetric import ed25519
except ImportError as exc:  # never skipped: a missing reference is a broken test environment
    raise ImportError("the webhook reference checks need standardwebhooks==1.1.0 and cryptography==48.0.0 "
                      "(pyproject.toml's test extra; .ci/run installs them)") from exc

SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()
BODY = json.dumps({"object": "event", "type": "video.completed", "data": {"id": "video_abc"}}).encode()
NOW = 1_767_000_000


def standard(secret: str = SECRET, now: int = NOW, **extra) -> dict:
    return {"scheme": "standard_webhooks", "secret": secret, "now": now, **extra}


def theirs(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Headers signed by the reference implementation."""
    hook = standardwebhooks.Webhook(secret)
    signature = hook.sign(msg_id, datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc), body.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


# -- Standard Webhooks ----------------------------------------------------------------------------------------------

def test_standard_ours_accepts_what_the_reference_signs():
    headers = theirs(SECRET, "msg_1", NOW, BODY)
    verdict = videogen.verify_webhook(standard(), headers=headers, body=BODY)
    assert verdict.accepted, verdict
    assert verdict.details["delivery_id"] == "msg_1"
    assert verdict.details["signed"] is True


def test_standard_reference_accepts_what_the_emulator_signs():
    # The reference checks the timestamp against the real clock: sign at the real time here (it only reads it).
    import time
    now = int(time.time())
    headers = signing.sign_standard(SECRET, "msg_2", now, BODY)
    standardwebhooks.Webhook(SECRET).verify(BODY, headers)           # raises when it does not verify
    assert videogen.verify_webhook(standard(now=now), headers=headers, body=BODY).accepted


def test_standard_same_answer_as_reference_on_tampered_bodies():
    headers = theirs(SECRET, "msg_3", NOW, BODY)
    for body in (BODY[:-1], BODY + b" ", BODY.replace(b"abc", b"abd"), b""):
        with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
            _reference_verify_at(headers, body)
        verdict = videogen.verify_webhook(standard(), headers=headers, body=body)
        assert (verdict.accepted, verdict.reason) == (False, "bad_signature")


def _reference_verify_at(headers: dict, body: bytes) -> None:
    """The reference's signature check without its wall-clock timestamp check (it takes no clock)."""
    hook = standardwebhooks.Webhook(SECRET)
    expected = hook.sign(headers["webhook-id"], datetime.datetime.fromtimestamp(int(headers["webhook-timestamp"]),
                                                                              tz=datetime.timezone.utc),
                         body.decode("utf-8", "replace")).split(",", 1)[1]
    for entry in headers["webhook-signature"].split(" "):
        if entry.split(",", 1)[1] == expected:
            return
    raise standardwebhooks.webhooks.WebhookVerificationError("No matching signature found")


def test_standard_body_with_nul_bytes_is_verified_whole():
    body = b'{"text":"a\x00b"}'
    headers = theirs(SECRET, "msg_nul", NOW, body)
    assert videogen.verify_webhook(standard(), headers=headers, body=body).accepted
    assert videogen.verify_webhook(standard(), headers=headers, body=body[:10]).reason == "bad_signature"


def test_standard_several_signatures_one_matching():
    good = theirs(SECRET, "msg_4", NOW, BODY)["webhook-signature"]
    other = theirs("whsec_" + base64.b64encode(b"k" * 32).decode(), "msg_4", NOW, BODY)["webhook-signature"]
    headers = {"webhook-id": "msg_4", "webhook-timestamp": str(NOW),
               "webhook-signature": f"v1a,ignoredasymmetric {other} {good}"}
    assert videogen.verify_webhook(standard(), headers=headers, body=BODY).accepted


def test_standard_forged_secret_refused():
    forged = theirs("whsec_" + base64.b64encode(b"x" * 32).decode(), "msg_5", NOW, BODY)
    verdict = videogen.verify_webhook(standard(), headers=forged, body=BODY)
    assert (verdict.accepted, verdict.reason) == (False, "bad_signature")
    assert SECRET not in verdict.message and SECRET[6:] not in json.dumps(verdict.details)


@pytest.mark.parametrize("offset, accepted", [(300, True), (-300, True), (301, False), (-301, False), (-3600, False)])
def test_standard_tolerance_is_300_seconds_either_way(offset, accepted):
    headers = theirs(SECRET, "msg_6", NOW, BODY)
    verdict = videogen.verify_webhook(standard(now=NOW + offset), headers=headers, body=BODY)
    assert verdict.accepted is accepted
    if not accepted:
        assert verdict.reason == "timestamp_outside_tolerance"


def test_standard_replay_with_its_original_timestamp_is_stale_later():
    headers = theirs(SECRET, "msg_7", NOW, BODY)
    assert videogen.verify_webhook(standard(now=NOW + 10), headers=headers, body=BODY).accepted
    assert videogen.verify_webhook(standard(now=NOW + 3600), headers=headers, body=BODY).reason \
        == "timestamp_outside_tolerance"


@pytest.mark.parametrize("mutate", [
    lambda h: h.pop("webhook-id"),
    lambda h: h.pop("webhook-timestamp"),
    lambda h: h.pop("webhook-signature"),
    lambda h: h.update({"webhook-timestamp": "12e5"}),
    lambda h: h.update({"webhook-timestamp": "-5"}),
    lambda h: h.update({"webhook-signature": "v1"}),
    lambda h: h.update({"webhook-signature": "v1,***not-base64***"}),
    lambda h: h.update({"webhook-signature": "v2,abc"}),
])
def test_standard_malformed_headers_refused(mutate):
    headers = theirs(SECRET, "msg_8", NOW, BODY)
    mutate(headers)
    verdict = videogen.verify_webhook(standard(), headers=headers, body=BODY)
    assert (verdict.accepted, verdict.reason) == (False, "malformed_header"), verdict


def test_oversized_body_refused_before_anything_else():
    body = b"{" + b" " * (64 * 1024) + b"}"
    headers = theirs(SECRET, "msg_9", NOW, body)
    assert videogen.verify_webhook(standard(), headers=headers, body=body).accepted
    verdict = videogen.verify_webhook(standard(max_body_bytes=1024), headers=headers, body=body)
    assert (verdict.accepted, verdict.reason) == (False, "body_too_large")


def test_header_block_forms_are_equivalent():
    headers = theirs(SECRET, "msg_10", NOW, BODY)
    upper = {name.upper(): value for name, value in headers.items()}
    for form in (headers, list(upper.items()), header_block(headers).decode(), header_block(headers).replace(b"\r\n", b"\n")):
        assert videogen.verify_webhook(standard(), headers=form, body=BODY).accepted
    assert videogen.verify_webhook(standard(), headers="no colon here", body=BODY).reason == "malformed_header"


def test_bad_verifier_documents_raise_naming_the_field():
    for document, field in [({"scheme": "standard_webhooks"}, "secret"), ({"scheme": "nope"}, "scheme"),
                            ({"scheme": "fal"}, "jwks"), (standard(colour="red"), "colour"),
                            ({"scheme": "standard_webhooks", "secret": "whsec_***"}, "secret"),
                            ({"scheme": "openrouter", "secret": "s", "accept_unsigned": True}, "accept_unsigned")]:
        with pytest.raises(videogen.VideoGenError) as caught:
            videogen.verify_webhook(document, headers={}, body=b"")
        assert field in str(caught.value)
        assert "***" not in str(caught.value)


# -- unsigned providers (Kling, Luma) ---------------------------------------------------------------------------------

def test_unsigned_refused_by_default_and_a_hint_when_accepted():
    verdict = videogen.verify_webhook({"scheme": "unsigned"}, headers={}, body=b'{"task_id": "1"}')
    assert (verdict.accepted, verdict.reason) == (False, "unsigned")
    verdict = videogen.verify_webhook({"scheme": "unsigned", "accept_unsigned": True}, headers={}, body=b'{"task_id": "1"}')
    assert verdict.accepted and verdict.details["signed"] is False


# -- fal (ED25519) ----------------------------------------------------------------------------------------------------

def fal_setup():
    key = ed25519.Ed25519PrivateKey.generate()
    return key, {"scheme": "fal", "jwks": signing.fal_jwks(key), "now": NOW}


def test_fal_message_checked_with_cryptography():
    key, verifier = fal_setup()
    body = b'{"request_id": "r1", "status": "OK", "payload": {"video": {"url": "https://x/v.mp4"}}}'
    headers = signing.sign_fal(key, "r1", "user-9", NOW, body)
    # The reference ED25519 accepts the documented message under the public key...
    expected = f"r1\nuser-9\n{NOW}\n{hashlib.sha256(body).hexdigest()}".encode()
    key.public_key().verify(bytes.fromhex(headers["X-Fal-Webhook-Signature"]), expected)
    # ...and so does the library, from the JWKS document.
    verdict = videogen.verify_webhook(verifier, headers=headers, body=body)
    assert verdict.accepted, verdict
    # Another key's signature, a changed body, a stale time, a short signature: refused with their reasons.
    other = ed25519.Ed25519PrivateKey.generate()
    assert videogen.verify_webhook(verifier, headers=signing.sign_fal(other, "r1", "user-9", NOW, body), body=body).reason == "bad_signature"
    assert videogen.verify_webhook(verifier, headers=headers, body=body[:-1]).reason == "bad_signature"
    assert videogen.verify_webhook(dict(verifier, now=NOW + 301), headers=headers, body=body).reason == "timestamp_outside_tolerance"
    short = dict(headers, **{"X-Fal-Webhook-Signature": headers["X-Fal-Webhook-Signature"][:-2]})
    assert videogen.verify_webhook(verifier, headers=short, body=body).reason == "malformed_header"


def test_fal_any_key_of_the_jwks():
    old, new = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
    jwks = {"keys": signing.fal_jwks(old, "a")["keys"] + [{"kty": "RSA", "n": "x", "e": "AQAB"}]
            + signing.fal_jwks(new, "b")["keys"]}
    body = b"{}"
    for key in (old, new):
        headers = signing.sign_fal(key, "r2", "u", NOW, body)
        assert videogen.verify_webhook({"scheme": "fal", "jwks": jwks, "now": NOW}, headers=headers, body=body).accepted


# -- Vidu and OpenRouter ----------------------------------------------------------------------------------------------

def test_vidu_signature_over_the_request_line_and_signed_headers():
    url = "http://127.0.0.1:8080/vidu/callback?name=james&age=36"
    headers = signing.sign_vidu("vidu-token", "POST", url, NOW, nonce="123e4567")
    verifier = {"scheme": "vidu", "secret": "vidu-token", "now": NOW}
    ok = videogen.verify_webhook(verifier, headers=headers, body=b"{}", target="/vidu/callback?name=james&age=36")
    assert ok.accepted and ok.details["delivery_id"] == "123e4567"
    assert videogen.verify_webhook(verifier, headers=headers, body=b"{}", target="/vidu/other?name=james&age=36").reason == "bad_signature"
    assert videogen.verify_webhook(dict(verifier, secret="other"), headers=headers, body=b"{}",
                                   target="/vidu/callback?name=james&age=36").reason == "bad_signature"
    assert videogen.verify_webhook(dict(verifier, now=NOW + 400), headers=headers, body=b"{}",
                                   target="/vidu/callback?name=james&age=36").reason == "timestamp_outside_tolerance"
    unsigned_nonce = dict(headers, **{"X-HMAC-SIGNED-HEADERS": "Date"})
    assert videogen.verify_webhook(verifier, headers=unsigned_nonce, body=b"{}",
                                   target="/vidu/callback?name=james&age=36").reason == "malformed_header"


def test_openrouter_t_v1_signature():
    body = b'{"type":"video.generation.completed","data":{"id":"job1","status":"completed"}}'
    headers = signing.sign_openrouter("or-secret", NOW, body, "job1-completed")
    verifier = {"scheme": "openrouter", "secret": "or-secret", "now": NOW}
    verdict = videogen.verify_webhook(verifier, headers=headers, body=body)
    assert verdict.accepted and verdict.details["delivery_id"] == "job1-completed"
    assert videogen.verify_webhook(verifier, headers=headers, body=body + b"\n").reason == "bad_signature"
    assert videogen.verify_webhook(dict(verifier, now=NOW - 301), headers=headers, body=body).reason == "timestamp_outside_tolerance"
    assert videogen.verify_webhook(verifier, headers={"X-OpenRouter-Signature": "v1=00"}, body=body).reason == "malformed_header"


def test_fal_keys_fetched_once_from_jwks_url(tmp_path):
    """vg_client_webhook_apply with "jwks_url": the client fetches the JWKS (without the API key), keeps it, and
    verifies with it; vg_webhook_verify, which has no client, says the keys were not fetched."""
    import http.server
    import threading

    from conftest import API_KEY
    key = ed25519.Ed25519PrivateKey.generate()
    document = json.dumps(signing.fal_jwks(key)).encode()
    seen = []

    class JWKS(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), JWKS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    import time
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
        verifier = {"scheme": "fal", "jwks_url": url}
        body = b'{"task_id": "task_1", "status": "SUCCESS", "progress": "100%", "url": "https://cdn.example/v.mp4"}'
        with videogen.Client(dialect="unified", base_url="http://127.0.0.1:9", api_key=API_KEY) as client:
            for n in range(3):
                now = int(time.time())
                headers = signing.sign_fal(key, f"req_{n}", "user", now, body)
                verdict = client.apply_webhook(verifier, headers=headers, body=body)
                assert verdict.accepted and verdict.details["kind"] == "unwatched", verdict
            forged = signing.sign_fal(ed25519.Ed25519PrivateKey.generate(), "req_x", "user", int(time.time()), body)
            assert client.apply_webhook(verifier, headers=forged, body=body).reason == "bad_signature"
        assert seen == [("/.well-known/jwks.json", None)], "fetched once (fresh keys are not fetched again), no key sent"
        lone = videogen.verify_webhook(verifier, headers=headers, body=body)
        assert lone.reason == "no_key" and "fetched" in lone.message
    finally:
        server.shutdown()
    with pytest.raises(videogen.VideoGenError):
        videogen.verify_webhook({"scheme": "fal", "jwks_url": "http://example.com/jwks.json"}, headers={}, body=b"")
