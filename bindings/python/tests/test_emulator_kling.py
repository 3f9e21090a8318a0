"""The Kling-native route of the emulator: ``/kling/v1/videos/{text2video|image2video}``."""

from __future__ import annotations

import base64
import re
import time

import pytest

from conftest import API_KEY, PNG, call, get, post_json, wait_until
from test_emulator import SAMPLE, set_control

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 20
GIF = b"GIF89a" + b"0" * 10


def submit(emu, action="text2video", expect=200, query="", **fields):
    body = {"model_name": "kling-v1", "prompt": "a fox", **fields}
    reply = post_json(f"{emu.base_url}/kling/v1/videos/{action}{query}", body)
    assert reply.status == expect, reply.body
    return reply.json()


def fetch(emu, task_id, action="text2video", query=""):
    return get(f"{emu.base_url}/kling/v1/videos/{action}/{task_id}{query}")


def assert_kling_error(reply, status, code):
    assert reply.status == status, reply.body
    body = reply.json()
    assert set(body) == {"code", "message", "request_id"}
    assert body["code"] == code and body["message"]
    return body


def test_submit_envelope(emu):
    before = int(time.time() * 1000)
    body = submit(emu)
    assert body["code"] == 0 and body["message"] == "SUCCEED" and body["request_id"]
    data = body["data"]
    assert re.fullmatch(r"[1-9][0-9]{17}", data["task_id"])
    assert data["task_status"] == "submitted" and data["task_info"] == {}
    assert before <= data["created_at"] <= int(time.time() * 1000) and data["updated_at"] == data["created_at"]


def test_envelope_lifecycle_and_video(make_emu):
    emu = make_emu(task_seconds=0.6)
    task_id = submit(emu, external_task_id="mine-1")["data"]["task_id"]
    seen = []
    final = wait_until(lambda: seen.append(fetch(emu, task_id).json()) or seen[-1],
                       lambda b: b["data"]["task_status"] == "succeed", timeout=5)
    statuses = [b["data"]["task_status"] for b in seen]
    assert statuses[0] == "submitted" and "processing" in statuses
    assert all("progress" not in b["data"] for b in seen), "Kling reports no progress"
    data = final["data"]
    assert data["task_info"] == {"external_task_id": "mine-1"} and data["task_status_msg"] == ""
    assert data["updated_at"] >= data["created_at"] > 10 ** 12, "millisecond timestamps"
    [video] = data["task_result"]["videos"]
    assert video["url"].startswith(f"{emu.cdn_url}/files/{task_id}.mp4?") and video["duration"] == "5.0"
    download = call("GET", video["url"])
    assert download.status == 200 and download.body == SAMPLE
    assert emu.requests()[-1]["authorization"] == "none"


def test_flat_shape_by_setting_and_query(make_emu):
    emu = make_emu(task_seconds=0)
    flat = submit(emu, query="?shape=flat")
    assert set(flat) == {"task_id", "status"} and flat["status"] == "queued"
    done = fetch(emu, flat["task_id"], query="?shape=flat").json()
    assert done["status"] == "succeeded" and done["progress"] == 100 and done["error"] is None
    assert done["url"].startswith(emu.cdn_url)
    assert fetch(emu, flat["task_id"]).json()["data"]["task_status"] == "succeed"
    set_control(emu, kling_shape="flat")
    assert set(submit(emu)) == {"task_id", "status"}
    assert fetch(emu, flat["task_id"]).json()["status"] == "succeeded"
    assert_kling_error(fetch(emu, flat["task_id"], query="?shape=xml"), 400, 1201)


def test_flat_running_has_progress(make_emu):
    emu = make_emu(task_seconds=100, kling_shape="flat")
    task_id = submit(emu)["task_id"]
    body = fetch(emu, task_id).json()
    assert body == {"task_id": task_id, "status": "queued", "progress": 0, "url": None, "error": None}


@pytest.mark.parametrize("image", [
    "https://example.com/a.png", base64.b64encode(PNG).decode(), base64.b64encode(JPEG).decode(),
])
def test_image2video_accepts_urls_and_bare_base64(emu, image):
    task_id = submit(emu, "image2video", image=image)["data"]["task_id"]
    assert fetch(emu, task_id, "image2video").status == 200


def test_image2video_tail_only(emu):
    submit(emu, "image2video", image_tail=base64.b64encode(PNG).decode())


@pytest.mark.parametrize("fields, fragment", [
    ({"image": "data:image/png;base64," + base64.b64encode(PNG).decode()}, "data: prefix"),
    ({"image": base64.b64encode(GIF).decode()}, "JPG or PNG"),
    ({"image": base64.b64encode(b"not an image").decode()}, "JPG or PNG"),
    ({"image": "not base64 !"}, "URL or base64"),
    ({"image": ""}, "non-empty"),
    ({}, "needs image or image_tail"),
    ({"image_tail": "https://x.test/t.png", "camera_control": {"type": "down_back"}}, "cannot be used together"),
])
def test_image2video_refusals(emu, fields, fragment):
    body = submit(emu, "image2video", expect=400, **fields)
    assert body["code"] == 1201 and fragment in body["message"]


