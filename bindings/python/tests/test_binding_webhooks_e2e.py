"""Webhooks end to end: the emulator sends its signed callback when a task ends; a receiver (videogen's
WebhookReceiver, on the standard library's HTTP server) applies it to the client's tasks; the client's wait, polling
every 60 s, ends on the callback. Asserted by mechanism: the emulator's request log shows no status poll at all
(full payload) or exactly the one the hint asked for (OpenAI's envelope, Kling's unsigned post), and the wait ended
after the callback was applied. The delay from the callback to the end of the wait is measured and printed, not
asserted (the bound would be the machine's load)."""

from __future__ import annotations


import pytest

import videogen
from conftest import API_KEY, SAMPLE_MP4, make_client
from videogen.webhook_server import WebhookReceiver
from videogen_emulator import Emulator
from webhook_support import SECRET, SLOW_POLL, wait_in_thread

STANDARD = {"scheme": "standard_webhooks", "secret": SECRET}


@pytest.fixture
def emulator():
    with Emulator(api_key=API_KEY, task_seconds=0.5) as instance:
        instance.webhooks.configure(scheme="standard_webhooks", secret=SECRET)
        yield instance


def status_polls(emu, task_id: str) -> list[dict]:
    return [entry for entry in emu.requests()
            if entry["method"] == "GET" and entry["path"].endswith("/" + task_id) and entry["origin"] == "api"]



def test_full_payload_callback_ends_the_wait_without_polling(emulator, tmp_path):
    with make_client(emulator, "unified", poll=SLOW_POLL) as client, WebhookReceiver(client, STANDARD) as receiver:
        task = client.submit(model="veo-3", prompt="a fox", callback_url=receiver.url + "/hooks/videogen")
        thread, result = wait_in_thread(task)
        received = receiver.wait_for(1, timeout=30)
        thread.join(30)
        assert not thread.is_alive(), "the wait did not end on the callback"
        assert "error" not in result, result
        assert result["task"].state == videogen.State.SUCCEEDED
        first = received[0]
        assert first.verdict.accepted and first.verdict.details["kind"] == "applied", first.verdict
        assert first.verdict.details["waits"] == 1 and first.verdict.details["task_id"] == task.id
        # Mechanism: the wait ended on the event, with no status poll at all (polling was 60 s away).
        assert status_polls(emulator, task.id) == []
        assert result["end"] >= first.at - 0.001
        print(f"\ncallback applied -> wait ended: {1000 * (result['end'] - first.at):.1f} ms")
        # The download goes through the ordinary path.
        out = tmp_path / "video.mp4"
        task.download(out)
        assert out.read_bytes() == open(SAMPLE_MP4, "rb").read()


def test_openai_envelope_is_a_hint_that_polls_once(emulator):
    with make_client(emulator, "openai", poll=SLOW_POLL) as client, WebhookReceiver(client, STANDARD) as receiver:
        emulator.webhooks.configure(url=receiver.url + "/openai")
        task = client.submit(model="sora-2", prompt="a fox")
        thread, result = wait_in_thread(task)
        received = receiver.wait_for(1, timeout=30)
        thread.join(30)
        assert not thread.is_alive() and "error" not in result, result
        assert result["task"].state == videogen.State.SUCCEEDED
        verdict = received[0].verdict
        assert verdict.details["kind"] == "hint" and verdict.details["event_type"] == "video.completed"
        polls = status_polls(emulator, task.id)
        # One poll, the one the hint asked for, after the callback was sent.
        assert len(polls) == 1, polls
        sent = emulator.webhooks.wait_deliveries(1, timeout=30)[0]["time"]
        assert polls[0]["time"] >= sent - 0.001


