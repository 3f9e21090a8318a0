"""End-to-end tests of the loopback emulator over real HTTP connections."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import (API_KEY, AUTH, EMULATOR_ASSETS, EMULATOR_PYTHONPATH, PNG, call, get, post_form, post_json,
                      wait_until)
from videogen_emulator import Emulator

SAMPLE_DIR = Path(EMULATOR_ASSETS)
SAMPLE = (SAMPLE_DIR / "sample.mp4").read_bytes()
VIDEO_KEYS = {"id", "object", "created_at", "completed_at", "expires_at", "model", "progress",
              "prompt", "remixed_from_video_id", "seconds", "size", "status", "error"}


def create_video(emu, model="sora-2", headers=None, **fields):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "a cat", "model": model, **fields},
                      headers={**AUTH, **(headers or {})})
    assert reply.status == 200, reply.body
    return reply.json()


def submit_task(emu, model="kling-v2", headers=None, **fields):
    reply = post_json(f"{emu.base_url}/v1/video/generations",
                      {"model": model, "prompt": "a dog", **fields}, headers={**AUTH, **(headers or {})})
    assert reply.status == 200, reply.body
    return reply.json()


def video(emu, vid):
    return get(f"{emu.base_url}/v1/videos/{vid}").json()


def poll(emu, task_id, shape=None):
    query = f"?shape={shape}" if shape else ""
    reply = get(f"{emu.base_url}/v1/video/generations/{task_id}{query}")
    assert reply.status == 200, reply.body
    return reply.json()


def set_control(emu, **changes):
    reply = post_json(f"{emu.base_url}/_emulator/control", changes, headers={})
    assert reply.status == 200, reply.body
    return reply.json()


def assert_openai_error(reply, status, code, param=None):
    assert reply.status == status, reply.body
    error = reply.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["code"] == code and error["param"] == param
    return error


# --- control routes ---------------------------------------------------------------------------

def test_health_needs_no_key(emu):
    assert get(f"{emu.base_url}/_emulator/health", headers={}).json() == {"ok": True}
    bad = {"Authorization": "Bearer wrong"}
    assert get(f"{emu.base_url}/_emulator/health", headers=bad).status == 200


def test_control_get_and_update(emu):
    settings = get(f"{emu.base_url}/_emulator/control", headers={}).json()
    assert settings == {"task_seconds": 0.5, "task_seconds_spread": 0.0, "unified_shape": "envelope",
                        "www_authenticate": "Bearer", "poll_after_ms": None, "url_ttl_seconds": 600,
                        "kling_shape": "envelope", "chat_form": "markdown", "task_id": None, "server_address": None,
                        "progress_profile": "linear", "video_bytes": None}
    new = set_control(emu, task_seconds=0, unified_shape="flat", www_authenticate="Basic",
                      poll_after_ms=250)
    assert new["task_seconds"] == 0 and new["unified_shape"] == "flat"
    assert new["www_authenticate"] == "Basic" and new["poll_after_ms"] == 250
    assert API_KEY not in json.dumps(new)
    # task_seconds=0 applies to new tasks: completed at once.
    assert video(emu, create_video(emu)["id"])["status"] == "completed"


@pytest.mark.parametrize("task_id", ["..", ".", "a/b?c#d%e", ""])
def test_task_id_setting_gives_new_tasks_an_odd_id(emu, task_id):
    set_control(emu, task_id=task_id)
    created = create_video(emu)
    assert created["id"] == task_id
    if task_id:     # read back from one percent-encoded path segment
        assert video(emu, urllib.parse.quote(task_id, safe=""))["id"] == task_id
    set_control(emu, task_id=None)
    assert create_video(emu)["id"].startswith("video_")


@pytest.mark.parametrize("changes, param", [
    ({"bogus": 1}, "bogus"),
    ({"task_seconds": 1, "api_key": "x"}, "api_key"),
])
def test_control_rejects_unknown_keys(emu, changes, param):
    reply = post_json(f"{emu.base_url}/_emulator/control", changes, headers={})
    assert_openai_error(reply, 400, "unknown_parameter", param)
    assert emu.settings.get("task_seconds") == 0.5     # nothing applied


@pytest.mark.parametrize("changes", [
    {"task_seconds": -1}, {"task_seconds": "3"}, {"task_seconds": True},
    {"unified_shape": "xml"}, {"www_authenticate": "Digest"}, {"poll_after_ms": -5},
    {"poll_after_ms": 1.5}, {"url_ttl_seconds": "x"}, {"task_id": 7}, {"task_id": "x" * 4097},
])
def test_control_rejects_bad_values_atomically(emu, changes):
    reply = post_json(f"{emu.base_url}/_emulator/control", {"unified_shape": "flat", **changes},
                      headers={})
    assert_openai_error(reply, 400, "invalid_value")
    assert emu.settings.get("unified_shape") == "envelope"


def test_control_rejects_non_object(emu):
    assert post_json(f"{emu.base_url}/_emulator/control", [1], headers={}).status == 400
    assert post_json(f"{emu.base_url}/_emulator/control", b"{nope", headers={}).status == 400


def test_reset_clears_tasks_and_log(emu):
    vid = create_video(emu)["id"]
    assert len(emu.requests()) == 1
    assert post_json(f"{emu.base_url}/_emulator/reset", {}, headers={}).json() == {"ok": True}
    assert emu.requests() == []
    assert get(f"{emu.base_url}/v1/videos/{vid}").status == 404


# --- auth -------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"},
                                     {"Authorization": f"Basic {API_KEY}"},
                                     {"Authorization": "Bearer"}])
def test_openai_routes_require_key(emu, headers):
    for method, path in [("GET", "/v1/videos/video_x"), ("GET", "/v1/videos/video_x/content"),
                         ("POST", "/v1/videos"), ("GET", "/v1/anything")]:
        reply = call(method, emu.base_url + path, headers=headers)
        assert reply.status == 401
        assert reply.headers["WWW-Authenticate"] == 'Bearer realm="videogen-emulator"'
        assert reply.json() == {"error": {"message": "Incorrect API key provided.",
                                          "type": "invalid_request_error", "param": None,
                                          "code": "invalid_api_key"}}
        assert API_KEY.encode() not in reply.body


def test_unified_routes_401_shape(emu):
    for method, path in [("POST", "/v1/video/generations"), ("GET", "/v1/video/generations/task_x")]:
        reply = call(method, emu.base_url + path, headers={"Authorization": "Bearer bad"})
        assert reply.status == 401
        assert reply.json() == {"code": "invalid_api_key", "message": "invalid token", "data": None}
        assert "WWW-Authenticate" in reply.headers


def test_basic_challenge_from_constructor_and_control(make_emu):
    emu = make_emu(www_authenticate="Basic")
    reply = get(f"{emu.base_url}/v1/videos/x", headers={})
    assert reply.headers["WWW-Authenticate"] == 'Basic realm="videogen-emulator"'
    set_control(emu, www_authenticate="Bearer")
    reply = get(f"{emu.base_url}/v1/videos/x", headers={})
    assert reply.headers["WWW-Authenticate"] == 'Bearer realm="videogen-emulator"'


def test_bearer_scheme_is_case_insensitive(emu):
    reply = get(f"{emu.base_url}/v1/videos/video_x", headers={"Authorization": f"bearer {API_KEY}"})
    assert reply.status == 404


# --- OpenAI dialect: create ---------------------------------------------------------------------

def test_create_multipart_defaults(emu):
    before = int(time.time())
    obj = create_video(emu)
    assert set(obj) == VIDEO_KEYS
    assert re.fullmatch(r"video_[0-9a-f]{24}", obj["id"])
    assert obj["object"] == "video" and obj["status"] == "queued" and obj["progress"] == 0
    assert obj["model"] == "sora-2" and obj["prompt"] == "a cat"
    assert obj["seconds"] == "4" and obj["size"] == "720x1280"
    assert obj["completed_at"] is None and obj["expires_at"] is None and obj["error"] is None
    assert obj["remixed_from_video_id"] is None
    assert before <= obj["created_at"] <= int(time.time())


def test_create_model_defaults_to_sora_2(emu):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p"})
    assert reply.json()["model"] == "sora-2"


def test_create_fields_and_gateway_forms(emu):
    obj = create_video(emu, model="veo-3.1", seconds="8", size="16x9", watermark="false", user="u1")
    assert (obj["model"], obj["seconds"], obj["size"]) == ("veo-3.1", "8", "16x9")


def test_create_json_body(emu):
    reply = post_json(f"{emu.base_url}/v1/videos", {"prompt": "p", "seconds": "12", "size": "1280x720",
                                                    "input_reference": "https://x.test/a.png"})
    obj = reply.json()
    assert reply.status == 200 and obj["seconds"] == "12" and obj["size"] == "1280x720"


def test_create_json_input_reference_object(emu):
    reply = post_json(f"{emu.base_url}/v1/videos",
                      {"prompt": "p", "input_reference": {"image_url": "https://x.test/a.png"}})
    assert reply.status == 200


@pytest.mark.parametrize("image", [PNG, b"\xff\xd8\xff\xe0" + b"0" * 20,
                                   b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"GIF89a" + b"0" * 10])
def test_create_with_image_file(emu, image):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p"},
                      files={"input_reference": ("ref.bin", image, "application/octet-stream")})
    assert reply.status == 200, reply.body


def test_create_with_url_string_reference(emu):
    reply = post_form(f"{emu.base_url}/v1/videos",
                      {"prompt": "p", "input_reference": "https://example.com/ref.jpg"})
    assert reply.status == 200


def test_create_rejects_non_image_file(emu):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p"},
                      files={"input_reference": ("ref.png", b"not an image", "image/png")})
    assert_openai_error(reply, 400, "invalid_value", "input_reference")


@pytest.mark.parametrize("value", ["ftp://x/y.png", "just text", ""])
def test_create_rejects_non_url_string_reference(emu, value):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p", "input_reference": value})
    assert_openai_error(reply, 400, "invalid_type", "input_reference")


@pytest.mark.parametrize("fields", [{}, {"model": "sora-2"}, {"prompt": ""}, {"prompt": "   "}])
def test_create_missing_prompt(emu, fields):
    reply = post_form(f"{emu.base_url}/v1/videos", fields)
    error = assert_openai_error(reply, 400, "missing_required_parameter", "prompt")
    assert "prompt" in error["message"]


def test_create_empty_body_is_missing_prompt(emu):
    reply = call("POST", f"{emu.base_url}/v1/videos", b"", AUTH)
    assert_openai_error(reply, 400, "missing_required_parameter", "prompt")


def test_create_unknown_field(emu):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p", "duration": "5"})
    error = assert_openai_error(reply, 400, "unknown_parameter", "duration")
    assert error["message"] == "Unrecognized request argument supplied: duration"


@pytest.mark.parametrize("seconds", ["four", "4.0", "-4", "", "0"])
def test_create_bad_seconds_multipart(emu, seconds):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p", "seconds": seconds})
    error = assert_openai_error(reply, 400, "invalid_type", "seconds")
    assert error["message"].startswith("Invalid type for 'seconds': ")


@pytest.mark.parametrize("seconds, kind", [(4, "an integer"), (4.0, "a number"), (None, "null")])
def test_create_bad_seconds_json(emu, seconds, kind):
    reply = post_json(f"{emu.base_url}/v1/videos", {"prompt": "p", "seconds": seconds})
    error = assert_openai_error(reply, 400, "invalid_type", "seconds")
    assert kind in error["message"]


@pytest.mark.parametrize("size", ["720p", "720*1280", "x", "16:9"])
def test_create_bad_size(emu, size):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p", "size": size})
    assert_openai_error(reply, 400, "invalid_value", "size")


def test_create_bad_bodies(emu):
    url = f"{emu.base_url}/v1/videos"
    assert post_json(url, b"{oops").status == 400
    assert post_json(url, ["prompt"]).status == 400
    assert post_json(url, {"prompt": 5}).json()["error"]["param"] == "prompt"
    reply = call("POST", url, b"prompt=x", {**AUTH, "Content-Type": "application/x-www-form-urlencoded"})
    assert_openai_error(reply, 400, "unsupported_content_type")
    reply = call("POST", url, b"garbage", {**AUTH, "Content-Type": "multipart/form-data; boundary=zz"})
    assert_openai_error(reply, 400, "invalid_multipart")
    reply = call("POST", url, b"garbage", {**AUTH, "Content-Type": "multipart/form-data"})
    assert_openai_error(reply, 400, "invalid_multipart")


# --- OpenAI dialect: lifecycle and retrieval ----------------------------------------------------

def test_openai_lifecycle_over_time(make_emu):
    emu = make_emu(task_seconds=1.0)
    vid = create_video(emu)["id"]
    first = video(emu, vid)
    assert first["status"] == "queued" and first["progress"] == 0   # queued for the first 0.2 s
    seen = [first]
    final = wait_until(lambda: seen.append(video(emu, vid)) or seen[-1],
                       lambda o: o["status"] == "completed", timeout=5)
    statuses = [o["status"] for o in seen]
    assert "in_progress" in statuses
    order = ["queued", "in_progress", "completed"]
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)
    running = [o["progress"] for o in seen if o["status"] == "in_progress"]
    assert all(1 <= p <= 99 for p in running) and running == sorted(running)
    assert set(final) == VIDEO_KEYS and final["progress"] == 100 and final["error"] is None
    assert final["completed_at"] >= final["created_at"]
    assert final["expires_at"] == final["completed_at"] + 3600


def test_fail_scenario(make_emu):
    emu = make_emu(task_seconds=0)
    obj = video(emu, create_video(emu, model="sora-2-emu-fail")["id"])
    assert obj["status"] == "failed"
    assert obj["error"] == {"code": "content_policy_violation",
                            "message": "The request was rejected by the safety system (emulated)."}
    assert obj["completed_at"] is None and obj["expires_at"] is None
    reply = get(f"{emu.base_url}/v1/videos/{obj['id']}/content")
    error = assert_openai_error(reply, 404, "video_not_available")
    assert "failed" in error["message"]


def test_fail_happens_only_at_T(emu):
    vid = create_video(emu, model="emu-fail")["id"]
    assert video(emu, vid)["status"] in ("queued", "in_progress")
    assert wait_until(lambda: video(emu, vid), lambda o: o["status"] != "queued"
                      and o["status"] != "in_progress")["status"] == "failed"


def test_stuck_scenario(make_emu):
    emu = make_emu(task_seconds=0)
    vid = create_video(emu, model="emu-stuck")["id"]
    for _ in range(3):
        obj = video(emu, vid)
        assert obj["status"] == "in_progress" and obj["progress"] == 50
        time.sleep(0.05)
    assert_openai_error(get(f"{emu.base_url}/v1/videos/{vid}/content"), 404, "video_not_ready")


def test_empty_scenario(make_emu):
    emu = make_emu(task_seconds=0)
    obj = video(emu, create_video(emu, model="emu-empty")["id"])
    assert obj["status"] == "completed" and obj["progress"] == 100
    assert "metadata" not in obj
    reply = get(f"{emu.base_url}/v1/videos/{obj['id']}/content")
    error = assert_openai_error(reply, 404, "video_not_available")
    assert "completed" in error["message"]


def test_redirect_scenario(make_emu):
    emu = make_emu(task_seconds=0)
    vid = create_video(emu, model="emu-redirect")["id"]
    reply = get(f"{emu.base_url}/v1/videos/{vid}/content")
    assert reply.status == 302
    location = reply.headers["Location"]
    assert location.startswith(f"{emu.cdn_url}/files/{vid}.mp4?expires=")
    assert reply.json() == {"redirect": location}
    followed = call("GET", location)
    assert followed.status == 200 and followed.body == SAMPLE
    assert emu.requests()[-1]["origin"] == "cdn"
    assert emu.requests()[-1]["authorization"] == "none"


def test_scenario_header_wins_over_model(make_emu):
    emu = make_emu(task_seconds=0)
    failed = create_video(emu, model="sora-2", headers={"X-Emulator-Scenario": "fail"})
    assert video(emu, failed["id"])["status"] == "failed"
    ok = create_video(emu, model="emu-fail", headers={"X-Emulator-Scenario": "emu-success"})
    assert video(emu, ok["id"])["status"] == "completed"
    task = submit_task(emu, headers={"X-Emulator-Scenario": "stuck"})
    assert poll(emu, task["id"], "flat")["status"] == "in_progress"
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p"},
                      headers={**AUTH, "X-Emulator-Scenario": "explode"})
    assert_openai_error(reply, 400, "invalid_scenario")


def test_poll_after_header(make_emu):
    emu = make_emu(poll_after_ms=1500)
    vid = create_video(emu)["id"]
    assert get(f"{emu.base_url}/v1/videos/{vid}").headers["openai-poll-after-ms"] == "1500"
    set_control(emu, poll_after_ms=None)
    assert get(f"{emu.base_url}/v1/videos/{vid}").headers.get("openai-poll-after-ms") is None


def test_unknown_video_404(emu):
    for path in ("/v1/videos/video_nope", "/v1/videos/video_nope/content"):
        reply = get(emu.base_url + path)
        assert reply.status == 404
        assert reply.json() == {"error": {"message": "Video with id 'video_nope' not found.",
                                          "type": "invalid_request_error", "param": None,
                                          "code": "video_not_found"}}


def test_content_not_ready(make_emu):
    emu = make_emu(task_seconds=100)
    vid = create_video(emu)["id"]
    error = assert_openai_error(get(f"{emu.base_url}/v1/videos/{vid}/content"), 404, "video_not_ready")
    assert error["message"] == "Video is not ready yet (status: queued)."


def test_content_variants(make_emu):
    emu = make_emu(task_seconds=0)
    vid = create_video(emu)["id"]
    assert get(f"{emu.base_url}/v1/videos/{vid}/content?variant=video").body == SAMPLE
    for variant in ("thumbnail", "spritesheet"):
        reply = get(f"{emu.base_url}/v1/videos/{vid}/content?variant={variant}")
        assert reply.status == 200 and reply.headers["Content-Type"] == "image/jpeg"
        assert reply.body == (Path(SAMPLE_DIR) / f"{variant}.jpg").read_bytes()
    assert_openai_error(get(f"{emu.base_url}/v1/videos/{vid}/content?variant=gif"), 400,
                        "invalid_value", "variant")


# --- media: content route, Range, ETag ---------------------------------------------------------

@pytest.fixture
def content_url(make_emu):
    emu = make_emu(task_seconds=0)
    return f"{emu.base_url}/v1/videos/{create_video(emu)['id']}/content"


def test_content_full(content_url):
    reply = get(content_url)
    assert reply.status == 200 and reply.body == SAMPLE
    assert reply.headers["Content-Type"] == "video/mp4"
    assert reply.headers["Content-Length"] == str(len(SAMPLE))
    assert reply.headers["Accept-Ranges"] == "bytes"
    assert reply.headers["ETag"] == '"' + hashlib.sha256(SAMPLE).hexdigest()[:32] + '"'
    assert reply.headers["Last-Modified"].endswith("GMT")
    assert SAMPLE[4:8] == b"ftyp" and len(SAMPLE) < 20_000


def test_content_head(content_url):
    reply = call("HEAD", content_url, headers=AUTH)
    assert reply.status == 200 and reply.body == b""
    assert reply.headers["Content-Length"] == str(len(SAMPLE))


@pytest.mark.parametrize("header, start, end", [
    ("bytes=0-99", 0, 100), ("bytes=100-", 100, None), ("bytes=-50", -50, None),
    ("bytes=10-10", 10, 11), ("bytes=1000-999999", 1000, None), ("bytes=-999999", 0, None),
])
def test_content_ranges(content_url, header, start, end):
    reply = get(content_url, headers={**AUTH, "Range": header})
    expected = SAMPLE[start:end]
    assert reply.status == 206 and reply.body == expected
    first = start % len(SAMPLE)
    assert reply.headers["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{len(SAMPLE)}"
    assert reply.headers["Content-Length"] == str(len(expected))


@pytest.mark.parametrize("header", ["bytes=999999-", "bytes=-0"])
def test_content_range_unsatisfiable(content_url, header):
    reply = get(content_url, headers={**AUTH, "Range": header})
    assert reply.status == 416
    assert reply.headers["Content-Range"] == f"bytes */{len(SAMPLE)}"
    assert reply.json()["error"]["code"] == "range_not_satisfiable"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=5-1", "items=0-5", "bytes=x-y"])
def test_content_range_ignored(content_url, header):
    reply = get(content_url, headers={**AUTH, "Range": header})
    assert reply.status == 200 and reply.body == SAMPLE


def test_content_if_range(content_url):
    etag = get(content_url).headers["ETag"]
    reply = get(content_url, headers={**AUTH, "Range": "bytes=0-9", "If-Range": etag})
    assert reply.status == 206 and reply.body == SAMPLE[:10]
    reply = get(content_url, headers={**AUTH, "Range": "bytes=0-9", "If-Range": '"stale"'})
    assert reply.status == 200 and reply.body == SAMPLE


# --- unified dialect ---------------------------------------------------------------------------

def test_unified_submit(emu):
    reply = post_json(f"{emu.base_url}/v1/video/generations",
                      {"model": "kling-v2", "prompt": "p", "duration": 5})
    body = reply.json()
    assert reply.status == 200
    assert set(body) == {"id", "task_id", "object", "model", "status", "progress", "created_at"}
    assert re.fullmatch(r"task_[A-Za-z0-9]{32}", body["id"]) and body["task_id"] == body["id"]
    assert (body["object"], body["model"], body["status"], body["progress"]) == \
        ("video", "kling-v2", "queued", 0)
    assert json.loads(reply.headers["X-New-Api-Other-Ratios"]) == {"seconds": 5, "size": 1}


def test_unified_submit_all_fields(emu):
    data_uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    payload = {"model": "m", "prompt": "p", "mode": "pro", "image": "https://x.test/i.png",
               "images": [data_uri, "http://x.test/j.jpg"], "size": "1280x720", "seconds": "8",
               "input_reference": data_uri, "metadata": {"negative_prompt": "x"}, "width": 1280,
               "height": 720, "fps": 30, "seed": 7, "n": 1, "response_format": "url", "user": "u"}
    reply = post_json(f"{emu.base_url}/v1/video/generations", payload)
    assert reply.status == 200, reply.body
    assert json.loads(reply.headers["X-New-Api-Other-Ratios"])["seconds"] == 8
    flat = poll(emu, reply.json()["id"], "flat")
    assert flat["metadata"] == {"duration": 8, "fps": 30, "width": 1280, "height": 720, "seed": 7}


@pytest.mark.parametrize("payload, message", [
    ({"model": "m", "prompt": "p", "colour": 1}, "unknown field: colour"),
    ({"model": "m"}, "prompt"),
    ({"prompt": "p"}, "model"),
    ({"model": "m", "prompt": ""}, "prompt"),
    ({"model": "m", "prompt": "p", "duration": "5"}, "duration"),
    ({"model": "m", "prompt": "p", "duration": True}, "duration"),
    ({"model": "m", "prompt": "p", "seconds": 5}, "seconds"),
    ({"model": "m", "prompt": "p", "seconds": "five"}, "seconds"),
    ({"model": "m", "prompt": "p", "width": "720"}, "width"),
    ({"model": "m", "prompt": "p", "height": 7.5}, "height"),
    ({"model": "m", "prompt": "p", "fps": None}, "fps"),
    ({"model": "m", "prompt": "p", "seed": "1"}, "seed"),
    ({"model": "m", "prompt": "p", "n": "1"}, "n"),
    ({"model": "m", "prompt": "p", "metadata": []}, "metadata"),
    ({"model": "m", "prompt": "p", "images": "https://x.test/a.png"}, "images"),
    ({"model": "m", "prompt": "p", "images": [1]}, "images"),
    ({"model": "m", "prompt": "p", "images": ["nope"]}, "images"),
    ({"model": "m", "prompt": "p", "image": "file:///etc/passwd"}, "image"),
    ({"model": "m", "prompt": "p", "image": "data:image/png;base64,"
      + base64.b64encode(b"plain text").decode()}, "image"),
    ({"model": "m", "prompt": "p", "input_reference": "data:image/png;base64,!!"}, "input_reference"),
    ({"model": 3, "prompt": "p"}, "model"),
])
def test_unified_submit_validation(emu, payload, message):
    reply = post_json(f"{emu.base_url}/v1/video/generations", payload)
    assert reply.status == 400
    body = reply.json()
    assert body["code"] == "invalid_request" and body["data"] is None
    assert message in body["message"]
    assert set(body) == {"code", "message", "data"}


@pytest.mark.parametrize("raw", [b"{bad json", b"[]", b"", b"\xff\xfe"])
def test_unified_submit_malformed(emu, raw):
    reply = post_json(f"{emu.base_url}/v1/video/generations", raw)
    assert reply.status == 400 and reply.json()["code"] == "invalid_request"


def test_unified_unknown_task(emu):
    reply = get(f"{emu.base_url}/v1/video/generations/task_missing")
    assert reply.status == 400
    assert reply.json() == {"code": "task_not_exist", "message": "task_not_exist", "data": None}


# dto/task.go TaskDto; result_url is omitempty: present only once there is one.
ENVELOPE_KEYS = {"id", "created_at", "updated_at", "task_id", "platform", "user_id", "group",
                 "channel_id", "quota", "action", "status", "fail_reason", "result_url",
                 "submit_time", "start_time", "finish_time", "progress", "properties",
                 "username", "data"}


def test_envelope_lifecycle(make_emu):
    emu = make_emu(task_seconds=1.5)
    task_id = submit_task(emu, model="kling-v2")["id"]
    seen = []
    final = wait_until(lambda: seen.append(poll(emu, task_id)) or seen[-1],
                       lambda r: r["data"]["status"] == "SUCCESS", timeout=5)
    assert final["code"] == "success" and final["message"] == ""
    data = final["data"]
    assert set(data) == ENVELOPE_KEYS
    assert data["task_id"] == task_id and isinstance(data["id"], int)
    assert data["progress"] == "100%" and data["fail_reason"] == ""
    assert data["properties"] == {"input": "", "upstream_model_name": "kling-v2",
                                  "origin_model_name": "kling-v2"}
    assert data["submit_time"] <= data["start_time"] <= data["finish_time"]
    assert data["result_url"].startswith(f"{emu.cdn_url}/files/{task_id}.mp4?")
    order = ["NOT_START", "SUBMITTED", "QUEUED", "IN_PROGRESS", "SUCCESS"]
    statuses = [r["data"]["status"] for r in seen]
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)
    assert statuses[0] in order[:3] and "IN_PROGRESS" in statuses
    for r in seen:
        d = r["data"]
        assert re.fullmatch(r"\d{1,3}%", d["progress"])
        if d["status"] in order[:3]:
            assert d["progress"] == "0%" and "result_url" not in d and d["start_time"] == 0
            assert set(d["data"]) == {"queue_position"}
        if d["status"] == "IN_PROGRESS":
            assert 1 <= int(d["progress"][:-1]) <= 99 and d["finish_time"] == 0
    queue = [r["data"]["data"]["queue_position"] for r in seen if r["data"]["data"]]
    assert queue == sorted(queue, reverse=True) and all(0 <= q <= 3 for q in queue)


def test_flat_shape(make_emu):
    emu = make_emu(task_seconds=0, unified_shape="flat")
    task_id = submit_task(emu, duration=6, width=640, height=360, fps=25, seed=9)["id"]
    body = poll(emu, task_id)
    assert set(body) == {"task_id", "status", "progress", "queue_position", "url", "format",
                         "metadata", "error"}
    assert body["status"] == "completed" and body["progress"] == 100 and body["format"] == "mp4"
    assert body["metadata"] == {"duration": 6, "fps": 25, "width": 640, "height": 360, "seed": 9}
    assert body["error"] is None and body["url"].startswith(emu.cdn_url)
    set_control(emu, task_seconds=100)
    queued = poll(emu, submit_task(emu)["id"])
    assert queued["status"] == "queued" and queued["url"] is None and queued["queue_position"] == 3


def test_openai_shape(make_emu):
    emu = make_emu(task_seconds=0, unified_shape="openai")
    task_id = submit_task(emu)["id"]
    body = poll(emu, task_id)
    assert set(body) == VIDEO_KEYS | {"task_id", "metadata"}
    assert body["id"] == body["task_id"] == task_id and body["status"] == "completed"
    assert body["metadata"]["url"].startswith(f"{emu.cdn_url}/files/{task_id}.mp4?")


def test_realtime_shape(make_emu):
    emu = make_emu(task_seconds=0, unified_shape="realtime")
    body = poll(emu, submit_task(emu)["id"])
    assert body["code"] == "success" and body["message"] == ""
    data = body["data"]
    assert set(data) == {"error", "format", "metadata", "status", "task_id", "url"}
    assert data["status"] == "succeeded" and data["error"] is None and data["metadata"] is None
    assert data["url"].startswith(emu.cdn_url)
    failed = poll(emu, submit_task(emu, model="emu-fail")["id"])["data"]
    assert failed["status"] == "failed" and failed["url"] == ""
    assert failed["error"] == {"message": "The request was rejected by the safety system (emulated).",
                               "code": "task_failed"}
    set_control(emu, task_seconds=100)
    assert poll(emu, submit_task(emu)["id"])["data"]["status"] == "queued"


def test_realtime_processing(make_emu):
    emu = make_emu(task_seconds=0)
    body = poll(emu, submit_task(emu, model="emu-stuck")["id"], "realtime")
    assert body["data"]["status"] == "processing"


def test_shape_query_override_and_validation(make_emu):
    emu = make_emu(task_seconds=0)
    task_id = submit_task(emu)["id"]
    assert "code" in poll(emu, task_id)
    assert poll(emu, task_id, "flat")["status"] == "completed"
    assert poll(emu, task_id, "openai")["object"] == "video"
    assert poll(emu, task_id, "realtime")["data"]["status"] == "succeeded"
    set_control(emu, unified_shape="flat")
    assert poll(emu, task_id)["status"] == "completed"
    reply = get(f"{emu.base_url}/v1/video/generations/{task_id}?shape=xml")
    assert reply.status == 400 and reply.json()["code"] == "invalid_request"


def test_unified_failure_in_all_shapes(make_emu):
    emu = make_emu(task_seconds=0)
    task_id = submit_task(emu, model="kling-emu-fail")["id"]
    message = "The request was rejected by the safety system (emulated)."
    env = poll(emu, task_id, "envelope")["data"]
    assert env["status"] == "FAILURE" and env["fail_reason"] == message and "result_url" not in env
    flat = poll(emu, task_id, "flat")
    assert flat["status"] == "failed" and flat["url"] is None
    assert flat["error"] == {"code": "content_policy_violation", "message": message}
    oai = poll(emu, task_id, "openai")
    assert oai["status"] == "failed" and oai["error"]["message"] == message and "metadata" not in oai


def test_unified_empty_has_no_url_anywhere(make_emu):
    emu = make_emu(task_seconds=0)
    task_id = submit_task(emu, model="emu-empty")["id"]
    assert poll(emu, task_id, "envelope")["data"]["status"] == "SUCCESS"
    assert "result_url" not in poll(emu, task_id, "envelope")["data"]
    assert poll(emu, task_id, "flat")["url"] is None
    assert "metadata" not in poll(emu, task_id, "openai")
    assert poll(emu, task_id, "realtime")["data"]["url"] == ""
    assert "metadata" not in video(emu, task_id)
    reply = get(f"{emu.base_url}/v1/videos/{task_id}/content")
    assert_openai_error(reply, 404, "video_not_available")


def test_unified_task_on_openai_routes(make_emu):
    emu = make_emu(task_seconds=0)
    task_id = submit_task(emu, duration=5, size="1280x720")["id"]
    obj = video(emu, task_id)
    assert obj["id"] == obj["task_id"] == task_id and obj["status"] == "completed"
    assert obj["seconds"] == "5" and obj["size"] == "1280x720"
    assert obj["metadata"]["url"].startswith(emu.cdn_url)
    reply = get(f"{emu.base_url}/v1/videos/{task_id}/content", headers={**AUTH, "Range": "bytes=0-3"})
    assert reply.status == 206 and reply.body == SAMPLE[:4]


def test_unified_content_not_completed_is_400(make_emu):
    emu = make_emu(task_seconds=0)
    stuck = submit_task(emu, model="emu-stuck")["id"]
    reply = get(f"{emu.base_url}/v1/videos/{stuck}/content")
    assert reply.status == 400
    assert reply.json() == {"error": {"message": "Task is not completed yet, current status: IN_PROGRESS",
                                      "type": "invalid_request_error"}}
    failed = submit_task(emu, model="emu-fail")["id"]
    reply = get(f"{emu.base_url}/v1/videos/{failed}/content")
    assert reply.status == 400 and reply.json()["error"]["message"].endswith("FAILURE")


def test_unified_redirect_content(make_emu):
    emu = make_emu(task_seconds=0)
    task_id = submit_task(emu, model="emu-redirect")["id"]
    reply = get(f"{emu.base_url}/v1/videos/{task_id}/content")
    assert reply.status == 302 and reply.headers["Location"].startswith(emu.cdn_url)


def test_openai_task_on_unified_route(make_emu):
    emu = make_emu(task_seconds=0)
    vid = create_video(emu)["id"]
    assert poll(emu, vid, "flat")["status"] == "completed"


# --- CDN origin -------------------------------------------------------------------------------

@pytest.fixture
def signed(make_emu):
    emu = make_emu(task_seconds=0)
    task_id = submit_task(emu)["id"]
    return emu, poll(emu, task_id)["data"]["result_url"]


def test_cdn_serves_signed_url_without_auth(signed):
    emu, url = signed
    reply = call("GET", url)
    assert reply.status == 200 and reply.body == SAMPLE
    assert reply.headers["Content-Type"] == "video/mp4" and reply.headers["ETag"]
    entry = emu.requests()[-1]
    assert entry["origin"] == "cdn" and entry["authorization"] == "none"
    assert entry["path"].startswith("/files/") and set(entry["query"]) == {"expires", "sig"}
    expires = int(entry["query"]["expires"])
    assert time.time() + 590 < expires <= time.time() + 601


def test_cdn_logs_leaked_authorization(signed):
    emu, url = signed
    assert call("GET", url, headers=AUTH).status == 200
    assert emu.requests()[-1]["authorization"] == "valid"
    assert call("GET", url, headers={"Authorization": "Bearer other"}).status == 200
    assert emu.requests()[-1]["authorization"] == "invalid"


def test_cdn_ranges(signed):
    _, url = signed
    reply = call("GET", url, headers={"Range": "bytes=-16"})
    assert reply.status == 206 and reply.body == SAMPLE[-16:]
    reply = call("GET", url, headers={"Range": f"bytes={len(SAMPLE)}-"})
    assert reply.status == 416 and reply.headers["Content-Range"] == f"bytes */{len(SAMPLE)}"


def _with_query(url, **changes):
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update(changes)
    query = {k: v for k, v in query.items() if v is not None}
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def test_cdn_rejects_bad_signatures(signed):
    emu, url = signed
    expires = int(urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["expires"][0])
    bad = [
        _with_query(url, sig="0" * 64),
        _with_query(url, sig=None),
        _with_query(url, expires=None),
        _with_query(url, expires=str(expires + 1)),
        _with_query(url, expires="soon"),
        url.replace("/files/task_", "/files/task_X"),
    ]
    for candidate in bad:
        reply = call("GET", candidate)
        assert reply.status == 403, candidate
        assert reply.json() == {"error": "AccessDenied",
                                "message": "Request has expired or signature is invalid"}


def test_cdn_rejects_expired_urls(signed):
    emu, _ = signed
    assert call("GET", emu.signed_url("x.mp4", ttl_seconds=60)).status == 200
    assert call("GET", emu.signed_url("x.mp4", ttl_seconds=-1)).status == 403
    set_control(emu, url_ttl_seconds=-5)
    expired = poll(emu, submit_task(emu)["id"])["data"]["result_url"]
    assert call("GET", expired).status == 403


def test_cdn_other_paths(signed):
    emu, url = signed
    for path in ("/", "/v1/videos", "/_emulator/health", "/files/", "/files/a.txt"):
        reply = call("GET", emu.cdn_url + path)
        assert reply.status == 404 and reply.json()["error"] == "NoSuchKey"
    assert call("POST", url).status == 405


def test_emulators_are_independent(make_emu):
    a, b = make_emu(task_seconds=0), make_emu(task_seconds=0)
    task_id = submit_task(a)["id"]
    assert get(f"{b.base_url}/v1/video/generations/{task_id}").status == 400
    url_a = poll(a, task_id)["data"]["result_url"]
    foreign = url_a.replace(a.cdn_url, b.cdn_url)
    assert call("GET", url_a).status == 200 and call("GET", foreign).status == 403
    assert len(a.requests()) == 3 and len(b.requests()) == 2
    set_control(a, unified_shape="flat")
    assert b.settings.get("unified_shape") == "envelope"


# --- request log ------------------------------------------------------------------------------

LOG_KEYS = {"origin", "method", "path", "query", "authorization", "idempotency_key",
            "content_type", "range", "status", "time"}


def test_request_log_entries(make_emu):
    emu = make_emu(task_seconds=0)
    t0 = time.time()
    body, ctype = b'{"model":"m","prompt":"p"}', "application/json"
    call("POST", f"{emu.base_url}/v1/video/generations?trace=1", body,
         {**AUTH, "Content-Type": ctype, "Idempotency-Key": "idem-1"})
    call("GET", f"{emu.base_url}/v1/videos/nope", headers={"Authorization": "Bearer wrong"})
    call("GET", f"{emu.base_url}/_emulator/blob/10", headers={"Range": "bytes=0-1"})
    log = emu.requests()
    assert [e["status"] for e in log] == [200, 401, 206]
    for entry in log:
        assert set(entry) == LOG_KEYS and entry["origin"] == "api"
        assert t0 - 1 <= entry["time"] <= time.time()
    first, second, third = log
    assert first["method"] == "POST" and first["path"] == "/v1/video/generations"
    assert first["query"] == {"trace": "1"} and first["authorization"] == "valid"
    assert first["idempotency_key"] == "idem-1" and first["content_type"] == ctype
    assert first["range"] is None
    assert second["authorization"] == "invalid" and second["idempotency_key"] is None
    assert third["authorization"] == "none" and third["range"] == "bytes=0-1"
    served = get(f"{emu.base_url}/_emulator/requests", headers={}).json()
    assert served == log
    assert API_KEY not in json.dumps(served) and "wrong" not in json.dumps(served)


def test_plumbing_is_not_logged(emu):
    create_video(emu)
    get(f"{emu.base_url}/_emulator/health", headers={})
    get(f"{emu.base_url}/_emulator/control", headers={})
    set_control(emu, task_seconds=1)
    get(f"{emu.base_url}/_emulator/requests", headers={})
    assert [e["path"] for e in emu.requests()] == ["/v1/videos"]
    get(f"{emu.base_url}/_emulator/blob/3", headers={})
    assert emu.requests()[-1]["path"] == "/_emulator/blob/3"


def test_requests_returns_copies(emu):
    get(f"{emu.base_url}/_emulator/blob/1")
    emu.requests()[0]["status"] = 999
    emu.requests()[0]["query"]["x"] = "y"
    assert emu.requests()[0]["status"] == 200 and emu.requests()[0]["query"] == {}


# --- blobs ------------------------------------------------------------------------------------

def _pattern_reference(offset, length):
    """Independent re-implementation of the documented blob pattern."""
    period, block, table = 65521, b"videogen-emulator-blob", bytearray()
    while len(table) < period:
        block = hashlib.sha256(block).digest()
        table += block
    table = bytes(table[:period])
    return bytes(table[(offset + i) % period] for i in range(length))


def test_blob_full_and_ranges(emu):
    n = 200_000
    reply = get(f"{emu.base_url}/_emulator/blob/{n}", headers={})
    assert reply.status == 200 and len(reply.body) == n
    assert reply.headers["Content-Type"] == "application/octet-stream"
    assert reply.headers["Accept-Ranges"] == "bytes" and reply.headers["ETag"]
    assert reply.body[:1000] == _pattern_reference(0, 1000)
    assert reply.body[65000:66100] == _pattern_reference(65000, 1100)
    again = get(f"{emu.base_url}/_emulator/blob/{n}", headers={})
    assert again.body == reply.body and again.headers["ETag"] == reply.headers["ETag"]
    part = get(f"{emu.base_url}/_emulator/blob/{n}", headers={"Range": "bytes=70000-140000"})
    assert part.status == 206 and part.body == reply.body[70000:140001]
    assert part.headers["Content-Range"] == f"bytes 70000-140000/{n}"
    assert get(f"{emu.base_url}/_emulator/blob/{n + 1}").headers["ETag"] != reply.headers["ETag"]


def test_blob_huge_is_streamed(emu):
    n = 4 * 1024 ** 3
    head = call("HEAD", f"{emu.base_url}/_emulator/blob/{n}")
    assert head.status == 200 and head.headers["Content-Length"] == str(n)
    tail = get(f"{emu.base_url}/_emulator/blob/{n}", headers={"Range": "bytes=-10"})
    assert tail.status == 206 and tail.body == _pattern_reference(n - 10, 10)
    assert tail.headers["Content-Range"] == f"bytes {n - 10}-{n - 1}/{n}"
    # Read only the first chunk of the full body, then hang up: the server must survive.
    conn = http.client.HTTPConnection("127.0.0.1", int(emu.base_url.rsplit(":", 1)[1]), timeout=5)
    conn.request("GET", f"/_emulator/blob/{n}")
    response = conn.getresponse()
    assert response.status == 200 and response.read(100_000) == _pattern_reference(0, 100_000)[:100_000]
    conn.close()
    assert get(f"{emu.base_url}/_emulator/health").status == 200


def test_blob_limits(emu):
    assert get(f"{emu.base_url}/_emulator/blob/0").body == b""
    assert get(f"{emu.base_url}/_emulator/blob/0", headers={"Range": "bytes=0-"}).status == 416
    reply = get(f"{emu.base_url}/_emulator/blob/{4 * 1024 ** 3 + 1}")
    assert_openai_error(reply, 400, "invalid_value", "n")
    assert get(f"{emu.base_url}/_emulator/blob/abc").status == 404


# --- HTTP robustness --------------------------------------------------------------------------

def test_unknown_routes_and_methods(emu):
    reply = get(f"{emu.base_url}/nope", headers={})
    assert_openai_error(reply, 404, "unknown_url")
    assert_openai_error(get(f"{emu.base_url}/v1/nope"), 404, "unknown_url")
    reply = call("PATCH", f"{emu.base_url}/v1/videos/video_x", headers=AUTH)
    assert_openai_error(reply, 405, "method_not_allowed")
    assert reply.headers["Allow"] == "DELETE, GET"
    reply = call("BREW", f"{emu.base_url}/_emulator/health")
    assert reply.status == 501 and "error" in reply.json()


def test_route_exception_becomes_500(emu, monkeypatch):
    def boom(task_id):
        raise RuntimeError("kaboom")
    monkeypatch.setattr(emu.store, "get", boom)
    reply = get(f"{emu.base_url}/v1/videos/video_x")
    assert reply.status == 500
    error = reply.json()["error"]
    assert error["type"] == "server_error" and "kaboom" in error["message"]
    assert emu.requests()[-1]["status"] == 500
    monkeypatch.undo()
    assert get(f"{emu.base_url}/_emulator/health").status == 200


def _raw(emu, data: bytes, read_timeout=5.0) -> bytes:
    host, port = emu.base_url[len("http://"):].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_odd_targets_do_not_break_the_server(emu):
    raw = _raw(emu, b"GET http://[bad/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 404 ")
    assert get(f"{emu.base_url}/v1/videos/%7Bweird%7D%20id").json()["error"]["message"] == \
        "Video with id '{weird} id' not found."


def test_malformed_request_line_gets_json(emu):
    raw = _raw(emu, b"GARBAGE\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b" 400 " in head.split(b"\r\n")[0]
    assert json.loads(body)["error"]["code"] == "http_400"
    assert get(f"{emu.base_url}/_emulator/health").status == 200


def test_oversized_body_rejected(emu):
    too_big = 32 * 1024 * 1024 + 1
    request = (f"POST /v1/videos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {too_big}\r\n"
               "Expect: 100-continue\r\n\r\n").encode()
    head, _, body = _raw(emu, request).partition(b"\r\n\r\n")
    assert b" 413 " in head.split(b"\r\n")[0] and b"Connection: close" in head
    assert json.loads(body)["error"]["code"] == "request_too_large"
    # A client that sends the whole body anyway also gets a clean 413.
    reply = call("POST", f"{emu.base_url}/v1/videos", b"x" * too_big,
                 {**AUTH, "Content-Type": "application/json"}, timeout=30)
    assert reply.status == 413
    assert [e["status"] for e in emu.requests()] == [413, 413]


def test_chunked_body_and_keep_alive(emu):
    host, port = emu.base_url[len("http://"):].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    payload = json.dumps({"model": "m", "prompt": "chunked"}).encode()
    conn.request("POST", "/v1/video/generations", body=iter([payload[:5], payload[5:]]),
                 headers={**AUTH, "Content-Type": "application/json"}, encode_chunked=True)
    first = conn.getresponse()
    task = json.loads(first.read())
    assert first.status == 200 and first.getheader("Connection") is None
    conn.request("GET", f"/v1/video/generations/{task['id']}", headers=AUTH)   # same connection
    second = conn.getresponse()
    assert second.status == 200 and json.loads(second.read())["data"]["task_id"] == task["id"]
    conn.close()


def test_close_request_is_answered_with_close(emu):
    # RFC 9112 §9.6: a request with "Connection: close" gets "Connection: close" back, then the server closes, so
    # the client knows not to reuse the connection (libcurl re-sends a request whose reused connection died).
    payload = json.dumps({"model": "m", "prompt": "close"}).encode()
    request = (b"POST /v1/video/generations HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               b"Content-Type: application/json\r\nContent-Length: " + str(len(payload)).encode() + b"\r\n"
               b"Authorization: Bearer " + API_KEY.encode() + b"\r\n\r\n" + payload)
    reply = _raw(emu, request)      # returns only once the server has closed
    head = reply.split(b"\r\n\r\n")[0]
    assert head.startswith(b"HTTP/1.1 200 ") and b"\r\nConnection: close" in head


@pytest.mark.parametrize("chunks", [b"-5\r\nabc\r\n0\r\n\r\n", b"zz\r\n", b"\r\n"])
def test_malformed_chunked_body(emu, chunks):
    request = (b"POST /v1/video/generations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
               b"Authorization: Bearer " + API_KEY.encode() + b"\r\n\r\n" + chunks)
    head = _raw(emu, request).split(b"\r\n")[0]
    assert head.startswith(b"HTTP/1.1 400 ")
    assert emu.requests()[-1]["status"] == 400


def test_concurrent_requests(emu):
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: create_video(emu)["id"], range(24)))
    assert len(set(ids)) == 24 and len(emu.store) == 24


def test_stop_is_idempotent_and_closes_ports():
    emu = Emulator(api_key=API_KEY).start()
    url = emu.base_url
    with pytest.raises(RuntimeError):
        emu.start()
    emu.stop()
    emu.stop()
    with pytest.raises(OSError):
        call("GET", f"{url}/_emulator/health", timeout=2)
    with pytest.raises(RuntimeError):
        emu.base_url


def test_constructor_validation():
    with pytest.raises(ValueError):
        Emulator(host="0.0.0.0")
    with pytest.raises(ValueError):
        Emulator(api_key="")
    with pytest.raises(ValueError):
        Emulator(unified_shape="xml")
    with pytest.raises(ValueError):
        Emulator(task_seconds=-1)
    assert "sk-" not in repr(Emulator(api_key="sk-secret"))


# --- CLI --------------------------------------------------------------------------------------

def _start_cli(*args, env_key=None):
    env = dict(os.environ, PYTHONPATH=EMULATOR_PYTHONPATH)
    env.pop("VIDEOGEN_EMULATOR_KEY", None)
    if env_key:
        env["VIDEOGEN_EMULATOR_KEY"] = env_key
    return subprocess.Popen([sys.executable, "-m", "videogen_emulator", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop_cli(proc, sig=signal.SIGTERM):
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, out, err


def test_cli_prints_urls_and_stops_on_sigterm(tmp_path):
    ready = tmp_path / "ready.txt"
    proc = _start_cli("--port", "0", "--task-seconds", "0", "--ready-file", str(ready),
                      env_key="sk-from-env")
    try:
        base = proc.stdout.readline().strip()
        cdn = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        assert re.fullmatch(r"cdn: http://127\.0\.0\.1:\d+", cdn)
        assert wait_until(lambda: ready.exists() and ready.read_text().strip(), bool) == base
        assert call("GET", f"{base}/_emulator/health").status == 200
        ok = {"Authorization": "Bearer sk-from-env"}
        assert call("GET", f"{base}/v1/videos/video_x", headers=ok).status == 404
        assert call("GET", f"{base}/v1/videos/video_x", headers=AUTH).status == 401
    finally:
        code, out, err = _stop_cli(proc)
    assert code == 0
    assert "sk-from-env" not in out + err and err == ""
    assert not ready.exists()


def test_cli_api_key_option_and_verbose():
    proc = _start_cli("--api-key", "sk-cli", "--verbose", "--www-authenticate", "Basic",
                      "--unified-shape", "flat", "--poll-after-ms", "7")
    try:
        base = proc.stdout.readline().strip()
        reply = call("GET", f"{base}/v1/videos/video_x")
        assert reply.headers["WWW-Authenticate"].startswith("Basic ")
        settings = call("GET", f"{base}/_emulator/control").json()
        assert settings["unified_shape"] == "flat" and settings["poll_after_ms"] == 7
        assert call("GET", f"{base}/v1/videos/video_x",
                    headers={"Authorization": "Bearer sk-cli"}).status == 404
    finally:
        code, out, err = _stop_cli(proc)
    assert code == 0
    assert "GET /v1/videos/video_x 401" in err and "sk-cli" not in out + err


def test_cli_stops_on_sigint():
    proc = _start_cli()
    try:
        base = proc.stdout.readline().strip()
        assert call("GET", f"{base}/_emulator/health").status == 200
    finally:
        code, _, err = _stop_cli(proc, signal.SIGINT)
    assert code == 0 and err == ""


def test_cli_refuses_remote_host():
    proc = _start_cli("--host", "0.0.0.0")
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 2 and out == "" and "--allow-remote" in err