@pytest.mark.parametrize("fields, fragment", [
    ({"prompt": ""}, "prompt is required"),
    ({"prompt": "x" * 2501}, "at most 2500"),
    ({"duration": 5}, "duration must be a string"),
    ({"duration": "2"}, "duration must be a string"),
    ({"aspect_ratio": "4:3"}, "aspect_ratio"),
    ({"mode": "ultra"}, "mode"),
    ({"cfg_scale": 1.5}, "cfg_scale"),
    ({"cfg_scale": True}, "cfg_scale"),
    ({"camera_control": {"type": "spin"}}, "camera_control.type"),
    ({"camera_control": {"type": "simple"}}, "camera_control.config"),
    ({"camera_control": {"type": "simple", "config": {"zoom": 5, "pan": 1}}}, "exactly one"),
    ({"camera_control": {"type": "simple", "config": {"zoom": 11}}}, "[-10, 10]"),
    ({"camera_control": {"type": "down_back", "config": {"zoom": 1}}}, "only for type simple"),
    ({"image": "https://x.test/a.png"}, "belongs to image2video"),
    ({"width": "1280"}, "width must be an integer"),
    ({"watermark_info": {"enabled": "no"}}, "watermark_info"),
    ({"callback_url": "ftp://x"}, "callback_url"),
    ({"external_task_id": ""}, "external_task_id"),
    ({"model_name": ""}, "model_name"),
])
def test_text2video_refusals(emu, fields, fragment):
    body = submit(emu, expect=400, **fields)
    assert body["code"] == 1201 and fragment in body["message"], body


def test_every_documented_field_is_accepted(emu):
    body = submit(emu, negative_prompt="blur", duration="10", aspect_ratio="9:16", mode="pro", cfg_scale=0.5,
                  camera_control={"type": "simple", "config": {"zoom": 5}}, width=1280, height=720, fps=24,
                  seed=7, n=1, watermark_info={"enabled": False}, callback_url="https://hooks.example/k",
                  external_task_id="ext-9", metadata_passthrough={"any": "thing"})
    assert body["code"] == 0
    task = emu.store.get(body["data"]["task_id"])
    assert "metadata_passthrough" in task.extra["fields"], "gateways keep fields Kling does not know"


def test_model_field_is_accepted_for_model_name(emu):
    reply = post_json(f"{emu.base_url}/kling/v1/videos/text2video", {"model": "kling-v2-master", "prompt": "p"})
    assert emu.store.get(reply.json()["data"]["task_id"]).model == "kling-v2-master"


def test_bad_bodies(emu):
    url = f"{emu.base_url}/kling/v1/videos/text2video"
    assert_kling_error(post_json(url, b"{oops"), 400, 1200)
    assert_kling_error(post_json(url, [1]), 400, 1200)


def test_tasks_live_under_their_family_and_external_id(emu):
    task_id = submit(emu, "image2video", image="https://x.test/a.png", external_task_id="ext-1")["data"]["task_id"]
    assert fetch(emu, task_id, "image2video").json()["data"]["task_id"] == task_id
    assert fetch(emu, "ext-1", "image2video").json()["data"]["task_id"] == task_id
    assert_kling_error(fetch(emu, task_id, "text2video"), 404, 1203)
    assert_kling_error(fetch(emu, "123456789012345678"), 404, 1203)
    body = submit(emu, expect=400, external_task_id="ext-1")
    assert "already used" in body["message"]


def test_other_dialects_tasks_are_not_kling_tasks(emu):
    reply = post_json(f"{emu.base_url}/v1/video/generations", {"model": "m", "prompt": "p"})
    assert_kling_error(fetch(emu, reply.json()["id"]), 404, 1203)


@pytest.mark.parametrize("code, status", [
    (1102, 429), (1301, 400), (1302, 429), (1303, 429), (1000, 401), (1103, 403), (1203, 404), (5001, 503),
])
def test_business_error_scenarios(emu, code, status):
    reply = post_json(f"{emu.base_url}/kling/v1/videos/text2video",
                      {"model_name": f"kling-v1-emu-error-{code}", "prompt": "p"})
    assert_kling_error(reply, status, code)
    assert len(emu.store) == 0, "an error scenario creates no task"


def test_unknown_error_scenario(emu):
    body = submit(emu, expect=400, model_name="emu-error-9999")
    assert "9999" in body["message"]


def test_fail_empty_stuck_scenarios(make_emu):
    emu = make_emu(task_seconds=0)
    failed = fetch(emu, submit(emu, model_name="emu-fail")["data"]["task_id"]).json()["data"]
    assert failed["task_status"] == "failed" and "safety" in failed["task_status_msg"]
    assert "task_result" not in failed
    empty = fetch(emu, submit(emu, model_name="emu-empty")["data"]["task_id"]).json()["data"]
    assert empty["task_status"] == "succeed" and empty["task_result"] == {"videos": []}
    stuck = fetch(emu, submit(emu, model_name="emu-stuck")["data"]["task_id"]).json()["data"]
    assert stuck["task_status"] == "processing"


def test_redirect_scenario_links_the_content_route(make_emu):
    emu = make_emu(task_seconds=0)
    task_id = submit(emu, model_name="emu-redirect")["data"]["task_id"]
    url = fetch(emu, task_id).json()["data"]["task_result"]["videos"][0]["url"]
    assert url == f"{emu.base_url}/v1/videos/{task_id}/content"
    reply = get(url)
    assert reply.status == 302 and reply.headers["Location"].startswith(emu.cdn_url)
    assert call("GET", reply.headers["Location"]).body == SAMPLE


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}])
def test_kling_routes_require_key(emu, headers):
    for method, path in [("POST", "/kling/v1/videos/text2video"), ("GET", "/kling/v1/videos/image2video/1")]:
        reply = call(method, emu.base_url + path, b"{}", headers)
        body = assert_kling_error(reply, 401, 1000)
        assert API_KEY not in body["message"]
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert len(emu.store) == 0