def test_kling_unsigned_post_refused_by_default_and_a_hint_when_accepted(emulator):
    emulator.webhooks.configure(retries=0)
    with make_client(emulator, "kling", poll=SLOW_POLL) as client:
        with WebhookReceiver(client, {"scheme": "unsigned"}) as refusing:
            task = client.submit(model="kling-v1", prompt="a fox", callback_url=refusing.url + "/kling")
            received = refusing.wait_for(1, timeout=30)
            assert received[0].verdict.reason == "unsigned"
            assert emulator.webhooks.wait_deliveries(1, timeout=30)[-1]["status"] == 401
            assert status_polls(emulator, task.id) == []
        with WebhookReceiver(client, {"scheme": "unsigned", "accept_unsigned": True}) as hinting:
            task = client.submit(model="kling-v1", prompt="a fox", callback_url=hinting.url + "/kling")
            thread, result = wait_in_thread(task)
            received = hinting.wait_for(1, timeout=30)
            thread.join(30)
            assert not thread.is_alive() and "error" not in result, result
            verdict = received[0].verdict
            assert verdict.details["kind"] == "hint" and verdict.details["signed"] is False
            assert "state" not in verdict.details      # never trusted for the result
            assert len(status_polls(emulator, task.id)) == 1
            assert result["task"].state == videogen.State.SUCCEEDED


def test_duplicates_change_nothing(emulator):
    emulator.webhooks.configure(duplicates=2)
    with make_client(emulator, "unified", poll=SLOW_POLL) as client, WebhookReceiver(client, STANDARD) as receiver:
        task = client.submit(model="veo-3", prompt="a fox", callback_url=receiver.url + "/hooks")
        thread, result = wait_in_thread(task)
        received = receiver.wait_for(3, timeout=30)
        thread.join(30)
        assert [r.verdict.details["kind"] for r in received] == ["applied", "duplicate", "duplicate"]
        assert len({r.verdict.details["delivery_id"] for r in received}) == 1
        assert result["task"].state == videogen.State.SUCCEEDED
        assert status_polls(emulator, task.id) == []


@pytest.mark.parametrize("mode, reason", [("forged", "bad_signature"), ("tampered", "bad_signature"),
                                          ("stale", "timestamp_outside_tolerance")])
def test_forged_tampered_and_stale_callbacks_refused_and_retried(emulator, mode, reason):
    emulator.webhooks.configure(mode=mode, retries=2, retry_delay=0.01)
    with make_client(emulator, "unified", poll=SLOW_POLL) as client, WebhookReceiver(client, STANDARD) as receiver:
        task = client.submit(model="veo-3", prompt="a fox", callback_url=receiver.url + "/hooks")
        received = receiver.wait_for(3, timeout=30)
        assert [r.verdict.reason for r in received] == [reason] * 3      # the first delivery and two retries
        assert [d["status"] for d in emulator.webhooks.wait_deliveries(3, timeout=30)] == [401] * 3
        assert task.state != videogen.State.SUCCEEDED and status_polls(emulator, task.id) == []


def test_replayed_delivery_is_a_duplicate(emulator):
    with make_client(emulator, "unified", poll=SLOW_POLL) as client, WebhookReceiver(client, STANDARD) as receiver:
        first = client.submit(model="veo-3", prompt="a fox", callback_url=receiver.url + "/hooks")
        receiver.wait_for(1, timeout=30)
        emulator.webhooks.configure(mode="replayed")
        client.submit(model="veo-3", prompt="a fox", callback_url=receiver.url + "/hooks")
        received = receiver.wait_for(2, timeout=30)
        assert received[1].verdict.details["kind"] == "duplicate"
        assert received[1].verdict.details["task_id"] == first.id


def test_oversized_callback_refused_by_the_receiver(emulator):
    with make_client(emulator, "unified", poll=SLOW_POLL) as client:
        with WebhookReceiver(client, dict(STANDARD, max_body_bytes=64)) as receiver:
            client.submit(model="veo-3", prompt="a fox", callback_url=receiver.url + "/hooks")
            assert emulator.webhooks.wait_deliveries(1, timeout=30)[0]["status"] == 413
            assert receiver.received() == []
