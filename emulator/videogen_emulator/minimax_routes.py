"""MiniMax (Hailuo) video generation, v1 and v2.

v1: ``POST /v1/video_generation`` → ``{task_id, base_resp}``; ``GET /v1/query/video_generation?task_id=`` →
``Preparing`` / ``Queueing`` / ``Processing`` / ``Success`` (with ``file_id``) / ``Fail``; ``GET
/v1/files/retrieve?file_id=`` → ``{file: {download_url, ...}}``, a fresh signed URL each time. Every v1 answer is
HTTP 200 with ``base_resp.status_code`` (0 = success; 1004 auth, 1008 balance, 1026 / 1027 sensitive content, 2013
invalid params, ...).

v2: ``POST /v2/video_generation`` with ``content[]`` → ``{task_id}``; ``GET /v2/query/video_generation/{task_id}``
→ ``{task: {id, model, status, content: {url}, usage, error, ...}}``; errors are HTTP statuses with
``{type: "error", error: {type, message: "... (code)", http_code}}``.

An unknown task id answers ``invalid task_id`` in both (MiniMax answers so for tasks past its 7-day window). A
model containing ``emu-error-<code>`` answers that status code; ``emu-fail`` fails the task with 1027.
"""

from __future__ import annotations

import re
from typing import Any

from . import shapes
from .direct_common import create, digits_id, json_body
from .inputs import is_http_url
from .messages import HttpError, Request, Response, json_response
from .store import Task, error_scenario

V1_FIELDS = {"model", "prompt", "duration", "resolution", "first_frame_image", "last_frame_image",
             "subject_reference", "prompt_optimizer", "fast_pretreatment", "callback_url", "aigc_watermark"}
V2_FIELDS = {"model", "content", "duration", "resolution", "ratio", "callback_url", "aigc_watermark"}
ROLES = {"first_frame", "last_frame", "reference_image"}
# code -> (v2 HTTP status, v2 error type, message)
CODES = {
    1000: (500, "server_error", "internal error"),
    1002: (429, "rate_limit_error", "rate limit, please retry later"),
    1004: (401, "authorized_error", "login fail: Please carry the API secret key in the 'Authorization' field of the request header"),
    1008: (402, "insufficient_balance_error", "insufficient balance"),
    1026: (422, "unprocessable_entity_error", "video description contains sensitive content"),
    1027: (422, "unprocessable_entity_error", "generated video contains sensitive content"),
    2013: (400, "bad_request_error", "invalid params"),
    2049: (401, "authorized_error", "invalid api key"),
}
V1_STATUS = {"queued": "Queueing", "running": "Processing", "completed": "Success", "failed": "Fail"}
V2_STATUS = {"queued": "queued", "running": "running", "completed": "succeeded", "failed": "failed"}


def base_resp(code: int = 0, message: str = "success") -> dict[str, Any]:
    """MiniMax's ``base_resp``."""
    return {"status_code": code, "status_msg": message}


def v1_error(code: int, message: str | None = None) -> Response:
    """A v1 error: HTTP 200 with a non-zero ``base_resp``."""
    return json_response(200, {"base_resp": base_resp(code, message or CODES[code][2])})


def v2_error(code: int, message: str | None = None) -> Response:
    """A v2 error: the code's HTTP status, the message ending in ``(code)``."""
    status, type_, text = CODES[code]
    return json_response(status, {"type": "error", "error": {"type": type_, "message": f"{message or text} ({code})",
                                                             "http_code": str(status)},
                                  "request_id": digits_id(20)})


def unauthorized(path: str) -> Response:
    """The answer to a request without the right key: v2's 401, v1's ``base_resp`` 1004."""
    return v2_error(1004) if path.startswith("/v2/") else v1_error(1004)


def _check_image(value: Any, name: str, error) -> None:
    if not isinstance(value, str) or not (is_http_url(value) or value.startswith("data:image/")):
        raise HttpError(error(2013, f"invalid params, {name} must be a URL or a data:image URI"))


def _submit(emu, req: Request, version: str) -> Response:
    error = v1_error if version == "v1" else v2_error
    body = json_body(req, lambda m: error(2013, f"invalid params, {m}"))
    for name in body:
        if name not in (V1_FIELDS if version == "v1" else V2_FIELDS):
            raise HttpError(error(2013, f"invalid params, unknown parameter {name}"))
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise HttpError(error(2013, "invalid params, model is required"))
    if "duration" in body and (isinstance(body["duration"], bool) or not isinstance(body["duration"], int)):
        raise HttpError(error(2013, "invalid params, duration must be an integer"))
    if version == "v1":
        if not isinstance(body.get("prompt"), str):
            raise HttpError(error(2013, "invalid params, prompt is required"))
        prompt = body["prompt"]
        for name in ("first_frame_image", "last_frame_image"):
            if name in body:
                _check_image(body[name], name, error)
    else:
        content = body.get("content")
        if not isinstance(content, list) or not content:
            raise HttpError(error(2013, "invalid params, content must include a non-empty text item (prompt is required)"))
        texts = [item.get("text") for item in content if isinstance(item, dict) and item.get("type") == "text"]
        if len(texts) != 1 or not isinstance(texts[0], str) or not texts[0]:
            raise HttpError(error(2013, "invalid params, content must include a non-empty text item (prompt is required)"))
        prompt = texts[0]
        for item in content:
            if not isinstance(item, dict) or item.get("type") not in ("text", "image_url"):
                raise HttpError(error(2013, "invalid params, content items are text or image_url"))
            if item["type"] == "image_url":
                if item.get("role") not in ROLES or not isinstance(item.get("image_url"), dict):
                    raise HttpError(error(2013, "invalid params, image_url items need image_url.url and a role"))
                _check_image(item["image_url"].get("url"), "image_url.url", error)
    code = error_scenario(body["model"])
    if code is not None:
        if not code.isdigit() or int(code) not in CODES:
            raise HttpError(error(2013, f"unknown MiniMax error scenario {code}"))
        return error(int(code))
    if "callback_url" in body and not (isinstance(body["callback_url"], str) and is_http_url(body["callback_url"])):
        raise HttpError(error(2013, "invalid params, callback_url must be an http(s) URL"))
    task = create(emu, req, "minimax-" + version, body["model"], prompt, digits_id,
                  lambda m: error(2013, f"invalid params, {m}"), request=body)
    if body.get("callback_url"):
        # MiniMax's callbacks are unsigned; their body is the query answer's ({task_id, status, file_id, base_resp}
        # for v1; for v2, unconfirmed, the query answer's {task: ...} too). MiniMax first posts a {"challenge"}
        # the receiver must echo: the emulator does not.
        answer = query_v1_answer if version == "v1" else query_v2_answer
        emu.webhooks.task_created(task, body["callback_url"], lambda: answer(emu, task), scheme="unsigned")
    if version == "v1":
        return json_response(200, {"task_id": task.id, "base_resp": base_resp()})
    return json_response(200, {"task_id": task.id})


