"""Runway: ``POST /v1/image_to_video`` / ``text_to_video`` / ``video_to_video`` → ``{id}``; ``GET /v1/tasks/{id}``
→ ``PENDING`` / ``THROTTLED`` / ``RUNNING`` (``progress`` a fraction 0..1) / ``SUCCEEDED`` (``output[]``, fresh
signed URLs each poll) / ``FAILED`` (``failure``, ``failureCode``) / ``CANCELLED``; ``DELETE /v1/tasks/{id}``
cancels (204). Every request needs ``X-Runway-Version`` (a dated version; 400 without it). Errors are
``{"error": "..."}`` (400 also lists ``issues``). Models containing ``emu-fail`` fail with
``SAFETY.INPUT.TEXT``; ``emu-error-<status>`` answers that HTTP status; ``emu-throttled`` stays THROTTLED through
the queued phase; ``emu-multi`` succeeds with two outputs.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from . import shapes
from .direct_common import create, json_body, uuid_id
from .messages import HttpError, Request, Response, json_response
from .store import error_scenario

VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ROUTE_FIELDS = {
    "image_to_video": {"model", "promptImage", "promptText", "ratio", "duration", "seed", "contentModeration"},
    "text_to_video": {"model", "promptText", "ratio", "duration", "seed", "contentModeration", "audio"},
    "video_to_video": {"model", "videoUri", "promptText", "ratio", "seed", "references", "contentModeration"},
}
REQUIRED = {"image_to_video": ("model", "promptImage"), "text_to_video": ("model", "promptText"),
            "video_to_video": ("model", "videoUri", "promptText")}
CREDITS_PER_SECOND = 5


def cancelled(emu) -> set[str]:
    """The ids of this emulator's runway tasks cancelled while not finished (kept on the emulator, not the module)."""
    return emu.__dict__.setdefault("_runway_cancelled", set())


def error(status: int, message: str, **extra: Any) -> Response:
    """Runway's error body."""
    return json_response(status, {"error": message, **extra})


def unauthorized(path: str) -> Response:
    """401 for a missing or wrong key."""
    return error(401, "Incorrect API key provided. You must use a valid API secret.")


def _version(req: Request) -> None:
    version = req.header("X-Runway-Version")
    if version is None:
        raise HttpError(error(400, "You must provide a version in the X-Runway-Version header."))
    if not VERSION.match(version):
        raise HttpError(error(400, f"The API version {version!r} is not valid."))


def _iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _uri_ok(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith("https://") or value.startswith("http://")
                                       or value.startswith("data:image/") or value.startswith("runway://"))


def submit(emu, req: Request, route: str) -> Response:
    """``POST /v1/{route}``."""
    _version(req)
    body = json_body(req, lambda m: error(400, m))
    issues = [{"path": [name], "message": "Unrecognized key"} for name in body if name not in ROUTE_FIELDS[route]]
    issues += [{"path": [name], "message": "Required"} for name in REQUIRED[route] if name not in body]
    image = body.get("promptImage")
    if image is not None:
        frames = image if isinstance(image, list) else [{"uri": image, "position": "first"}]
        for frame in frames:
            if not isinstance(frame, dict) or not _uri_ok(frame.get("uri")) or frame.get("position") not in ("first", "last"):
                issues.append({"path": ["promptImage"], "message": "Invalid image"})
    if "duration" in body and (isinstance(body["duration"], bool) or not isinstance(body["duration"], int)):
        issues.append({"path": ["duration"], "message": "Expected number"})
    if "ratio" in body and not re.match(r"^\d+:\d+$", str(body["ratio"])):
        issues.append({"path": ["ratio"], "message": "Invalid enum value"})
    if issues:
        return error(400, "Validation of body failed", issues=issues)
    code = error_scenario(str(body["model"]))
    if code is not None:
        return error(int(code) if code.isdigit() else 400, "Emulated error" if code.isdigit() else f"unknown scenario {code}")
    task = create(emu, req, "runway", body["model"], body.get("promptText", ""), uuid_id, lambda m: error(400, m),
                  request=body, route=route, version=req.header("X-Runway-Version"))
    return json_response(200, {"id": task.id})


def render(emu, task, state) -> dict[str, Any]:
    """A task as ``GET /v1/tasks/{id}`` answers."""
    seconds = int(task.extra["request"].get("duration", 5))
    body: dict[str, Any] = {"id": task.id, "createdAt": _iso(task.created_at)}
    credits = {"credits": seconds * CREDITS_PER_SECOND}
    if task.id in cancelled(emu):
        return {**body, "status": "CANCELLED", "cost": {"credits": 0}}
    if state.phase == "queued":
        throttled = "emu-throttled" in task.model.lower()
        body.update(status="THROTTLED" if throttled else "PENDING", estimatedCost=credits)
    elif state.phase == "running":
        body.update(status="RUNNING", progress=round(state.progress / 100, 4), estimatedCost=credits)
    elif state.phase == "completed" and state.has_video:
        url = shapes.signed_url(emu, task, state)
        outputs = [url, url.replace(".mp4?", ".mp4?copy=2&", 1)] if "emu-multi" in task.model.lower() else [url]
        body.update(status="SUCCEEDED", output=outputs, cost=credits)
    else:
        body.update(status="FAILED", cost={"credits": 0}, failure="Your prompt was flagged by our content moderation system.",
                    failureCode="SAFETY.INPUT.TEXT")
        if state.phase == "completed":
            body.update(failure="An unexpected error occurred.", failureCode="INTERNAL.BAD_OUTPUT.CODE01")
    return body


def fetch(emu, req: Request, task_id: str) -> Response:
    """``GET /v1/tasks/{id}``."""
    _version(req)
    task = emu.store.get(task_id)
    if task is None or task.dialect != "runway":
        return error(404, "Task not found.")
    return json_response(200, render(emu, task, task.state()))


def delete(emu, req: Request, task_id: str) -> Response:
    """``DELETE /v1/tasks/{id}``: cancels a running task, deletes a finished one."""
    _version(req)
    task = emu.store.get(task_id)
    if task is None or task.dialect != "runway" or task.id in cancelled(emu):
        return error(404, "Task not found.")
    if task.state().terminal:
        emu.store.delete(task.id)
    else:
        cancelled(emu).add(task.id)
    return Response(204)


ROUTES = [
    ("POST", re.compile(r"^/v1/(?P<route>image_to_video|text_to_video|video_to_video)$"), submit),
    ("GET", re.compile(r"^/v1/tasks/(?P<task_id>[^/]+)$"), fetch),
    ("DELETE", re.compile(r"^/v1/tasks/(?P<task_id>[^/]+)$"), delete),
]
