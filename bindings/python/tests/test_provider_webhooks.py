"""Webhooks of the direct providers wired by the lead: fal (ED25519-signed envelope), Replicate (Standard Webhooks
over the prediction object) and Kling's own API (the unsigned task object). For each, the emulator sends its
callback when the task ends, a receiver (videogen's WebhookReceiver) verifies and applies it, and the client's wait,
polling every 60 s, ends on it. Asserted by mechanism, as in test_binding_webhooks_e2e.py: no status poll at all
for a signed full payload, exactly one for an unsigned hint; forged and stale callbacks are refused with their
reason."""

from __future__ import annotations


import pytest

import videogen
from conftest import API_KEY, SAMPLE_MP4, make_client
from videogen.webhook_server import WebhookReceiver
from videogen_emulator import Emulator
from webhook_support import SECRET, SLOW_POLL, wait_in_thread

FAL_APP = "fal-ai/kling-video/v2.1/standard/text-to-video"
KLING_SECRET = "emulator-kling-secret-key-0123456789"


@pytest.fixture
def emulator():
    with Emulator(api_key=API_KEY, task_seconds=0.5) as instance:
        instance.webhooks.configure(scheme="standard_webhooks", secret=SECRET, retries=0)
        yield instance


def api_requests(emu) -> list[dict]:
    return [entry for entry in emu.requests() if entry["origin"] == "api" and not entry["path"].startswith("/_emulator/")]



def finish_on_callback(receiver, thread, result, kind: str):
    received = receiver.wait_for(1, timeout=30)
    thread.join(30)
    assert not thread.is_alive(), "the wait did not end on the callback"
    assert "error" not in result, result
    verdict = received[0].verdict
    assert verdict.accepted and verdict.details["kind"] == kind, verdict
    assert result["end"] >= received[0].at - 0.001
    return result["task"]


def test_fal_signed_envelope_ends_the_wait_without_polling(emulator, tmp_path):
    verifier = {"scheme": "fal", "jwks": emulator.webhooks.fal_jwks()}
    with make_client(emulator, "fal", poll=SLOW_POLL) as client, WebhookReceiver(client, verifier) as receiver:
        task = client.submit(model=FAL_APP, prompt="a paper boat", callback_url=receiver.url + "/fal")
        submitted = len(api_requests(emulator))
        thread, result = wait_in_thread(task)
        done = finish_on_callback(receiver, thread, result, "applied")
        assert done.state is videogen.State.SUCCEEDED
        # No status poll and no response fetch: the envelope's payload named the video.
        assert api_requests(emulator)[submitted:] == []
        out = tmp_path / "fal.mp4"
        task.download(out)
        assert out.read_bytes() == open(SAMPLE_MP4, "rb").read()


def test_fal_forged_signature_refused(emulator):
    verifier = {"scheme": "fal", "jwks": emulator.webhooks.fal_jwks()}
    emulator.webhooks.configure(mode="forged")
    with make_client(emulator, "fal", poll=SLOW_POLL) as client, WebhookReceiver(client, verifier) as receiver:
        client.submit(model=FAL_APP, prompt="a paper boat", callback_url=receiver.url + "/fal")
        received = receiver.wait_for(1, timeout=30)
        assert received[0].verdict.reason == "bad_signature"


def test_replicate_prediction_callback_ends_the_wait_without_polling(emulator, tmp_path):
    verifier = {"scheme": "standard_webhooks", "secret": SECRET}
    with make_client(emulator, "replicate", poll=SLOW_POLL, prefer_wait=0) as client, \
            WebhookReceiver(client, verifier) as receiver:
        task = client.submit(model="google/veo-3", prompt="a paper boat", callback_url=receiver.url + "/replicate")
        submitted = len(api_requests(emulator))
        thread, result = wait_in_thread(task)
        done = finish_on_callback(receiver, thread, result, "applied")
        assert done.state is videogen.State.SUCCEEDED
        assert api_requests(emulator)[submitted:] == []
        out = tmp_path / "replicate.mp4"
        task.download(out)
        assert out.read_bytes() == open(SAMPLE_MP4, "rb").read()


def test_replicate_stale_callback_refused(emulator):
    verifier = {"scheme": "standard_webhooks", "secret": SECRET}
    emulator.webhooks.configure(mode="stale")
    with make_client(emulator, "replicate", poll=SLOW_POLL, prefer_wait=0) as client, \
            WebhookReceiver(client, verifier) as receiver:
        client.submit(model="google/veo-3", prompt="a paper boat", callback_url=receiver.url + "/replicate")
        received = receiver.wait_for(1, timeout=30)
        assert received[0].verdict.reason == "timestamp_outside_tolerance"


def test_kling_official_unsigned_post_is_a_hint_that_polls_once(emulator):
    with make_client(emulator, "kling_official", secret_key=KLING_SECRET, poll=SLOW_POLL) as client, \
            WebhookReceiver(client, {"scheme": "unsigned", "accept_unsigned": True}) as receiver:
        task = client.submit(model="kling-v2-master", prompt="a paper boat", callback_url=receiver.url + "/kling")
        submitted = len(api_requests(emulator))
        thread, result = wait_in_thread(task)
        done = finish_on_callback(receiver, thread, result, "hint")
        assert done.state is videogen.State.SUCCEEDED
        polls = api_requests(emulator)[submitted:]
        assert len(polls) == 1 and polls[0]["path"] == f"/v1/videos/text2video/{task.id}", polls
