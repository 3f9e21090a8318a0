"""The new-api ("unified") dialect: ``/v1/video/generations`` submit and poll.

A model ``...emu-error-<code>...`` makes the submit answer an upstream's refusal as new-api relays it (see
:mod:`.gateway`); the gateway scenarios shape the poll answers.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import gateway, shapes
from .errors import unified_error, unified_fail
from .inputs import is_image_reference
from .messages import Request, Response, json_response
from .settings import UNIFIED_SHAPES
from .store import error_scenario, new_task_id, scenario_for

STRING_FIELDS = ("model", "prompt", "mode", "size", "seconds", "response_format", "user")
INT_FIELDS = ("duration", "width", "height", "fps", "seed", "n")
ALLOWED = STRING_FIELDS + INT_FIELDS + ("image", "images", "input_reference", "metadata")
SIZE = re.compile(r"^(\d{1,5})x(\d{1,5})$")


def _bad(message: str):
    return unified_fail(400, "invalid_request", message)


def _validate(body: dict[str, Any]) -> None:
    """Raise a 400 ``invalid_request`` for unknown fields, missing or mistyped values."""
    for name in body:
        if name not in ALLOWED:
            raise _bad(f"unknown field: {name}")
    for name in ("model", "prompt"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            raise _bad(f"field {name} is required")
    for name in STRING_FIELDS:
        if name in body and not isinstance(body[name], str):
            raise _bad(f"field {name} must be a string")
    for name in INT_FIELDS:
        if name in body and (isinstance(body[name], bool) or not isinstance(body[name], int)):
            raise _bad(f"field {name} must be an integer")
    if "seconds" in body and not (body["seconds"].isascii() and body["seconds"].isdigit()):
        raise _bad("field seconds must be a string of digits")
    if "metadata" in body and not isinstance(body["metadata"], dict):
        raise _bad("field metadata must be an object")
    if "images" in body and not (isinstance(body["images"], list)
                                 and all(isinstance(x, str) for x in body["images"])):
        raise _bad("field images must be a list of strings")
    refs = [("image", body["image"])] if "image" in body else []
    refs += [("input_reference", body["input_reference"])] if "input_reference" in body else []
    refs += [("images", x) for x in body.get("images", [])]
    for name, value in refs:
        if not is_image_reference(value):
            raise _bad(f"field {name} must be an http(s) URL or a data:image/...;base64, "
                       "URI of a PNG, JPEG, WEBP or GIF image")


def submit(emu, req: Request) -> Response:
    """``POST /v1/video/generations``: validate the JSON body and create a task."""
    try:
        body = json.loads(req.body)
    except (ValueError, UnicodeDecodeError):
        raise _bad("invalid JSON body")
    if not isinstance(body, dict):
        raise _bad("request body must be a JSON object")
    _validate(body)
    code = error_scenario(body["model"])
    if code is not None:
        refused = gateway.submit_error(code)
        if refused is None:
            raise _bad(f"unknown error scenario {code!r}; known: Kling business codes, "
                       f"{', '.join(gateway.SUBMIT_ERROR_CODES)}")
        return refused
    try:
        scenario = scenario_for(body["model"], req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        raise _bad(str(exc))
    seconds = str(body["duration"]) if "duration" in body else body.get("seconds", "4")
    size = body.get("size", "")
    match = SIZE.match(size)
    width = body.get("width", int(match.group(1)) if match else 720)
    height = body.get("height", int(match.group(2)) if match else 1280)
    task = emu.store.create(
        id_=emu.settings.task_id(new_task_id), dialect="unified", model=body["model"], prompt=body["prompt"],
        scenario=scenario, duration=emu.settings.task_duration(), seconds=seconds,
        size=size or f"{width}x{height}", width=width, height=height,
        fps=body.get("fps", 24), seed=body.get("seed", 0),
        extra={k: body[k] for k in ("mode", "metadata", "n", "response_format", "user") if k in body})
    # new-api passes metadata through to the upstream provider, whose callback_url it is; the emulator plays that
    # upstream and posts the task, signed with the configured scheme, as the status answer reads.
    callback = (body.get("metadata") or {}).get("callback_url") if isinstance(body.get("metadata"), dict) else None
    if callback is not None:
        if not (isinstance(callback, str) and callback.startswith(("http://", "https://"))):
            raise _bad("metadata.callback_url must be an http(s) URL")
        emu.webhooks.task_created(task, callback, lambda: shapes.unified_poll(
            emu.settings.get("unified_shape"), task, task.state(), shapes.result_url(emu, task, task.state())))
    ratios = json.dumps({"seconds": int(seconds), "size": 1}, separators=(",", ":"))
    return json_response(200, shapes.submit_object(task), {"X-New-Api-Other-Ratios": ratios})


def fetch(emu, req: Request, task_id: str) -> Response:
    """``GET /v1/video/generations/{id}`` in the configured (or ``?shape=``) poll shape."""
    shape = req.query.get("shape") or emu.settings.get("unified_shape")
    if shape not in UNIFIED_SHAPES:
        raise _bad(f"shape must be one of {', '.join(UNIFIED_SHAPES)}")
    task = emu.store.get(task_id)
    if task is None:
        return unified_error(400, "task_not_exist", "task_not_exist")
    state = task.state()
    return json_response(200, shapes.unified_poll(shape, task, state,
                                                  shapes.result_url(emu, task, state)))


ROUTES = [
    ("POST", re.compile(r"^/v1/video/generations$"), submit),
    ("GET", re.compile(r"^/v1/video/generations/(?P<task_id>[^/]+)$"), fetch),
]
