"""Router One: ``POST /v1/videos/generations`` (answers 202) and ``GET /v1/videos/generations/{task_id}``.

Statuses ``pending`` / ``processing`` (with ``progress``) / ``completed`` (with
``url``, valid 24 h) / ``failed`` (with ``error``). Reference images are URLs
only (``image_url``, up to 3 ``image_urls``, ``input_reference``). Errors are
``{"error": {"message", "type", "code"}}``; a model containing
``emu-error-<code>`` answers that error (``insufficient_balance``,
``upstream_error``, ...) instead of creating a task.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import shapes
from .errors import openai_error, openai_fail
from .inputs import is_http_url
from .messages import Request, Response, json_response
from .store import Task, TaskState, error_scenario, new_routerone_id, scenario_for

FIELDS = ("model", "prompt", "duration", "size", "aspect_ratio", "negative_prompt", "image_url",
          "image_urls", "input_reference")
DURATIONS = (4, 5, 6, 8)
SIZES = ("720p", "1080p")
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
MAX_IMAGES = 3
URL_LIFETIME = 24 * 3600
TASK_ID = re.compile(r"^v_[0-9a-f]{1,64}$")
STATUS = {"queued": "pending", "running": "processing", "completed": "completed", "failed": "failed"}
# Error scenarios: code -> (HTTP status, type, message).
ERRORS = {
    "invalid_api_key": (401, "authentication_error", "Invalid API key"),
    "insufficient_balance": (402, "billing_error", "Insufficient balance"),
    "reference_image_invalid": (400, "invalid_request_error", "Reference image could not be fetched"),
    "upstream_error": (502, "upstream_error", "The upstream provider failed"),
    "rate_limit_exceeded": (429, "rate_limit_error", "Too many requests"),
    "invalid_task_id": (400, "invalid_request_error", "Invalid task_id"),
    "task_not_found": (404, "invalid_request_error", "Task not found"),
}


def _bad(message: str, code: str = "invalid_parameter", param: str | None = None):
    return openai_fail(400, message, code=code, param=param)


def _error(code: str) -> Response:
    status, type_, message = ERRORS[code]
    return openai_error(status, message, code=code, type_=type_)


def _validate(body: dict[str, Any]) -> None:
    for name in body:
        if name not in FIELDS:
            raise _bad(f"Unknown parameter: {name}", param=name)
    for name in ("model", "prompt"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            raise _bad(f"{name} is required", param=name)
    if "duration" in body and (isinstance(body["duration"], bool) or body["duration"] not in DURATIONS):
        raise _bad(f"duration must be one of {', '.join(map(str, DURATIONS))}", param="duration")
    if "size" in body and body["size"] not in SIZES:
        raise _bad("size must be 720p or 1080p", param="size")
    if "aspect_ratio" in body and body["aspect_ratio"] not in ASPECT_RATIOS:
        raise _bad(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}", param="aspect_ratio")
    if "negative_prompt" in body and not isinstance(body["negative_prompt"], str):
        raise _bad("negative_prompt must be a string", param="negative_prompt")
    urls = body.get("image_urls", [])
    if not isinstance(urls, list) or len(urls) > MAX_IMAGES:
        raise _bad(f"image_urls must be a list of at most {MAX_IMAGES} URLs", param="image_urls")
    refs = [("image_urls", u) for u in urls]
    refs += [(name, body[name]) for name in ("image_url", "input_reference") if name in body]
    for name, value in refs:
        if not (isinstance(value, str) and is_http_url(value)):
            raise _bad(f"{name} must be an http(s) URL of an image", code="reference_image_invalid",
                       param=name)


def submit(emu, req: Request) -> Response:
    """``POST /v1/videos/generations``: validate and answer 202 ``{task_id, status: "pending"}``."""
    try:
        body = json.loads(req.body)
    except (ValueError, UnicodeDecodeError):
        raise _bad("Invalid JSON body", code="invalid_json")
    if not isinstance(body, dict):
        raise _bad("The JSON body must be an object", code="invalid_json")
    _validate(body)
    code = error_scenario(body["model"])
    if code is not None:
        if code not in ERRORS:
            raise _bad(f"unknown Router One error scenario {code!r}")
        return _error(code)
    try:
        scenario = scenario_for(body["model"], req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        raise _bad(str(exc), code="invalid_scenario")
    task = emu.store.create(
        id_=emu.settings.task_id(new_routerone_id), dialect="routerone", model=body["model"], prompt=body["prompt"],
        scenario=scenario, duration=emu.settings.task_duration(),
        seconds=str(body.get("duration", 5)), size=body.get("size", "720p"),
        extra={k: body[k] for k in ("aspect_ratio", "image_url", "image_urls", "input_reference") if k in body})
    return json_response(202, {"task_id": task.id, "status": "pending"})


def render(emu, task: Task, state: TaskState) -> dict[str, Any]:
    """Router One's status answer."""
    body: dict[str, Any] = {"task_id": task.id, "status": STATUS[state.phase],
                            "progress": state.progress, "created_at": int(task.created_at)}
    url = shapes.video_link(emu, task, state)
    if state.phase == "completed":
        body["url"] = url
        body["expires_at"] = (state.finished_at or int(task.created_at)) + URL_LIFETIME
    if state.error:
        body["error"] = {"code": state.error["code"], "message": state.error["message"]}
    return body


def fetch(emu, req: Request, task_id: str) -> Response:
    """``GET /v1/videos/generations/{task_id}``."""
    if not TASK_ID.match(task_id):
        return _error("invalid_task_id")
    task = emu.store.get(task_id)
    if task is None or task.dialect != "routerone":
        return _error("task_not_found")
    return json_response(200, render(emu, task, task.state()))


ROUTES = [
    ("POST", re.compile(r"^/v1/videos/generations$"), submit),
    ("GET", re.compile(r"^/v1/videos/generations/(?P<task_id>[^/]+)$"), fetch),
]
