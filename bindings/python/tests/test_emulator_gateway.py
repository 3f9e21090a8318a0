"""The emulator's gateway scenarios: new-api's answers to what its upstreams said (see
emulator/videogen_emulator/gateway.py)."""

from __future__ import annotations

import base64
import json

import pytest

from conftest import AUTH, call, get, post_json
from test_emulator import SAMPLE, poll, set_control, submit_task, video
from videogen_emulator import gateway
from videogen_emulator.store import scenario_for

SHAPES = ("envelope", "flat", "openai", "realtime")


def done(make_emu, model, **settings):
    """An emulator with instant tasks and one finished task of ``model``; returns (emu, task id)."""
    emu = make_emu(task_seconds=0, **settings)
    return emu, submit_task(emu, model=model)["id"]


def content(emu, task_id, headers=None):
    return get(f"{emu.base_url}/v1/videos/{task_id}/content", headers=headers)


# -- inline: a success without a URL, the video only at the content proxy ------------------------------------------

def test_inline_success_names_no_url_in_the_task_shapes(make_emu):
    emu, task_id = done(make_emu, "veo-3.0-emu-inline")
    envelope = poll(emu, task_id, "envelope")["data"]
    assert envelope["status"] == "SUCCESS" and envelope["progress"] == "100%"
    assert "result_url" not in envelope and envelope["fail_reason"] == ""
    realtime = poll(emu, task_id, "realtime")["data"]
    assert realtime["status"] == "succeeded" and realtime["url"] == "" and realtime["error"] is None
    flat = poll(emu, task_id, "flat")
    assert flat["status"] == "completed" and flat["url"] is None


def test_inline_success_is_a_data_uri_in_the_openai_object(make_emu):
    emu, task_id = done(make_emu, "veo-3.0-emu-inline")
    for obj in (poll(emu, task_id, "openai"), video(emu, task_id)):
        url = obj["metadata"]["url"]
        assert obj["status"] == "completed" and url.startswith("data:video/mp4;base64,")
        assert base64.b64decode(url.split(",", 1)[1]) == SAMPLE


def test_inline_video_is_served_by_the_content_proxy_with_the_key(make_emu):
    emu, task_id = done(make_emu, "veo-3.0-emu-inline")
    whole = content(emu, task_id)
    assert whole.status == 200 and whole.body == SAMPLE
    first = get(f"{emu.base_url}/v1/videos/{task_id}/content", headers={**AUTH, "Range": "bytes=0-0"})
    assert first.status == 206 and first.body == SAMPLE[:1]
    assert content(emu, task_id, headers={}).status == 401


def test_empty_unified_task_has_nothing_at_the_content_proxy(make_emu):
    emu, task_id = done(make_emu, "emu-empty")
    assert "result_url" not in poll(emu, task_id, "envelope")["data"]
    assert content(emu, task_id).status == 404


# -- proxy: result_url is the gateway's own route under its configured server address ------------------------------

def test_proxy_url_uses_the_other_loopback_name_by_default(make_emu):
    emu, task_id = done(make_emu, "kling-v1-emu-proxy")
    port = emu.base_url.rsplit(":", 1)[1]
    expected = f"http://localhost:{port}/v1/videos/{task_id}/content"
    assert gateway.server_address(emu) == f"http://localhost:{port}"
    assert poll(emu, task_id, "envelope")["data"]["result_url"] == expected
    assert poll(emu, task_id, "realtime")["data"]["url"] == expected
    assert poll(emu, task_id, "flat")["url"] == expected
    assert video(emu, task_id)["metadata"]["url"] == expected


def test_proxy_url_from_the_server_address_setting(make_emu):
    emu, task_id = done(make_emu, "kling-v1-emu-proxy")
    set_control(emu, server_address="https://newapi.example.com/api/")
    assert poll(emu, task_id)["data"]["result_url"] == f"https://newapi.example.com/api/v1/videos/{task_id}/content"
    set_control(emu, server_address=None)
    assert poll(emu, task_id)["data"]["result_url"].startswith("http://localhost:")


def test_server_address_from_the_constructor_and_the_command_line(make_emu):
    from videogen_emulator.__main__ import parse_args
    assert parse_args(["--server-address", "http://localhost:3000"]).server_address == "http://localhost:3000"
    emu, task_id = done(make_emu, "kling-v1-emu-proxy", server_address="http://localhost:3000")
    assert poll(emu, task_id)["data"]["result_url"] == f"http://localhost:3000/v1/videos/{task_id}/content"
    with pytest.raises(ValueError):
        make_emu(server_address="localhost:3000")


def test_proxy_url_needs_the_key_the_client_does_not_send_there(make_emu):
    emu, task_id = done(make_emu, "kling-v1-emu-proxy")
    url = poll(emu, task_id)["data"]["result_url"]
    assert call("GET", url).status == 401, "fetched without the key, as a client must for a foreign origin"
    reply = call("GET", url, headers=AUTH)
    assert reply.status == 200 and reply.body == SAMPLE


def test_proxy_url_on_a_bound_localhost_names_127_0_0_1(make_emu):
    emu = make_emu(task_seconds=0, host="localhost")
    assert gateway.server_address(emu).startswith("http://127.0.0.1:")


@pytest.mark.parametrize("value", ["localhost:3000", "ftp://x", "http://", "http://a b", 3000, True,
                                   "http://h/p?q=1", "http://h/#f"])
def test_server_address_setting_is_checked(emu, value):
    reply = post_json(f"{emu.base_url}/_emulator/control", {"server_address": value}, headers={})
    assert reply.status == 400 and reply.json()["error"]["code"] == "invalid_value"


