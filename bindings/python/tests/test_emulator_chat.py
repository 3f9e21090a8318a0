"""The chat-completions video route of the emulator: ``POST /v1/chat/completions``."""

from __future__ import annotations

import base64
import http.client
import re
import time
import urllib.parse

import pytest

from conftest import API_KEY, AUTH, PNG, call, get, post_json
from test_emulator import SAMPLE, set_control

URL_IN_MARKDOWN = re.compile(r"\[Download video\]\((\S+)\)")


def chat(emu, model="veo-3.1", content="a paper boat", expect=200, **fields):
    body = {"model": model, "messages": [{"role": "user", "content": content}], **fields}
    reply = post_json(f"{emu.base_url}/v1/chat/completions", body)
    assert reply.status == expect, reply.body
    return reply.json()


def message(body):
    assert body["object"] == "chat.completion"
    [choice] = body["choices"]
    assert choice["index"] == 0 and choice["message"]["role"] == "assistant"
    return choice


def test_markdown_is_the_default_form(make_emu):
    emu = make_emu(task_seconds=0)
    body = chat(emu)
    assert re.fullmatch(r"chatcmpl-[A-Za-z0-9]{29}", body["id"]) and body["model"] == "veo-3.1"
    choice = message(body)
    assert choice["finish_reason"] == "stop"
    url = URL_IN_MARKDOWN.search(choice["message"]["content"]).group(1)
    assert url.startswith(f"{emu.cdn_url}/files/{body['id']}.mp4?")
    assert call("GET", url).body == SAMPLE
    assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]


@pytest.mark.parametrize("form", ["plain", "markdown", "part", "html"])
def test_forms_by_model_name_and_setting(make_emu, form):
    emu = make_emu(task_seconds=0)
    by_model = message(chat(emu, model=f"veo-3.1-form-{form}"))["message"]["content"]
    set_control(emu, chat_form=form)
    by_setting = message(chat(emu))["message"]["content"]
    for content in (by_model, by_setting):
        if form == "plain":
            assert content.startswith(emu.cdn_url) and " " not in content
        elif form == "markdown":
            assert URL_IN_MARKDOWN.search(content)
        elif form == "part":
            assert content[0] == {"type": "text", "text": "Your video is ready."}
            assert content[1]["type"] == "video_url" and content[1]["video_url"]["url"].startswith(emu.cdn_url)
        else:
            assert re.search(r'<video src="http://[^"]+\.mp4\?[^"]+" controls></video>', content)


def test_answer_is_held_until_the_video_is_done(make_emu):
    emu = make_emu(task_seconds=0.4)
    start = time.monotonic()
    chat(emu)
    assert time.monotonic() - start >= 0.35


def test_image_parts_are_accepted(make_emu):
    emu = make_emu(task_seconds=0)
    content = [{"type": "text", "text": "animate this"},
               {"type": "image_url", "image_url": {"url": "https://img.example/a.png"}},
               {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()}}]
    assert message(chat(emu, content=content))["finish_reason"] == "stop"


@pytest.mark.parametrize("body, param", [
    ({"messages": [{"role": "user", "content": "p"}]}, "model"),
    ({"model": "m"}, "messages"),
    ({"model": "m", "messages": []}, "messages"),
    ({"model": "m", "messages": [{"role": "robot", "content": "p"}]}, "messages"),
    ({"model": "m", "messages": [{"role": "user", "content": 5}]}, "messages"),
    ({"model": "m", "messages": [{"role": "system", "content": "only a system prompt"}]}, "messages"),
    ({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url",
                                                                "image_url": {"url": "ftp://x"}}]}]}, "messages"),
    ({"model": "m", "messages": [{"role": "user", "content": [{"type": "audio"}]}]}, "messages"),
    ({"model": "m", "messages": [{"role": "user", "content": "p"}], "stream": True}, "stream"),
    ({"model": "m", "messages": [{"role": "user", "content": "p"}], "metadata": "x"}, "metadata"),
])
def test_refusals(emu, body, param):
    reply = post_json(f"{emu.base_url}/v1/chat/completions", body)
    assert reply.status == 400, reply.body
    assert reply.json()["error"]["param"] == param


def test_bad_json(emu):
    reply = post_json(f"{emu.base_url}/v1/chat/completions", b"{oops")
    assert reply.status == 400 and reply.json()["error"]["code"] == "invalid_json"


def test_fail_and_empty_replies_carry_no_link(make_emu):
    emu = make_emu(task_seconds=0)
    failed = message(chat(emu, model="veo-emu-fail"))
    assert failed["finish_reason"] == "content_filter" and "http" not in failed["message"]["content"]
    empty = message(chat(emu, model="veo-emu-empty"))
    assert empty["finish_reason"] == "stop" and "http" not in empty["message"]["content"]


def test_redirect_links_the_content_route(make_emu):
    emu = make_emu(task_seconds=0)
    body = chat(emu, model="veo-emu-redirect-form-plain")
    url = message(body)["message"]["content"]
    assert url == f"{emu.base_url}/v1/videos/{body['id']}/content"
    reply = get(url)
    assert reply.status == 302 and call("GET", reply.headers["Location"]).body == SAMPLE


def test_stuck_holds_the_request_until_stop(make_emu):
    emu = make_emu(task_seconds=0)
    parts = urllib.parse.urlsplit(emu.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=0.5)
    try:
        conn.request("POST", "/v1/chat/completions",
                     body=b'{"model":"emu-stuck","messages":[{"role":"user","content":"p"}]}',
                     headers={**AUTH, "Content-Type": "application/json"})
        with pytest.raises(TimeoutError):
            conn.getresponse()
    finally:
        conn.close()
    start = time.monotonic()
    emu.stop()
    assert time.monotonic() - start < 10, "a held request does not delay stop"  # (held: forever)


def test_requires_key(emu):
    reply = post_json(f"{emu.base_url}/v1/chat/completions", {"model": "m"}, headers={"Authorization": "Bearer x"})
    assert reply.status == 401 and reply.json()["error"]["code"] == "invalid_api_key"
    assert API_KEY.encode() not in reply.body
