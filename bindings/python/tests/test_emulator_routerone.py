"""The Router One routes of the emulator: ``/v1/videos/generations`` (202) and its status."""

from __future__ import annotations

import base64
import re

import pytest

from conftest import PNG, call, get, post_json, wait_until
from test_emulator import SAMPLE


def submit(emu, expect=202, **fields):
    reply = post_json(f"{emu.base_url}/v1/videos/generations", {"model": "video-default", "prompt": "a fox", **fields})
    assert reply.status == expect, reply.body
    return reply.json()


def status(emu, task_id):
    reply = get(f"{emu.base_url}/v1/videos/generations/{task_id}")
    assert reply.status == 200, reply.body
    return reply.json()


def assert_error(reply, status_code, code, type_=None):
    assert reply.status == status_code, reply.body
    error = reply.json()["error"]
    assert error["code"] == code and error["message"]
    if type_:
        assert error["type"] == type_
    return error


def test_submit_answers_202_pending(emu):
    body = submit(emu)
    assert set(body) == {"task_id", "status"} and body["status"] == "pending"
    assert re.fullmatch(r"v_[0-9a-f]{24}", body["task_id"])


def test_lifecycle_pending_processing_completed(make_emu):
    emu = make_emu(task_seconds=0.6)
    task_id = submit(emu, duration=5, size="1080p", aspect_ratio="9:16", negative_prompt="blur")["task_id"]
    seen = []
    final = wait_until(lambda: seen.append(status(emu, task_id)) or seen[-1],
                       lambda b: b["status"] == "completed", timeout=5)
    statuses = [b["status"] for b in seen]
    assert statuses[0] == "pending" and "processing" in statuses
    running = [b["progress"] for b in seen if b["status"] == "processing"]
    assert running == sorted(running) and all(1 <= p <= 99 for p in running)
    assert final["progress"] == 100 and "error" not in final
    assert final["url"].startswith(f"{emu.cdn_url}/files/{task_id}.mp4?")
    assert final["expires_at"] - final["created_at"] >= 24 * 3600
    assert call("GET", final["url"]).body == SAMPLE


def test_image_urls(emu):
    urls = [f"https://img.example/{i}.png" for i in range(3)]
    task_id = submit(emu, image_url="https://img.example/a.png", image_urls=urls,
                     input_reference="https://img.example/r.png")["task_id"]
    assert emu.store.get(task_id).extra["image_urls"] == urls


@pytest.mark.parametrize("fields, code, param", [
    ({"image_url": "/tmp/a.png"}, "reference_image_invalid", "image_url"),
    ({"input_reference": "data:image/png;base64," + base64.b64encode(PNG).decode()}, "reference_image_invalid",
     "input_reference"),
    ({"image_urls": ["https://x.test/1.png", "nope"]}, "reference_image_invalid", "image_urls"),
    ({"image_urls": [f"https://x.test/{i}.png" for i in range(4)]}, "invalid_parameter", "image_urls"),
    ({"duration": 7}, "invalid_parameter", "duration"),
    ({"duration": "5"}, "invalid_parameter", "duration"),
    ({"size": "1280x720"}, "invalid_parameter", "size"),
    ({"aspect_ratio": "4:3"}, "invalid_parameter", "aspect_ratio"),
    ({"negative_prompt": 3}, "invalid_parameter", "negative_prompt"),
    ({"image": "https://x.test/a.png"}, "invalid_parameter", "image"),
    ({"prompt": ""}, "invalid_parameter", "prompt"),
])
def test_refusals(emu, fields, code, param):
    reply = post_json(f"{emu.base_url}/v1/videos/generations", {"model": "m", "prompt": "p", **fields})
    error = assert_error(reply, 400, code, "invalid_request_error")
    assert error["param"] == param
    assert len(emu.store) == 0


def test_bad_bodies(emu):
    url = f"{emu.base_url}/v1/videos/generations"
    assert_error(post_json(url, b"{oops"), 400, "invalid_json")
    assert_error(post_json(url, ["x"]), 400, "invalid_json")


@pytest.mark.parametrize("code, status_code", [
    ("insufficient_balance", 402), ("upstream_error", 502), ("reference_image_invalid", 400),
    ("invalid_api_key", 401), ("rate_limit_exceeded", 429),
])
def test_error_scenarios(emu, code, status_code):
    reply = post_json(f"{emu.base_url}/v1/videos/generations", {"model": f"emu-error-{code}", "prompt": "p"})
    assert_error(reply, status_code, code)
    assert len(emu.store) == 0


def test_unknown_error_scenario(emu):
    reply = post_json(f"{emu.base_url}/v1/videos/generations", {"model": "emu-error-bogus", "prompt": "p"})
    assert "bogus" in assert_error(reply, 400, "invalid_parameter")["message"]


def test_invalid_and_unknown_task_ids(emu):
    assert_error(get(f"{emu.base_url}/v1/videos/generations/not-an-id"), 400, "invalid_task_id")
    assert_error(get(f"{emu.base_url}/v1/videos/generations/v_{'0' * 24}"), 404, "task_not_found")


def test_fail_empty_stuck_redirect(make_emu):
    emu = make_emu(task_seconds=0)
    failed = status(emu, submit(emu, model="emu-fail")["task_id"])
    assert failed["status"] == "failed" and failed["error"]["code"] == "content_policy_violation"
    assert "url" not in failed
    empty = status(emu, submit(emu, model="emu-empty")["task_id"])
    assert empty["status"] == "completed" and empty["url"] is None
    stuck = status(emu, submit(emu, model="emu-stuck")["task_id"])
    assert stuck["status"] == "processing" and stuck["progress"] == 50
    task_id = submit(emu, model="emu-redirect")["task_id"]
    redirected = status(emu, task_id)
    assert redirected["url"] == f"{emu.base_url}/v1/videos/{task_id}/content"
    assert get(redirected["url"]).status == 302


def test_requires_key(emu):
    reply = post_json(f"{emu.base_url}/v1/videos/generations", {"model": "m", "prompt": "p"},
                      headers={"Authorization": "Bearer nope"})
    assert_error(reply, 401, "invalid_api_key")
    assert get(f"{emu.base_url}/v1/videos/generations/v_00", headers={}).status == 401
