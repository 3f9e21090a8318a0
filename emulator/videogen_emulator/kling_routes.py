"""Kling's native route as gateways pass it through: ``/kling/v1/videos/{text2video|image2video}``.

Submit is Kling's JSON body (``model_name`` or ``model``, ``prompt``, ``duration``
as a string, ``image`` / ``image_tail`` as a URL or bare base64 without a
``data:`` prefix, ...); fields outside Kling's list are accepted, as gateways
accept them (new-api keeps the whole body as the task's metadata). Answers come
in Kling's ``{code, message, request_id, data}`` envelope or the gateway's flat
``{task_id, status}`` shape (setting ``kling_shape`` or ``?shape=``); errors are
Kling's ``{code, message, request_id}`` with the official HTTP status and
business code. A task is found under the family it was created in (or by its
``external_task_id``), as Kling does.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any

from . import kling_shapes, shapes
from .errors import kling_error, kling_fail
from .inputs import image_kind, is_http_url
from .messages import Request, Response, json_response
from .settings import KLING_SHAPES
from .store import error_scenario, new_kling_id, scenario_for

ACTIONS = ("text2video", "image2video")
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
MODES = ("std", "pro")
CAMERA_TYPES = ("simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward")
CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
INT_FIELDS = ("width", "height", "fps", "seed", "n")
MAX_PROMPT = 2500
MAX_IMAGE = 10 * 1024 * 1024
# Kling's official table: business code -> (HTTP status, message).
BUSINESS_ERRORS = {
    1000: (401, "Authentication failed"), 1001: (401, "Authorization is empty"),
    1002: (401, "Authorization is invalid"), 1003: (401, "Authorization is not yet valid"),
    1004: (401, "Authorization has expired"), 1100: (429, "Account exception"),
    1101: (429, "Account in arrears (postpaid)"),
    1102: (429, "Resource pack depleted or expired (prepaid)"),
    1103: (403, "Unauthorized access to the requested resource"),
    1200: (400, "Invalid request parameters"), 1201: (400, "Invalid request parameters"),
    1202: (404, "Invalid request method"), 1203: (404, "Requested resource does not exist"),
    1300: (400, "Trigger platform policy"), 1301: (400, "Trigger content security policy"),
    1302: (429, "API request is too fast, exceeding the rate limit"),
    1303: (429, "parallel task over resource pack limit"), 1304: (429, "Trigger IP whitelist policy"),
    5000: (500, "Server internal error"), 5001: (503, "Server temporarily unavailable"),
    5002: (504, "Server internal timeout"),
}


def _bad(message: str):
    return kling_fail(400, 1201, message)


def _check_image(name: str, value: Any) -> None:
    """A URL, or bare base64 of a JPEG or PNG up to 10 MB; a ``data:`` prefix is refused, as Kling does."""
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"{name} must be a non-empty string")
    if value.lower().startswith("data:"):
        raise _bad(f"{name}: base64 must not carry a data: prefix")
    if is_http_url(value):
        return
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _bad(f"{name} must be an image URL or base64-encoded image")
    if image_kind(data) not in ("png", "jpeg"):
        raise _bad(f"{name} must be a JPG or PNG image")
    if len(data) > MAX_IMAGE:
        raise _bad(f"{name} must be at most 10MB")


def _check_camera(value: Any) -> None:
    if not isinstance(value, dict) or value.get("type") not in CAMERA_TYPES:
        raise _bad(f"camera_control.type must be one of {', '.join(CAMERA_TYPES)}")
    config = value.get("config")
    if value["type"] != "simple":
        if config is not None:
            raise _bad("camera_control.config is only for type simple")
        return
    if not isinstance(config, dict) or any(k not in CAMERA_AXES for k in config):
        raise _bad("camera_control.config must hold the axes " + ", ".join(CAMERA_AXES))
    values = list(config.values())
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) or not -10 <= v <= 10 for v in values):
        raise _bad("camera_control.config values must be numbers in [-10, 10]")
    if sum(1 for v in values if v != 0) != 1:
        raise _bad("camera_control.config must have exactly one non-zero axis")


def _validate(action: str, body: dict[str, Any]) -> str:
    """Check a submit body; return the model name."""
    model = body.get("model_name", body.get("model", "kling-v1"))
    if not isinstance(model, str) or not model.strip():
        raise _bad("model_name must be a non-empty string")
    prompt = body.get("prompt", "")
    if not isinstance(prompt, str) or len(prompt) > MAX_PROMPT:
        raise _bad(f"prompt must be a string of at most {MAX_PROMPT} characters")
    if action == "text2video" and not prompt.strip():
        raise _bad("prompt is required")
    if "negative_prompt" in body and (not isinstance(body["negative_prompt"], str)
                                      or len(body["negative_prompt"]) > MAX_PROMPT):
        raise _bad(f"negative_prompt must be a string of at most {MAX_PROMPT} characters")
    if "duration" in body:
        duration = body["duration"]
        if not (isinstance(duration, str) and duration.isascii() and duration.isdigit()
                and 3 <= int(duration) <= 15):
            raise _bad("duration must be a string such as \"5\" or \"10\"")
    if "aspect_ratio" in body and body["aspect_ratio"] not in ASPECT_RATIOS:
        raise _bad(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}")
    if "mode" in body and body["mode"] not in MODES:
        raise _bad("mode must be std or pro")
    if "cfg_scale" in body:
        cfg = body["cfg_scale"]
        if isinstance(cfg, bool) or not isinstance(cfg, (int, float)) or not math.isfinite(cfg) \
                or not 0 <= cfg <= 1:
            raise _bad("cfg_scale must be a number in [0, 1]")
    if "camera_control" in body:
        _check_camera(body["camera_control"])
    for name in INT_FIELDS:
        if name in body and (isinstance(body[name], bool) or not isinstance(body[name], int)):
            raise _bad(f"{name} must be an integer")
    if "watermark_info" in body and not (isinstance(body["watermark_info"], dict)
                                         and isinstance(body["watermark_info"].get("enabled"), bool)):
        raise _bad("watermark_info must be {\"enabled\": true|false}")
    if "callback_url" in body and not (isinstance(body["callback_url"], str)
                                       and is_http_url(body["callback_url"])):
        raise _bad("callback_url must be an http(s) URL")
    if "external_task_id" in body and not (isinstance(body["external_task_id"], str)
                                           and body["external_task_id"].strip()):
        raise _bad("external_task_id must be a non-empty string")
    frames = [name for name in ("image", "image_tail") if name in body]
    if action == "text2video" and frames:
        raise _bad(f"{frames[0]} belongs to image2video, not text2video")
    if action == "image2video" and not frames:
        raise _bad("image2video needs image or image_tail")
    for name in frames:
        _check_image(name, body[name])
    if "image_tail" in body and "camera_control" in body:
        raise _bad("image_tail and camera_control cannot be used together")
    return model


def _shape(emu, req: Request) -> str:
    shape = req.query.get("shape") or emu.settings.get("kling_shape")
    if shape not in KLING_SHAPES:
        raise _bad(f"shape must be one of {', '.join(KLING_SHAPES)}")
    return shape


def submit(emu, req: Request, action: str) -> Response:
    """``POST /kling/v1/videos/{action}``: validate Kling's body and create a task."""
    shape = _shape(emu, req)
    try:
        body = json.loads(req.body)
    except (ValueError, UnicodeDecodeError):
        raise kling_fail(400, 1200, "invalid JSON body")
    if not isinstance(body, dict):
        raise kling_fail(400, 1200, "request body must be a JSON object")
    model = _validate(action, body)
    code = error_scenario(model)
    if code is not None:
        if not code.isdigit() or int(code) not in BUSINESS_ERRORS:
            raise _bad(f"unknown Kling error scenario {code!r}")
        status, message = BUSINESS_ERRORS[int(code)]
        return kling_error(status, int(code), message)
    external = body.get("external_task_id")
    if external and emu.store.find(lambda t: t.dialect == "kling"
                                   and t.extra.get("external_task_id") == external):
        raise _bad(f"external_task_id {external!r} is already used")
    try:
        scenario = scenario_for(model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        raise _bad(str(exc))
    task = emu.store.create(
        id_=emu.settings.task_id(new_kling_id), dialect="kling", model=model, prompt=body.get("prompt", ""),
        scenario=scenario, duration=emu.settings.task_duration(),
        seconds=body.get("duration", "5"), size=body.get("aspect_ratio", "16:9"),
        extra={"action": action, "external_task_id": external,
               "watermark": (body.get("watermark_info") or {}).get("enabled", False),
               "fields": sorted(body)})
    if body.get("callback_url"):
        # Kling posts the task object, unsigned (its "Callback Protocol"): receivers re-query the task.
        emu.webhooks.task_created(task, body["callback_url"], lambda: kling_shapes.status_envelope(
            task, task.state(), shapes.video_link(emu, task, task.state()))["data"], scheme="unsigned")
    render = kling_shapes.submit_envelope if shape == "envelope" else kling_shapes.submit_flat
    return json_response(200, render(task))


def fetch(emu, req: Request, action: str, task_id: str) -> Response:
    """``GET /kling/v1/videos/{action}/{task_id or external_task_id}``."""
    shape = _shape(emu, req)
    task = emu.store.get(task_id)
    if task is None:
        task = emu.store.find(lambda t: t.dialect == "kling" and t.extra.get("external_task_id") == task_id)
    if task is None or task.dialect != "kling" or task.extra.get("action") != action:
        return kling_error(404, 1203, f"task {task_id} does not exist under {action}")
    state = task.state()
    url = shapes.video_link(emu, task, state)
    render = kling_shapes.status_envelope if shape == "envelope" else kling_shapes.status_flat
    return json_response(200, render(task, state, url))


ROUTES = [
    ("POST", re.compile(r"^/kling/v1/videos/(?P<action>text2video|image2video)$"), submit),
    ("GET", re.compile(r"^/kling/v1/videos/(?P<action>text2video|image2video)/(?P<task_id>[^/]+)$"), fetch),
]
