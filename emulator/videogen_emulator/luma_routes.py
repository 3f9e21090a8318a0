"""Luma Dream Machine: ``POST /dream-machine/v1/generations/video`` (and the older ``/generations`` with
``generation_type: video``) → the Generation object (201); ``GET /dream-machine/v1/generations/{id}`` → ``state``
``queued`` / ``dreaming`` / ``completed`` (``assets.video``, a fresh signed URL each poll) / ``failed``
(``failure_reason``); ``DELETE /dream-machine/v1/generations/{id}`` (204). Keyframes are ``frame0`` / ``frame1``,
``{type: "image", url}`` (an http(s) URL) or ``{type: "generation", id}``. Errors are ``{"detail": "..."}``.
Models containing ``emu-fail`` fail with a moderation reason; ``emu-error-<status>`` answers that HTTP status.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from . import shapes
from .direct_common import create, json_body, uuid_id
from .inputs import is_http_url
from .messages import HttpError, Request, Response, json_response
from .store import error_scenario

FIELDS = {"model", "prompt", "aspect_ratio", "duration", "resolution", "keyframes", "loop", "callback_url",
          "concepts", "generation_type"}
RATIOS = {"1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21"}
STATE = {"queued": "queued", "running": "dreaming", "completed": "completed", "failed": "failed"}


def error(status: int, detail: str) -> Response:
    """Luma's error body."""
    return json_response(status, {"detail": detail})


def unauthorized(path: str) -> Response:
    """401 for a missing or wrong key."""
    return error(401, "Invalid API key")


def _iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _keyframe(value: Any, name: str) -> None:
    if not isinstance(value, dict):
        raise HttpError(error(400, f"keyframes.{name} must be an object"))
    if value.get("type") == "image" and isinstance(value.get("url"), str) and is_http_url(value["url"]):
        return
    if value.get("type") == "generation" and isinstance(value.get("id"), str) and value["id"]:
        return
    raise HttpError(error(400, f"keyframes.{name} must be {{type: image, url}} with an http(s) URL or {{type: generation, id}}"))


def submit(emu, req: Request) -> Response:
    """``POST /dream-machine/v1/generations[/video]``."""
    body = json_body(req, lambda m: error(400, m))
    for name in body:
        if name not in FIELDS:
            return error(400, f"Unknown field: {name}")
    if body.get("generation_type", "video") != "video":
        return error(400, "generation_type must be video here")
    if not isinstance(body.get("model"), str) or not body["model"]:
        return error(400, "model is required")
    if "aspect_ratio" in body and body["aspect_ratio"] not in RATIOS:
        return error(400, "aspect_ratio is not supported")
    if "duration" in body and not (isinstance(body["duration"], str) and re.match(r"^\d+s$", body["duration"])):
        return error(400, "duration must look like 5s")
    keyframes = body.get("keyframes", {})
    if not isinstance(keyframes, dict) or set(keyframes) - {"frame0", "frame1"}:
        return error(400, "keyframes takes frame0 and frame1")
    for name, value in keyframes.items():
        _keyframe(value, name)
    if not body.get("prompt") and not keyframes:
        return error(400, "prompt is required")
    code = error_scenario(body["model"])
    if code is not None:
        return error(int(code) if code.isdigit() else 400, "Emulated error")
    if "callback_url" in body and not (isinstance(body["callback_url"], str) and is_http_url(body["callback_url"])):
        return error(400, "callback_url must be an http(s) URL")
    task = create(emu, req, "luma", body["model"], body.get("prompt", ""), uuid_id, lambda m: error(400, m),
                  request=body)
    if body.get("callback_url"):
        # Luma's callbacks are unsigned: the Generation object, posted as is.
        emu.webhooks.task_created(task, body["callback_url"], lambda: render(emu, task, task.state()),
                                  scheme="unsigned")
    return json_response(201, render(emu, task, task.submitted_state()))


def render(emu, task, state) -> dict[str, Any]:
    """The Generation object."""
    request = dict(task.extra["request"])
    request.setdefault("generation_type", "video")
    body: dict[str, Any] = {"id": task.id, "generation_type": "video", "state": STATE[state.phase],
                            "failure_reason": None, "created_at": _iso(task.created_at), "model": task.model,
                            "assets": None, "request": request}
    if state.phase == "completed" and state.has_video:
        url = shapes.signed_url(emu, task, state)
        body["assets"] = {"video": url, "image": None,
                          "progress_video": None}
    elif state.phase == "completed":
        body.update(state="failed", failure_reason="Generation produced no output")
    if state.phase == "failed":
        body["failure_reason"] = "400: prompt not allowed because advanced moderation failed"
    return body


def fetch(emu, req: Request, task_id: str) -> Response:
    """``GET /dream-machine/v1/generations/{id}``."""
    task = emu.store.get(task_id)
    if task is None or task.dialect != "luma":
        return error(404, "Generation not found")
    return json_response(200, render(emu, task, task.state()))


def delete(emu, req: Request, task_id: str) -> Response:
    """``DELETE /dream-machine/v1/generations/{id}``."""
    task = emu.store.get(task_id)
    if task is None or task.dialect != "luma":
        return error(404, "Generation not found")
    emu.store.delete(task.id)
    return Response(204)


ROUTES = [
    ("POST", re.compile(r"^/dream-machine/v1/generations(/video)?$"), submit),
    ("GET", re.compile(r"^/dream-machine/v1/generations/(?P<task_id>[^/]+)$"), fetch),
    ("DELETE", re.compile(r"^/dream-machine/v1/generations/(?P<task_id>[^/]+)$"), delete),
]