def submit_v1(emu, req: Request) -> Response:
    """``POST /v1/video_generation``."""
    return _submit(emu, req, "v1")


def submit_v2(emu, req: Request) -> Response:
    """``POST /v2/video_generation``."""
    return _submit(emu, req, "v2")


def _failure(task: Task, state) -> tuple[int, str]:
    """The status code and message of a refused generation (the ``fail`` scenario): 1027, sensitive output."""
    return 1027, CODES[1027][2]


def file_id(task: Task) -> str:
    """The task's file id (a pure function of the task id)."""
    return str(int(task.id) + 1) if task.id.isdigit() else "9" + task.id


def query_v1(emu, req: Request) -> Response:
    """``GET /v1/query/video_generation?task_id=``."""
    task = emu.store.get(req.query.get("task_id", ""))
    if task is None or task.dialect != "minimax-v1":
        return v1_error(2013, "invalid params, invalid task_id")
    return json_response(200, query_v1_answer(emu, task))


def query_v1_answer(emu, task: Task) -> dict[str, Any]:
    """``GET /v1/query/video_generation``'s answer about ``task`` (also its callback's body)."""
    state = task.state()
    body: dict[str, Any] = {"task_id": task.id, "status": V1_STATUS[state.phase], "file_id": "",
                            "base_resp": base_resp()}
    if state.phase == "completed" and state.has_video:
        body.update(file_id=file_id(task), video_width=1366, video_height=768)
    elif state.phase == "completed":
        body["status"] = "Fail"
        body["base_resp"] = base_resp(1000, "the generation produced no video")
    if state.phase == "failed":
        code, message = _failure(task, state)
        body["base_resp"] = base_resp(code, message)
    return body


def retrieve(emu, req: Request) -> Response:
    """``GET /v1/files/retrieve?file_id=``: a fresh signed download URL."""
    wanted = req.query.get("file_id", "")
    task = emu.store.find(lambda t: t.dialect == "minimax-v1" and file_id(t) == wanted)
    if task is None:
        return v1_error(2013, "invalid params, file not found")
    state = task.state()
    if not state.has_video:
        return v1_error(2013, "invalid params, file not ready")
    return json_response(200, {"file": {"file_id": int(wanted) if wanted.isdigit() else wanted, "bytes": emu.sample.size,
                                        "created_at": state.finished_at, "filename": "output.mp4",
                                        "purpose": "video_generation",
                                        "download_url": shapes.signed_url(emu, task, state)},
                               "base_resp": base_resp()})


def query_v2(emu, req: Request, task_id: str) -> Response:
    """``GET /v2/query/video_generation/{task_id}``."""
    task = emu.store.get(task_id)
    if task is None or task.dialect != "minimax-v2":
        return v2_error(2013, "invalid task_id")
    return json_response(200, query_v2_answer(emu, task))


def query_v2_answer(emu, task: Task) -> dict[str, Any]:
    """``GET /v2/query/video_generation/{id}``'s answer about ``task`` (also the body the emulator posts back)."""
    state = task.state()
    seconds = task.extra.get("request", {}).get("duration", 6)
    item: dict[str, Any] = {"id": task.id, "model": task.model, "status": V2_STATUS[state.phase],
                            "created_at": int(task.created_at),
                            "updated_at": int(max(task.created_at, state.started_at or 0, state.finished_at or 0)),
                            "task_type": "generation", "modality": "video"}
    if state.phase == "completed" and state.has_video:
        item["content"] = {"url": shapes.signed_url(emu, task, state), "resolution": "768P", "duration": seconds}
        item["usage"] = {"total_seconds": seconds, "input_seconds": 0, "output_seconds": seconds,
                         "image_count": sum(1 for i in task.extra["request"]["content"] if i.get("type") == "image_url")}
    elif state.phase == "completed":
        item["status"] = "failed"
        item["error"] = {"code": 1000, "message": "the generation produced no video"}
    if state.phase == "failed":
        code, message = _failure(task, state)
        item["error"] = {"code": code, "message": message}
    return {"task": item}


ROUTES = [
    ("POST", re.compile(r"^/v1/video_generation$"), submit_v1),
    ("GET", re.compile(r"^/v1/query/video_generation$"), query_v1),
    ("GET", re.compile(r"^/v1/files/retrieve$"), retrieve),
    ("POST", re.compile(r"^/v2/video_generation$"), submit_v2),
    ("GET", re.compile(r"^/v2/query/video_generation/(?P<task_id>[^/]+)$"), query_v2),
]
