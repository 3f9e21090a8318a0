"""MiniMax (Hailuo) through the binding and the CLI against the emulator: v1's three steps (submit, query, then
files/retrieve for the URL), the URL fetched again when it has expired, v2's content[] and usage, business codes as
errors, the 7-day query window as an expired task, resume in a new process, and the key kept out of everything.
MiniMax publishes no official Python SDK for video, so there is no SDK fidelity test here."""

from __future__ import annotations

import json
import time

import pytest
from cli_support import FAST, key_in_environment, videogen as cli  # noqa: F401  (the key in the environment)
from conftest import PNG
from provider_support import CANARY, assert_no_canary, client_for, resume_in_new_process

import videogen
from test_emulator import SAMPLE


def test_v1_three_steps_and_download(emu, tmp_path):
    with client_for(emu, "minimax") as client:
        task = client.submit(model="MiniMax-Hailuo-02", prompt="a fox", duration=6, resolution="768P",
                             image="https://img.example/first.png")
        assert task.record()["route"] == "v1" and task.record()["created_at"] is not None
        task.wait(timeout=20)
        assert task.state is videogen.State.SUCCEEDED and task.provider_status == "Success"
        record = task.record()
        assert record["links"]["file_id"] and task.video_url.startswith(emu.cdn_url)
        assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    paths = [r["path"] for r in emu.requests() if r["origin"] == "api"]
    assert paths[0] == "/v1/video_generation" and "/v1/query/video_generation" in paths
    assert paths.count("/v1/files/retrieve") >= 1
    stored = emu.store.get(task.id).extra["request"]
    assert stored["first_frame_image"] == "https://img.example/first.png" and stored["duration"] == 6


def test_an_expired_download_url_is_fetched_again_through_the_file(make_emu, tmp_path):
    emu = make_emu(task_seconds=0.3, url_ttl_seconds=-10)   # every URL handed out has already expired
    with client_for(emu, "minimax") as client:
        task = client.submit(model="MiniMax-Hailuo-02", prompt="a fox").wait(timeout=20)
        emu.settings.update({"url_ttl_seconds": 600})
        task.download(tmp_path / "v.mp4")
    assert (tmp_path / "v.mp4").read_bytes() == SAMPLE
    retrieves = [r for r in emu.requests() if r["path"] == "/v1/files/retrieve"]
    assert len(retrieves) >= 2   # the first URL was refused by the CDN, the re-poll asked for the file again


def test_v2_content_items_usage_and_download(emu, tmp_path):
    with client_for(emu, "minimax", minimax_api="v2") as client:
        task = client.submit(model="MiniMax-H3", prompt="a fox", duration=6, aspect_ratio="16:9",
                             image=PNG, image_tail="https://img.example/last.png",
                             images=["https://img.example/ref.png"]).wait(timeout=20)
        assert task.state is videogen.State.SUCCEEDED and task.record()["route"] == "v2"
        assert task.record()["usage"]["output_seconds"] == 6
        assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    content = emu.store.get(task.id).extra["request"]["content"]
    assert [item.get("role") for item in content] == [None, "first_frame", "last_frame", "reference_image"]
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")


@pytest.mark.parametrize("api, code, error", [
    ("v1", "1008", videogen.QuotaExceededError), ("v1", "1026", videogen.ContentPolicyError),
    ("v1", "1004", videogen.AuthenticationError), ("v2", "1002", videogen.RateLimitError),
    ("v2", "1026", videogen.ContentPolicyError), ("v2", "2013", videogen.VideoGenError),
])
def test_business_codes_are_errors(emu, api, code, error):
    with client_for(emu, "minimax", minimax_api=api, retry={"max_attempts": 1}) as client:
        with pytest.raises(error) as caught:
            client.submit(model=f"MiniMax-Hailuo-02-emu-error-{code}", prompt="a fox")
    assert caught.value.provider_code == code


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_refused_generation_is_a_content_policy_failure(emu, api):
    with client_for(emu, "minimax", minimax_api=api) as client:
        task = client.submit(model="MiniMax-Hailuo-02-emu-fail", prompt="a fox")
        with pytest.raises(videogen.ContentPolicyError) as caught:
            task.wait(timeout=20)
    assert caught.value.provider_code == "1027" and task.state is videogen.State.FAILED


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_task_past_the_7_day_window_is_expired_not_unknown(emu, api):
    with client_for(emu, "minimax") as client:
        old = {"record_version": 1, "id": "311223344556677", "dialect": "minimax", "base_url": emu.base_url,
               "state": "running", "route": api, "created_at": time.time() - 8 * 86400}
        task = client.resume(old)
        task.poll()
        assert task.state is videogen.State.EXPIRED
        assert "7 days" in task.error.message
        recent = client.resume({**old, "created_at": time.time() - 3600})
        with pytest.raises(videogen.NotFoundError):
            recent.poll()


def test_resume_in_a_new_process(emu, tmp_path):
    with client_for(emu, "minimax", minimax_api="v2") as client:
        record = client.submit(model="MiniMax-H3", prompt="a fox").record()
    # the new process's client is configured for v1: the record's route keeps the task on v2
    assert resume_in_new_process(emu, "minimax", record, str(tmp_path / "r.mp4")) == "SUCCEEDED"
    assert (tmp_path / "r.mp4").read_bytes() == SAMPLE
    assert any(r["path"].startswith("/v2/query/") for r in emu.requests())


def test_refused_fields_are_named(emu):
    with client_for(emu, "minimax") as client:
        with pytest.raises(videogen.VideoGenError, match="'images', 'seed'"):
            client.submit(model="m", prompt="p", images=["https://x.test/a.png"], seed=3)
    with pytest.raises(videogen.VideoGenError, match="minimax_api"):
        client_for(emu, "runway", minimax_api="v2")


def test_the_key_never_appears(make_emu, tmp_path):
    emu = make_emu(api_key=CANARY, task_seconds=0.3)
    with client_for(emu, "minimax", api_key=CANARY) as client:
        task = client.submit(model="MiniMax-Hailuo-02", prompt="a fox").wait(timeout=20)
        task.download(tmp_path / "v.mp4")
        with pytest.raises(videogen.VideoGenError) as caught:
            client.submit(model="MiniMax-Hailuo-02-emu-error-1004", prompt="a fox")
        assert_no_canary(json.dumps(task.record()), str(caught.value), caught.value.message)


def test_cli_generate(emu, tmp_path):
    run = cli("generate", "--dialect", "minimax", "--base-url", emu.base_url, *FAST, "-m", "MiniMax-Hailuo-02",
              "-p", "a fox", "-o", str(tmp_path / "v.mp4"), "--json", "-q")
    assert run.status == 0, run.err
    assert json.loads(run.out)["links"]["file_id"] and (tmp_path / "v.mp4").read_bytes() == SAMPLE