# -- blank-model: the Kling, Vidu and Jimeng converters answer "model": "" -----------------------------------------

def test_blank_model_in_the_openai_object_only(make_emu):
    emu, task_id = done(make_emu, "kling-v2-emu-blank-model")
    assert video(emu, task_id)["model"] == ""
    assert poll(emu, task_id, "openai")["model"] == ""
    properties = poll(emu, task_id, "envelope")["data"]["properties"]
    assert properties["origin_model_name"] == "kling-v2-emu-blank-model"


# -- refused-<upstream>: content refusals of a running task --------------------------------------------------------

@pytest.mark.parametrize("scenario, code, reason", [
    ("refused-doubao", "OutputVideoSensitiveContentDetected",
     "The request failed because the output video may contain sensitive information. Request id: 021761204877000emulated"),
    ("refused-ali", "DataInspectionFailed",
     "task failed, code: DataInspectionFailed , message: Input data may contain inappropriate content."),
    ("refused-vidu", "CreationPolicyViolation", "CreationPolicyViolation"),
    ("refused-openai", "moderation_blocked", "Your request was blocked by our moderation system."),
    ("refused-veo", None, gateway.REFUSALS["refused-veo"]["message"]),
])
def test_refused_tasks_as_new_api_keeps_them(make_emu, scenario, code, reason):
    emu, task_id = done(make_emu, f"m-emu-{scenario}")
    envelope = poll(emu, task_id, "envelope")["data"]
    assert envelope["status"] == "FAILURE" and envelope["fail_reason"] == reason and "result_url" not in envelope
    obj = video(emu, task_id)
    assert obj["status"] == "failed" and obj["error"] == {"code": code, "message": gateway.REFUSALS[scenario]["message"]}
    flat = poll(emu, task_id, "flat")
    assert flat["status"] == "failed" and flat["error"]["code"] == code
    assert content(emu, task_id).status == 400, "new-api's proxy refuses an unfinished task"


def test_refused_task_on_the_other_routes(make_emu):
    emu = make_emu(task_seconds=0)
    kling = post_json(f"{emu.base_url}/kling/v1/videos/text2video", {"model_name": "emu-refused-doubao", "prompt": "p"})
    data = get(f"{emu.base_url}/kling/v1/videos/text2video/{kling.json()['data']['task_id']}").json()["data"]
    assert data["task_status"] == "failed" and "sensitive information" in data["task_status_msg"]
    chat = post_json(f"{emu.base_url}/v1/chat/completions",
                     {"model": "veo-emu-refused-ali", "messages": [{"role": "user", "content": "p"}]})
    assert chat.status == 200 and chat.json()["choices"][0]["finish_reason"] == "content_filter"


# -- emu-error-<code> on the unified submit: new-api's fail_to_fetch_task wrapping ---------------------------------

def wrapped(emu, code, status=400):
    reply = post_json(f"{emu.base_url}/v1/video/generations", {"model": f"m-emu-error-{code}", "prompt": "p"})
    assert reply.status == status, reply.body
    body = reply.json()
    assert set(body) == {"code", "message", "data"} and body["data"] is None
    return body


def test_kling_1301_is_wrapped_with_its_body_as_text(emu):
    body = wrapped(emu, "1301")
    assert body["code"] == "fail_to_fetch_task"
    inner = json.loads(body["message"])
    assert inner["code"] == 1301 and inner["message"] == "Trigger content security policy" and inner["request_id"]
    assert not emu.store.all(), "no task was created"


@pytest.mark.parametrize("code, inner_code", [
    ("datainspectionfailed", "DataInspectionFailed"),
    ("moderation_blocked", "moderation_blocked"),
    ("inputtextsensitivecontentdetected", "InputTextSensitiveContentDetected"),
])
def test_upstream_bodies_are_wrapped(emu, code, inner_code):
    inner = json.loads(wrapped(emu, code)["message"])
    found = inner.get("code") or inner["error"]["code"]
    assert found == inner_code


def test_minimax_1026_is_the_adaptors_own_error(emu):
    body = wrapped(emu, "1026")
    assert body == {"code": "1026", "message": "hailuo api error: video description contains sensitive content",
                    "data": None}


def test_a_wrapped_429_loses_its_body(emu):
    body = wrapped(emu, "1102", status=429)
    assert body == {"code": "fail_to_fetch_task", "message": gateway.SATURATED, "data": None}


def test_unknown_unified_error_scenario(emu):
    reply = post_json(f"{emu.base_url}/v1/video/generations", {"model": "emu-error-bogus", "prompt": "p"})
    assert reply.status == 400 and reply.json()["code"] == "invalid_request" and "bogus" in reply.json()["message"]


# -- selection ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("model, header, expected", [
    ("veo-emu-inline", None, "inline"), ("x-emu-proxy", None, "proxy"), ("k-emu-blank-model", None, "blank-model"),
    ("m-EMU-REFUSED-DOUBAO", None, "refused-doubao"), ("m", "emu-refused-veo", "refused-veo"), ("m", "inline", "inline"),
])
def test_gateway_scenarios_are_selected_like_the_others(model, header, expected):
    assert scenario_for(model, header) == expected


def test_every_refusal_scenario_has_a_vocabulary():
    refused = [name for name in gateway.SCENARIOS if name.startswith("refused-")]
    assert sorted(refused) == sorted(gateway.REFUSALS)
    assert all(set(r) == {"code", "message", "reason"} for r in gateway.REFUSALS.values())
