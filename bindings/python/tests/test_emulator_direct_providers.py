"""The MiniMax, Runway, Luma and Ark routes of the emulator, spoken to raw: each service's own answer shapes for
the lifecycle, a wrong key, an unknown task, a refused request, an injected error and an expired URL."""

from __future__ import annotations

import pytest

from conftest import AUTH, call, get, post_json, wait_until
from test_emulator import SAMPLE

RUNWAY = {**AUTH, "X-Runway-Version": "2024-11-06"}
WRONG = {"Authorization": "Bearer sk-wrong"}


def test_minimax_v1_lifecycle_and_file(emu):
    created = post_json(f"{emu.base_url}/v1/video_generation", {"model": "MiniMax-Hailuo-02", "prompt": "a fox"}).json()
    assert created["base_resp"] == {"status_code": 0, "status_msg": "success"} and created["task_id"].isdigit()
    query = f"{emu.base_url}/v1/query/video_generation?task_id={created['task_id']}"
    seen = []
    done = wait_until(lambda: seen.append(get(query).json()) or seen[-1], lambda b: b["status"] == "Success", timeout=5)
    assert {b["status"] for b in seen} <= {"Queueing", "Processing", "Success"} and done["file_id"]
    file = get(f"{emu.base_url}/v1/files/retrieve?file_id={done['file_id']}").json()["file"]
    assert file["purpose"] == "video_generation" and call("GET", file["download_url"]).body == SAMPLE


def test_minimax_errors(emu):
    assert get(f"{emu.base_url}/v1/query/video_generation?task_id=1", headers=WRONG).json()["base_resp"]["status_code"] == 1004
    unknown = get(f"{emu.base_url}/v1/query/video_generation?task_id=123").json()
    assert unknown["base_resp"]["status_code"] == 2013 and "invalid task_id" in unknown["base_resp"]["status_msg"]
    v2 = get(f"{emu.base_url}/v2/query/video_generation/123")
    assert v2.status == 400 and v2.json()["error"]["message"] == "invalid task_id (2013)"
    refused = post_json(f"{emu.base_url}/v2/video_generation", {"model": "m-emu-error-1026", "content": [{"type": "text", "text": "x"}]})
    assert refused.status == 422 and refused.json()["error"]["message"].endswith("(1026)")
    no_text = post_json(f"{emu.base_url}/v2/video_generation", {"model": "m", "content": []})
    assert no_text.status == 400 and "(2013)" in no_text.json()["error"]["message"]
    assert get(f"{emu.base_url}/v2/query/video_generation/1", headers=WRONG).status == 401


def test_runway_shapes(emu):
    reply = call("POST", f"{emu.base_url}/v1/text_to_video", b'{"model": "gen4.5", "promptText": "x"}',
                 {**AUTH, "Content-Type": "application/json"})
    assert reply.status == 400 and "X-Runway-Version" in reply.json()["error"]
    bad = call("POST", f"{emu.base_url}/v1/image_to_video", b'{"model": "gen4_turbo", "bogus": 1}',
               {**RUNWAY, "Content-Type": "application/json"})
    assert bad.status == 400 and {tuple(i["path"]) for i in bad.json()["issues"]} == {("bogus",), ("promptImage",)}
    created = post_json(f"{emu.base_url}/v1/text_to_video", {"model": "gen4.5", "promptText": "x", "duration": 5},
                        headers=RUNWAY).json()
    done = wait_until(lambda: get(f"{emu.base_url}/v1/tasks/{created['id']}", headers=RUNWAY).json(),
                      lambda b: b["status"] == "SUCCEEDED", timeout=5)
    assert done["cost"] == {"credits": 25} and call("GET", done["output"][0]).body == SAMPLE
    assert get(f"{emu.base_url}/v1/tasks/nope", headers=RUNWAY).status == 404
    assert get(f"{emu.base_url}/v1/tasks/nope", headers={**WRONG, "X-Runway-Version": "2024-11-06"}).status == 401


def test_luma_shapes(emu):
    created = post_json(f"{emu.base_url}/dream-machine/v1/generations/video", {"model": "ray-2", "prompt": "x"})
    assert created.status == 201 and created.json()["state"] == "queued"
    body = wait_until(lambda: get(f"{emu.base_url}/dream-machine/v1/generations/{created.json()['id']}").json(),
                      lambda b: b["state"] == "completed", timeout=5)
    assert call("GET", body["assets"]["video"]).body == SAMPLE and body["failure_reason"] is None
    bad = post_json(f"{emu.base_url}/dream-machine/v1/generations", {"model": "ray-2", "prompt": "x",
                                                                     "keyframes": {"frame0": {"type": "image", "url": "/tmp/a.png"}}})
    assert bad.status == 400 and "frame0" in bad.json()["detail"]
    assert get(f"{emu.base_url}/dream-machine/v1/generations/nope").json() == {"detail": "Generation not found"}
    assert get(f"{emu.base_url}/dream-machine/v1/generations/nope", headers=WRONG).status == 401


def test_ark_shapes(make_emu):
    emu = make_emu(task_seconds=0.3, url_ttl_seconds=-10)
    path = f"{emu.base_url}/api/v3/contents/generations/tasks"
    created = post_json(path, {"model": "seedance", "content": [{"type": "text", "text": "x"}], "duration": 5}).json()
    body = wait_until(lambda: get(f"{path}/{created['id']}").json(), lambda b: b["status"] == "succeeded", timeout=5)
    assert body["usage"] == {"completion_tokens": 108000, "total_tokens": 108000}
    assert call("GET", body["content"]["video_url"]).status == 403   # the URL handed out has already expired
    unknown = get(f"{path}/cgt-nope")
    assert unknown.status == 404 and unknown.json()["error"]["code"] == "ResourceNotFound"
    assert get(f"{path}/cgt-nope", headers=WRONG).json()["error"]["code"] == "AuthenticationError"
    refused = post_json(path, {"model": "m-emu-error-ratelimitexceeded", "content": [{"type": "text", "text": "x"}]})
    assert refused.status == 429 and refused.json()["error"]["code"] == "RateLimitExceeded"
    role = post_json(path, {"model": "m", "content": [{"type": "image_url", "image_url": {"url": "https://a/b.png"}, "role": "x"}]})
    assert role.status == 400 and role.json()["error"]["param"] == "content.role"


@pytest.mark.parametrize("path", ["/v1/video_generation", "/v1/text_to_video", "/dream-machine/v1/generations/video",
                                  "/api/v3/contents/generations/tasks"])
def test_every_route_needs_the_key(emu, path):
    reply = call("POST", emu.base_url + path, b"{}", {"Content-Type": "application/json"})
    assert reply.status in (200, 401)   # MiniMax v1 answers HTTP 200 with base_resp 1004
    assert "1004" in reply.body.decode() or reply.status == 401
