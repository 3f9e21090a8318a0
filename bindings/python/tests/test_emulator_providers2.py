"""The emulator's DashScope, Vidu and OpenRouter routes on the wire (both engines): each provider's key scheme and
401 shape, refused bodies, unknown tasks, cancel rules, covers and outputs behind signatures."""

from __future__ import annotations

import time

from conftest import API_KEY, call, get, post_json

DS_SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
DS = {"Authorization": f"Bearer {API_KEY}", "X-DashScope-Async": "enable"}
VIDU = {"Authorization": f"Token {API_KEY}"}
OR = {"Authorization": f"Bearer {API_KEY}"}


def finished(emu, url, headers, done):
    """Poll ``url`` until ``done(body)``; the emulator's tasks last 0.5 s."""
    for _ in range(100):
        body = get(url, headers=headers).json()
        if done(body):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{url} never finished")


def test_dashscope_shapes(emu):
    base = emu.base_url
    assert post_json(base + DS_SUBMIT, {"model": "m", "input": {"prompt": "p"}},
                     headers={"Authorization": "Bearer wrong", "X-DashScope-Async": "enable"}).json()["code"] == "InvalidApiKey"
    sync = post_json(base + DS_SUBMIT, {"model": "m", "input": {"prompt": "p"}}, headers=OR)
    assert sync.status == 403 and sync.json()["code"] == "AccessDenied"
    bad = post_json(base + DS_SUBMIT, {"model": "m", "input": {"prompt": "p"}, "parameters": {"size": "1280x720"}},
                    headers=DS)
    assert bad.status == 400 and bad.json()["code"] == "InvalidParameter" and "request_id" in bad.json()
    throttled = post_json(base + DS_SUBMIT, {"model": "m emu-error-throttling", "input": {"prompt": "p"}}, headers=DS)
    assert throttled.status == 429 and throttled.json()["code"] == "Throttling.RateQuota"
    created = post_json(base + DS_SUBMIT, {"model": "m", "input": {"prompt": "p"}, "parameters": {"duration": 5}},
                        headers=DS).json()["output"]
    assert created["task_status"] == "PENDING"
    body = finished(emu, f"{base}/api/v1/tasks/{created['task_id']}", DS,
                    lambda b: b["output"]["task_status"] == "SUCCEEDED")
    assert body["usage"] == {"video_duration": 5, "video_ratio": "1280*720", "video_count": 1}
    assert get(body["output"]["video_url"], headers={}).status == 200
    cancel = call("POST", f"{base}/api/v1/tasks/{created['task_id']}/cancel", headers=DS)
    assert cancel.status == 400 and cancel.json()["code"] == "UnsupportedOperation"
    failed = post_json(base + DS_SUBMIT, {"model": "m emu-failed-InternalError.Algo", "input": {"prompt": "p"}},
                       headers=DS).json()["output"]
    body = finished(emu, f"{base}/api/v1/tasks/{failed['task_id']}", DS, lambda b: b["output"]["task_status"] == "FAILED")
    assert body["output"]["code"] == "InternalError.Algo"
    unknown = get(f"{base}/api/v1/tasks/no-such-task", headers=DS)
    assert unknown.status == 200 and unknown.json()["output"]["task_status"] == "UNKNOWN"


def test_vidu_shapes(emu):
    base = emu.base_url
    wrong = post_json(base + "/ent/v2/text2video", {"model": "m", "prompt": "p"}, headers=OR)
    assert wrong.status == 401 and wrong.json()["reason"] == "Unauthorized"    # Bearer is not Vidu's scheme
    unwanted = post_json(base + "/ent/v2/text2video", {"model": "m", "prompt": "p", "n": 2}, headers=VIDU)
    assert unwanted.status == 400 and unwanted.json()["reason"] == "FieldUnwanted"
    count = post_json(base + "/ent/v2/start-end2video", {"model": "m", "prompt": "p", "images": ["https://i.example.com/a.png"]},
                      headers=VIDU)
    assert count.status == 400 and count.json()["reason"] == "FieldItemCountOutOfRange"
    credits = post_json(base + "/ent/v2/text2video", {"model": "m emu-error-creditinsufficient", "prompt": "p"}, headers=VIDU)
    assert credits.status == 400 and credits.json()["reason"] == "CreditInsufficient"
    assert get(base + "/ent/v2/tasks/404/creations", headers=VIDU).json()["reason"] == "TaskNotFound"
    task = post_json(base + "/ent/v2/text2video", {"model": "m emu-outputs-2", "prompt": "p"}, headers=VIDU).json()
    assert task["state"] == "created" and task["created_at"].endswith("Z")
    body = finished(emu, f"{base}/ent/v2/tasks/{task['task_id']}/creations", VIDU, lambda b: b["state"] == "success")
    assert len(body["creations"]) == 2 and body["credits"] == 4
    cover = body["creations"][1]["cover_url"]
    assert get(cover, headers={}).body[:3] == b"\xff\xd8\xff"
    assert get(cover.replace("sig=", "sig=0"), headers={}).status == 403
    late = call("POST", f"{base}/ent/v2/tasks/{task['task_id']}/cancel", b'{"id": "%s"}' % task["task_id"].encode(),
                {**VIDU, "Content-Type": "application/json"})
    assert late.status == 400 and "can not cancel" in late.json()["message"]


def test_openrouter_shapes(emu):
    base = emu.base_url
    missing = post_json(base + "/api/v1/videos", {"model": "m", "prompt": "p"}, headers={})
    assert missing.status == 401 and missing.json() == {"error": {"code": 401, "message": "No auth credentials found"}}
    unknown = post_json(base + "/api/v1/videos", {"model": "m", "prompt": "p", "negative_prompt": "x"}, headers=OR)
    assert unknown.status == 400 and "negative_prompt" in unknown.json()["error"]["message"]
    http_hook = post_json(base + "/api/v1/videos", {"model": "m", "prompt": "p", "callback_url": "http://h.example.com"},
                          headers=OR)
    assert http_hook.status == 400
    flagged = post_json(base + "/api/v1/videos", {"model": "m emu-error-moderation", "prompt": "p"}, headers=OR)
    assert flagged.status == 403 and flagged.json()["error"]["metadata"]["reasons"] == ["violence"]
    job = post_json(base + "/api/v1/videos", {"model": "m emu-outputs-2", "prompt": "p"}, headers=OR)
    assert job.status == 202 and job.json()["status"] == "pending"
    job_id = job.json()["id"]
    early = get(f"{base}/api/v1/videos/{job_id}/content", headers=OR)
    assert early.status == 409
    body = finished(emu, f"{base}/api/v1/videos/{job_id}", OR, lambda b: b["status"] == "completed")
    assert len(body["unsigned_urls"]) == 2 and len(body["urls"]) == 2 and body["expires_at"] > time.time()
    assert get(body["unsigned_urls"][1], headers={}).status == 401
    assert get(body["unsigned_urls"][1], headers=OR).status == 200
    assert get(f"{base}/api/v1/videos/{job_id}/content?index=2", headers=OR).status == 404
    assert get(body["urls"][0], headers={}).status == 200
    assert get(f"{base}/api/v1/videos/gen-vid-0-none", headers=OR).status == 404
