"""Webhooks of the direct providers end to end: the emulator's OpenRouter, Vidu, Luma, Seedance-on-Ark and MiniMax
routes post their callback to the request's ``callback_url`` when the task ends, signed as the provider signs
(OpenRouter: ``X-OpenRouter-Signature`` under the workspace secret; Vidu: its HMAC under the API token) or unsigned
(Luma, Ark, MiniMax); a receiver (videogen's WebhookReceiver on the standard library's HTTP server) verifies and
applies it; the client's wait, polling every 60 s, ends on it. Asserted by mechanism, in the emulator's request log:
no status poll at all after the submit for the signed providers, exactly one (the one the hint asks for) for the
unsigned ones. Forged and stale callbacks of each scheme are refused with their reason, and unsigned ones without
``accept_unsigned``."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

import videogen
from conftest import API_KEY, SAMPLE_MP4, make_client
from videogen.webhook_server import WebhookReceiver
from videogen_emulator import Emulator
from webhook_support import SLOW_POLL, wait_in_thread
from videogen_emulator import webhook_signing as signing

OPENROUTER_SECRET = "openrouter-workspace-signing-secret-0123"
ACCEPT_UNSIGNED = {"scheme": "unsigned", "accept_unsigned": True}

# dialect, model, the verifier that accepts the provider's callbacks, and whether they are signed.
SIGNED = [
    ("openrouter", "google/veo-3.1", {"scheme": "openrouter", "secret": OPENROUTER_SECRET}),
    ("vidu", "viduq2", {"scheme": "vidu", "secret": API_KEY}),
]
UNSIGNED = [("luma", "ray-2"), ("ark", "doubao-seedance-1-0-pro-250528"), ("minimax", "MiniMax-Hailuo-02")]


@pytest.fixture
def emulator():
    with Emulator(api_key=API_KEY, task_seconds=0.5) as instance:
        instance.webhooks.configure(secret=OPENROUTER_SECRET, retries=0)
        yield instance


def status_polls(emu, task_id: str) -> list[dict]:
    """The GETs of the API origin about ``task_id`` (its id in the path or in the query)."""
    return [entry for entry in emu.requests()
            if entry["method"] == "GET" and entry["origin"] == "api"
            and (task_id in entry["path"] or task_id in entry.get("query", {}).values())]



@pytest.mark.parametrize("dialect, model, verifier", SIGNED, ids=[case[0] for case in SIGNED])
def test_signed_callback_ends_the_wait_without_polling(emulator, tmp_path, dialect, model, verifier):
    with make_client(emulator, dialect, poll=SLOW_POLL) as client, WebhookReceiver(client, verifier) as receiver:
        task = client.submit(model=model, prompt="a fox", callback_url=receiver.url + f"/hooks/{dialect}?run=1")
        thread, result = wait_in_thread(task)
        received = receiver.wait_for(1, timeout=30)
        thread.join(30)
        assert not thread.is_alive(), "the wait did not end on the callback"
        assert "error" not in result, result
        assert result["task"].state == videogen.State.SUCCEEDED
        verdict = received[0].verdict
        assert verdict.accepted and verdict.details["kind"] == "applied", verdict
        assert verdict.details["scheme"] == verifier["scheme"] and verdict.details["signed"] is True
        assert verdict.details["task_id"] == task.id and verdict.details["state"] == "succeeded"
        assert verdict.details["waits"] == 1
        # Mechanism: the wait ended on the event, with no status poll at all (polling was 60 s away).
        assert status_polls(emulator, task.id) == []
        assert result["end"] >= received[0].at - 0.001
        print(f"\n{dialect}: callback applied -> wait ended: {1000 * (result['end'] - received[0].at):.1f} ms")
        out = tmp_path / "video.mp4"
        task.download(out)       # the ordinary download path
        assert out.read_bytes() == open(SAMPLE_MP4, "rb").read()


def test_openrouter_event_names_its_type(emulator):
    verifier = SIGNED[0][2]
    with make_client(emulator, "openrouter", poll=SLOW_POLL) as client, WebhookReceiver(client, verifier) as receiver:
        client.submit(model="google/veo-3.1", prompt="a fox", callback_url=receiver.url + "/or")
        verdict = receiver.wait_for(1, timeout=30)[0].verdict
        assert verdict.details["event_type"] == "video.generation.completed"
        assert verdict.details["delivery_id"].startswith("idem-")


def test_failed_task_reported_by_the_signed_callback(emulator):
    verifier = SIGNED[1][2]
    with make_client(emulator, "vidu", poll=SLOW_POLL) as client, WebhookReceiver(client, verifier) as receiver:
        task = client.submit(model="viduq2 emu-fail", prompt="a fox", callback_url=receiver.url + "/vidu")
        thread, result = wait_in_thread(task)
        received = receiver.wait_for(1, timeout=30)
        thread.join(30)
        assert not thread.is_alive()
        assert received[0].verdict.details["state"] == "failed"
        assert isinstance(result.get("error"), videogen.VideoGenError) or result["task"].state == videogen.State.FAILED
        assert status_polls(emulator, task.id) == []


@pytest.mark.parametrize("dialect, model", UNSIGNED, ids=[case[0] for case in UNSIGNED])
def test_unsigned_callback_is_a_hint_that_polls_once(emulator, dialect, model):
    with make_client(emulator, dialect, poll=SLOW_POLL) as client, WebhookReceiver(client, ACCEPT_UNSIGNED) as receiver:
        task = client.submit(model=model, prompt="a fox", callback_url=receiver.url + f"/hooks/{dialect}")
        thread, result = wait_in_thread(task)
        received = receiver.wait_for(1, timeout=30)
        thread.join(30)
        assert not thread.is_alive() and "error" not in result, result
        verdict = received[0].verdict
        assert verdict.accepted and verdict.details["kind"] == "hint" and verdict.details["signed"] is False
        assert verdict.details["task_id"] == task.id
        assert "state" not in verdict.details          # never trusted for the result
        polls = status_polls(emulator, task.id)
        assert len(polls) == 1, polls                  # the one poll the hint asked for, after the callback
        sent = emulator.webhooks.wait_deliveries(1, timeout=30)[0]["time"]
        assert polls[0]["time"] >= sent - 0.001
        assert result["task"].state == videogen.State.SUCCEEDED


@pytest.mark.parametrize("dialect, model", UNSIGNED, ids=[case[0] for case in UNSIGNED])
def test_unsigned_callback_refused_by_default(emulator, dialect, model):
    with make_client(emulator, dialect, poll=SLOW_POLL) as client:
        with WebhookReceiver(client, {"scheme": "unsigned"}) as receiver:
            task = client.submit(model=model, prompt="a fox", callback_url=receiver.url + f"/hooks/{dialect}")
            assert receiver.wait_for(1, timeout=30)[0].verdict.reason == "unsigned"
            assert emulator.webhooks.wait_deliveries(1, timeout=30)[0]["status"] == 401
            assert status_polls(emulator, task.id) == []


# Vidu's tampered case is not refused, by the scheme's design: see test_vidu_signature_does_not_cover_the_body.
REFUSALS = [(dialect, model, verifier, mode, reason)
            for dialect, model, verifier in SIGNED
            for mode, reason in (("forged", "bad_signature"), ("tampered", "bad_signature"),
                                 ("stale", "timestamp_outside_tolerance"))
            if not (dialect == "vidu" and mode == "tampered")]


@pytest.mark.parametrize("dialect, model, verifier, mode, reason", REFUSALS,
                         ids=[f"{case[0]}-{case[3]}" for case in REFUSALS])
def test_forged_tampered_and_stale_callbacks_refused(emulator, dialect, model, verifier, mode, reason):
    emulator.webhooks.configure(mode=mode)
    with make_client(emulator, dialect, poll=SLOW_POLL) as client, WebhookReceiver(client, verifier) as receiver:
        task = client.submit(model=model, prompt="a fox", callback_url=receiver.url + f"/hooks/{dialect}")
        received = receiver.wait_for(1, timeout=30)
        assert received[0].verdict.reason == reason, received[0].verdict
        assert emulator.webhooks.wait_deliveries(1, timeout=30)[0]["status"] == 401
        assert task.state != videogen.State.SUCCEEDED and status_polls(emulator, task.id) == []


def test_vidu_callback_signed_for_another_path_refused(emulator):
    """Vidu signs the request line: the emulator's signer's headers for one path do not verify on another."""
    verifier = SIGNED[1][2]
    with make_client(emulator, "vidu", poll=SLOW_POLL) as client, WebhookReceiver(client, verifier) as receiver:
        task = client.submit(model="viduq2", prompt="a fox", callback_url=receiver.url + "/vidu?run=2")
        first = receiver.wait_for(1, timeout=30)[0]
        assert first.verdict.accepted and first.verdict.details["task_id"] == task.id
        body = json.dumps({"id": task.id, "state": "success", "creations": []}).encode()
        for target, reason in (("/vidu?run=2", "accepted"), ("/elsewhere?run=2", "bad_signature"),
                               ("/vidu?run=3", "bad_signature")):
            headers = signing.sign_vidu(API_KEY, "POST", "http://127.0.0.1/vidu?run=2", time.time())
            verdict = client.apply_webhook(verifier, headers=list(headers.items()), body=body, target=target)
            assert verdict.reason == reason, (target, verdict)


def test_vidu_signature_does_not_cover_the_body(emulator):
    """Vidu signs METHOD, path, query, Date and the nonce, not the body (as its callback-signature page describes):
    a body altered in transit still verifies. What protects it is the transport (an https callback URL) and the
    nonce (the delivery id: the same nonce twice is a duplicate). Pinned here so that the README's warning stays
    true."""
    emulator.webhooks.configure(mode="tampered")
    verifier = SIGNED[1][2]
    with make_client(emulator, "vidu", poll=SLOW_POLL) as client, WebhookReceiver(client, verifier) as receiver:
        client.submit(model="viduq2", prompt="a fox", callback_url=receiver.url + "/vidu")
        verdict = receiver.wait_for(1, timeout=30)[0].verdict
        assert verdict.accepted and verdict.details["signed"] is True


def test_emulator_openrouter_callback_url_https_or_loopback(emulator):
    """The emulator's OpenRouter takes https callback URLs, and http only to a loopback host (for tests' receivers);
    without a configured secret its callback goes unsigned, and is refused as a bad signature."""
    def submit(url: str) -> int:
        request = urllib.request.Request(
            emulator.base_url + "/api/v1/videos", method="POST",
            data=json.dumps({"model": "m", "prompt": "p", "callback_url": url}).encode(),
            headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert submit("http://hooks.example.com/cb") == 400
    assert submit("https://127.0.0.1:9/cb") == 202      # loopback: its callback attempt fails locally
    emulator.webhooks.configure(secret=None)
    verifier = SIGNED[0][2]
    with make_client(emulator, "openrouter", poll=SLOW_POLL) as client, WebhookReceiver(client, verifier) as receiver:
        assert submit(receiver.url + "/or") == 202
        assert receiver.wait_for(1, timeout=30)[0].verdict.reason == "malformed_header"
