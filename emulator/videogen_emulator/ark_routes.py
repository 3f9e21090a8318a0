"""Seedance on Volcengine Ark / BytePlus ModelArk: ``POST /api/v3/contents/generations/tasks`` (``content[]``:
one ``text`` item and ``image_url`` items with a ``role`` of ``first_frame``, ``last_frame`` or
``reference_image``) → ``{id}``; ``GET /api/v3/contents/generations/tasks/{id}`` → ``queued`` / ``running`` /
``succeeded`` (``content.video_url``, a fresh signed URL each poll, valid 24 h on the real service; ``usage``
``{completion_tokens, total_tokens}``) / ``failed`` (``error {code, message}``) / ``cancelled``; ``DELETE`` the
same path cancels a queued task (a running one answers 409) and deletes a finished one's record. Errors are
``{error: {code, message, param, type}}``. Models containing ``emu-fail`` fail with
``OutputVideoSensitiveContentDetected``; ``emu-error-<code>`` answers that Ark error code.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from . import shapes
from .direct_common import create, json_body
from .inputs import is_http_url
from .messages import Request, Response, json_response
from .store import error_scenario

FIELDS = {"model", "content", "callback_url", "return_last_frame", "service_tier", "execution_expires_after",
          "generate_audio", "draft", "camera_fixed", "watermark", "seed", "resolution", "ratio", "duration",
          "frames", "safety_identifier", "priority", "tools", "output_format", "omni_reference_task_type"}
ROLES = {"first_frame", "last_frame", "reference_image"}
# code -> (HTTP status, type, message)
ERRORS = {
    "authenticationerror": (401, "AuthenticationError", "Unauthorized",
                            "The API key or AK/SK in the request is missing or invalid."),
    "accountoverdueerror": (403, "AccountOverdueError", "Forbidden", "Your account has an overdue balance."),
    "ratelimitexceeded": (429, "RateLimitExceeded", "TooManyRequests", "Too many requests, please retry later."),
    "inputtextsensitivecontentdetected": (400, "InputTextSensitiveContentDetected", "BadRequest",
                                          "The request failed because the input text may contain sensitive information."),
    "modelnotopen": (404, "ModelNotOpen", "NotFound", "Your account has not activated the model service."),
    "internalserviceerror": (500, "InternalServiceError", "InternalServerError", "The service encountered an unexpected internal error."),
}
STATUS = {"queued": "queued", "running": "running", "completed": "succeeded", "failed": "failed"}
TOKENS_PER_SECOND = 21600


def cancelled(emu) -> set[str]:
    """The ids of this emulator's ark tasks cancelled while not finished (kept on the emulator, not the module)."""
    return emu.__dict__.setdefault("_ark_cancelled", set())


def error(status: int, code: str, message: str, type_: str = "BadRequest", param: str = "") -> Response:
    """Ark's error body."""
    return json_response(status, {"error": {"code": code, "message": message, "param": param, "type": type_}})


def bad(message: str, param: str = "") -> Response:
    """400 InvalidParameter."""
    return error(400, "InvalidParameter", message, param=param)


def unauthorized(path: str) -> Response:
    """401 for a missing or wrong key."""
    status, code, type_, message = ERRORS["authenticationerror"]
    return error(status, code, message, type_)


def new_id() -> str:
    """``cgt-`` + a date stamp and random characters, as Ark's ids look."""
    return "cgt-2026" + secrets.token_hex(4) + "-" + secrets.token_hex(3)


