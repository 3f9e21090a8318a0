"""Video through Chat Completions: ``POST /v1/chat/completions`` with ``{model, messages}``.

The request is answered when the video is done (after the lifecycle length T,
holding the connection open, as gateways do), with the link inside the
assistant message in the form chosen by a ``form-<plain|markdown|part|html>``
token in the model name or else the ``chat_form`` setting. Scenarios:
``emu-fail`` replies with a refusal (``finish_reason: content_filter``) and no
link, ``emu-empty`` with an apology and no link, ``emu-stuck`` never answers
(until the emulator stops), ``emu-redirect`` links the API's content route,
which redirects to the CDN.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from . import chat_replies, shapes
from .errors import openai_fail
from .inputs import data_uri_image, is_http_url
from .messages import Hold, Request, Response, json_response
from .settings import CHAT_FORMS
from .store import new_chat_id, scenario_for

ROLES = ("system", "developer", "user", "assistant", "tool")
MAX_WAIT = 30.0          # longest an answer is held back (T is capped to this)
STUCK_WAIT = 600.0       # a stuck request is held this long, or until the emulator stops
FORM_TOKEN = re.compile(r"form-(" + "|".join(CHAT_FORMS) + r")")


def _bad(message: str, param: str | None = None, code: str = "invalid_value"):
    return openai_fail(400, message, param=param, code=code)


def _check_part(part: Any, where: str) -> str:
    """Check one content part; return its text ('' for images)."""
    if not isinstance(part, dict) or not isinstance(part.get("type"), str):
        raise _bad(f"{where} must be an object with a 'type'", "messages")
    if part["type"] == "text":
        if not isinstance(part.get("text"), str):
            raise _bad(f"{where}.text must be a string", "messages")
        return part["text"]
    if part["type"] == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else None
        if not isinstance(url, str) or not (is_http_url(url) or data_uri_image(url) is not None):
            raise _bad(f"{where}.image_url.url must be an http(s) URL or a data:image/...;base64 URI "
                       "of a PNG, JPEG, WEBP or GIF image", "messages")
        return ""
    raise _bad(f"{where}: unsupported content part type {part['type']!r}", "messages")


def _prompt(messages: Any) -> str:
    """Validate ``messages``; return the text of the last user message."""
    if not isinstance(messages, list) or not messages:
        raise _bad("'messages' must be a non-empty array", "messages", "missing_required_parameter")
    prompt = ""
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise _bad(f"{where} must be an object with a role ({', '.join(ROLES)})", "messages")
        content = message.get("content")
        if isinstance(content, str):
            text = content
        elif isinstance(content, list) and content:
            text = "\n".join(_check_part(p, f"{where}.content[{i}]") for i, p in enumerate(content))
        else:
            raise _bad(f"{where}.content must be a string or a non-empty array of parts", "messages")
        if message["role"] == "user":
            prompt = text
    if not prompt.strip():
        raise _bad("the last user message has no text to generate from", "messages")
    return prompt


def _form(emu, model: str) -> str:
    match = FORM_TOKEN.search(model.lower())
    return match.group(1) if match else emu.settings.get("chat_form")


def completions(emu, req: Request) -> Hold:
    """``POST /v1/chat/completions``: hold the request for T, then answer with the video link."""
    try:
        body = json.loads(req.body)
    except (ValueError, UnicodeDecodeError):
        raise _bad("We could not parse the JSON body of your request.", code="invalid_json")
    if not isinstance(body, dict):
        raise _bad("The JSON body must be an object.", code="invalid_json")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise _bad("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    prompt = _prompt(body.get("messages"))
    if body.get("stream") not in (None, False):
        raise _bad("The emulator's video models do not stream; send stream: false.", "stream")
    if "metadata" in body and not isinstance(body["metadata"], dict):
        raise _bad("'metadata' must be an object.", "metadata", "invalid_type")
    try:
        scenario = scenario_for(model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        raise _bad(str(exc), code="invalid_scenario")
    if scenario == "stuck":
        def timeout() -> Response:
            raise openai_fail(504, "The video model did not answer in time (emulated).",
                              type_="server_error", code="timeout")
        return Hold(STUCK_WAIT, timeout)
    return Hold(min(MAX_WAIT, emu.settings.get("task_seconds")), lambda: _answer(emu, model, prompt, scenario))


def _answer(emu, model: str, prompt: str, scenario: str) -> Response:
    """The completion, once the video is done (the task is created then, already completed)."""
    task = emu.store.create(id_=emu.settings.task_id(new_chat_id), dialect="chat", model=model, prompt=prompt,
                            scenario=scenario, duration=0.0, extra={"form": _form(emu, model)})
    state = task.state()
    created = int(time.time())
    if scenario == "fail" or state.error:   # emu-fail, and the gateway scenarios' refusals
        content, finish = chat_replies.FAIL_TEXT, "content_filter"
    elif scenario == "empty":
        content, finish = chat_replies.EMPTY_TEXT, "stop"
    else:
        content, finish = chat_replies.with_link(task.extra["form"], shapes.video_link(emu, task, state)), "stop"
    return json_response(200, chat_replies.completion(task.id, model, created, content, finish))


ROUTES = [
    ("POST", re.compile(r"^/v1/chat/completions$"), completions),
]