def submit(emu, req: Request) -> Response:
    """``POST /api/v3/contents/generations/tasks``."""
    # The SDK sends every parameter it was not given as null: null is absent.
    body = {name: value for name, value in json_body(req, bad).items() if value is not None}
    for name in body:
        if name not in FIELDS:
            return bad(f"The parameter `{name}` specified in the request is not valid", name)
    if not isinstance(body.get("model"), str) or not body["model"]:
        return bad("The parameter `model` specified in the request is not valid", "model")
    content = body.get("content")
    if not isinstance(content, list) or not content:
        return bad("The parameter `content` specified in the request is not valid", "content")
    texts = []
    for item in content:
        if not isinstance(item, dict) or item.get("type") not in ("text", "image_url"):
            return bad("The parameter `content.type` specified in the request is not valid", "content")
        if item["type"] == "text":
            if not isinstance(item.get("text"), str):
                return bad("The parameter `content.text` specified in the request is not valid", "content.text")
            texts.append(item["text"])
        else:
            url = item.get("image_url", {}).get("url") if isinstance(item.get("image_url"), dict) else None
            if not isinstance(url, str) or not (is_http_url(url) or url.startswith("data:image/")):
                return bad("The parameter `content.image_url.url` specified in the request is not valid", "content.image_url")
            if item.get("role", "first_frame") not in ROLES:
                return bad("The parameter `content.role` specified in the request is not valid", "content.role")
    if len(texts) > 1:
        return bad("The parameter `content` may hold one text item", "content")
    if "duration" in body and (isinstance(body["duration"], bool) or not isinstance(body["duration"], int)):
        return bad("The parameter `duration` specified in the request is not valid", "duration")
    code = error_scenario(body["model"])
    if code is not None:
        if code not in ERRORS:
            return bad(f"unknown Ark error scenario {code}")
        status, name, type_, message = ERRORS[code]
        return error(status, name, message, type_)
    if "callback_url" in body and not (isinstance(body["callback_url"], str) and is_http_url(body["callback_url"])):
        return bad("The parameter `callback_url` specified in the request is not valid", "callback_url")
    task = create(emu, req, "ark", body["model"], texts[0] if texts else "", new_id, bad, request=body)
    if body.get("callback_url"):
        # Ark's callbacks are unsigned: the task object, as the GET answers it.
        emu.webhooks.task_created(task, body["callback_url"], lambda: render(emu, task, task.state()),
                                  scheme="unsigned")
    return json_response(200, {"id": task.id})


def render(emu, task, state) -> dict[str, Any]:
    """A task as the GET answers."""
    request = task.extra["request"]
    seconds = int(request.get("duration", 5))
    body: dict[str, Any] = {"id": task.id, "model": task.model, "status": STATUS[state.phase],
                            "created_at": int(task.created_at),
                            "updated_at": int(max(task.created_at, state.started_at or 0, state.finished_at or 0)),
                            "seed": int(request.get("seed", 42)), "resolution": request.get("resolution", "720p"),
                            "ratio": request.get("ratio", "16:9"), "duration": seconds, "framespersecond": 24,
                            "service_tier": request.get("service_tier", "default"), "execution_expires_after": 172800}
    if task.id in cancelled(emu):
        body["status"] = "cancelled"
        return body
    if state.phase == "completed" and state.has_video:
        body["content"] = {"video_url": shapes.signed_url(emu, task, state)}
        tokens = seconds * TOKENS_PER_SECOND
        body["usage"] = {"completion_tokens": tokens, "total_tokens": tokens}
    elif state.phase == "completed":
        body.update(status="failed", error={"code": "InternalServiceError", "message": "no video was produced"})
    if state.phase == "failed":
        body["error"] = {"code": "OutputVideoSensitiveContentDetected",
                         "message": "The request failed because the output video may contain sensitive information."}
    return body


def fetch(emu, req: Request, task_id: str) -> Response:
    """``GET /api/v3/contents/generations/tasks/{id}``."""
    task = emu.store.get(task_id)
    if task is None or task.dialect != "ark":
        return error(404, "ResourceNotFound", f"The specified task {task_id} is not found", "NotFound")
    return json_response(200, render(emu, task, task.state()))


def delete(emu, req: Request, task_id: str) -> Response:
    """``DELETE /api/v3/contents/generations/tasks/{id}``: cancels a queued task, deletes a finished one's record;
    a running task cannot be cancelled (409)."""
    task = emu.store.get(task_id)
    if task is None or task.dialect != "ark":
        return error(404, "ResourceNotFound", f"The specified task {task_id} is not found", "NotFound")
    state = task.state()
    if task.id in cancelled(emu) or state.terminal:
        emu.store.delete(task.id)
    elif state.phase == "queued":
        cancelled(emu).add(task.id)
    else:
        return error(409, "InvalidAction.TaskRunning", "A running task cannot be cancelled", "Conflict")
    return json_response(200, {})


ROUTES = [
    ("POST", re.compile(r"^/api/v3/contents/generations/tasks$"), submit),
    ("GET", re.compile(r"^/api/v3/contents/generations/tasks/(?P<task_id>[^/]+)$"), fetch),
    ("DELETE", re.compile(r"^/api/v3/contents/generations/tasks/(?P<task_id>[^/]+)$"), delete),
]
