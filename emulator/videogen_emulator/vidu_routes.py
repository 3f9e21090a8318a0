"""Vidu's API (``/ent/v2``), authorized with ``Authorization: Token <key>``.

``POST /ent/v2/{text2video|img2video|start-end2video|reference2video}`` takes ``{model, prompt, images,
duration, seed, aspect_ratio, resolution, movement_amplitude, bgm, style, payload, watermark, callback_url, ...}``
(``images``: none, one first frame, a first and a last frame, or one to seven references; URLs or ``data:``
URIs) and answers ``{task_id, state: "created", model, prompt, ..., credits, created_at}``. Unknown fields are
refused (``FieldUnwanted``). ``GET /ent/v2/tasks/{id}/creations`` answers ``{id, state, err_code, credits,
payload, creations: [{id, url, cover_url, watermarked_url}]}`` with ``state`` created | queueing | processing |
success | failed; the URLs are signed CDN URLs that expire (``url_ttl_seconds``), the covers JPEGs. A model
naming ``emu-outputs-<n>`` makes n creations; ``emu-failed-<code>`` fails with that ``err_code``; the ``fail``
scenario fails with ``CreationPolicyViolation``. ``POST /ent/v2/tasks/{id}/cancel`` (``{"id"}``) cancels a task
not yet processing (it then reads ``failed`` with ``UserCancelled``) and answers ``{}``. Errors are ``{code,
reason, message, metadata: {trace_id}}``; ``emu-error-<reason>`` answers a submit with that error.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from . import media
from .cdn import DENIED
from .inputs import is_http_url, is_image_reference
from .messages import Request, Response, json_response
from .provider_support import (MAX_OUTPUTS, cancel, failure_code, is_int, json_object, key_matches, output_count,
                               phase)
from .store import error_scenario, scenario_for

ROUTES_IMAGES = {"text2video": (0, 0), "img2video": (1, 1), "start-end2video": (2, 2), "reference2video": (1, 7)}
FIELDS = {"model", "prompt", "images", "duration", "seed", "aspect_ratio", "resolution", "movement_amplitude",
          "bgm", "style", "payload", "watermark", "callback_url", "off_peak", "audio", "voice_id", "is_rec"}
ASPECT_RATIOS = ("16:9", "9:16", "1:1", "3:4", "4:3")
RESOLUTIONS = ("360p", "540p", "720p", "1080p")
AMPLITUDES = ("auto", "small", "medium", "large")
MAX_PROMPT = 5000
CREATED_SECONDS = 0.05   # share of T a new task reads "created" before "queueing"
# emu-error-<name> -> (HTTP status, reason, message)
ERRORS = {
    "creditinsufficient": (400, "CreditInsufficient", "insufficient credits"),
    "auditsubmitillegal": (400, "AuditSubmitIllegal", "submit is illegal"),
    "taskpromptpolicyviolation": (400, "TaskPromptPolicyViolation", "prompt policy violation"),
    "toomanyrequests": (429, "TooManyRequests", "too many requests"),
    "systemthrottling": (429, "SystemThrottling", "system is throttling"),
    "quotaexceeded": (429, "QuotaExceeded", "quota exceeded"),
    "modelunavailable": (400, "ModelUnavailable", "model unavailable"),
    "internalservicefailure": (500, "InternalServiceFailure", "internal service failure"),
}


def error(status: int, reason: str, message: str) -> Response:
    """A Vidu error: ``{code, reason, message, metadata: {trace_id}}``."""
    return json_response(status, {"code": status, "reason": reason, "message": message,
                                  "metadata": {"trace_id": uuid.uuid4().hex}})


def _invalid(field: str) -> Response:
    return error(400, "FieldInvalid", f"invalid field: {field}")


def _rfc3339(unix: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(unix)) + f".{int((unix % 1) * 1e6):06d}Z"


def _check(action: str, body: dict[str, Any]) -> Response | None:
    unwanted = sorted(set(body) - FIELDS)
    if unwanted:
        return error(400, "FieldUnwanted", f"unwanted field: {', '.join(unwanted)}")
    if not isinstance(body.get("model"), str) or not body["model"].strip():
        return error(400, "FieldLacking", "field is missing or empty: model")
    prompt = body.get("prompt")
    if action in ("text2video", "reference2video") and (not isinstance(prompt, str) or not prompt.strip()):
        return error(400, "FieldLacking", "field is missing or empty: prompt")
    if prompt is not None and (not isinstance(prompt, str) or len(prompt) > MAX_PROMPT):
        return _invalid("prompt")
    images = body.get("images", [])
    low, high = ROUTES_IMAGES[action]
    if high == 0 and "images" in body:
        return error(400, "FieldUnwanted", "unwanted field: images")
    if action in ("img2video", "start-end2video") and "aspect_ratio" in body:
        return error(400, "FieldUnwanted", "unwanted field: aspect_ratio")
    if not isinstance(images, list) or not low <= len(images) <= high:
        return error(400, "FieldItemCountOutOfRange", "field item count out of range: images")
    if any(not is_image_reference(image) for image in images):
        return error(400, "ImageDownloadFailure", "image download failure")
    if "duration" in body and not (is_int(body["duration"]) and 1 <= body["duration"] <= 16):
        return _invalid("duration")
    if "seed" in body and not (is_int(body["seed"]) and body["seed"] >= 0):
        return _invalid("seed")
    for name, allowed in (("aspect_ratio", ASPECT_RATIOS), ("resolution", RESOLUTIONS),
                          ("movement_amplitude", AMPLITUDES), ("style", ("general", "anime"))):
        if name in body and body[name] not in allowed:
            return _invalid(name)
    for name in ("bgm", "watermark", "off_peak", "audio", "is_rec"):
        if name in body and not isinstance(body[name], bool):
            return _invalid(name)
    if "payload" in body and not (isinstance(body["payload"], str) and len(body["payload"]) <= 1048576):
        return _invalid("payload")
    if "callback_url" in body and not (isinstance(body["callback_url"], str) and is_http_url(body["callback_url"])):
        return _invalid("callback_url")
    return None


def submit(emu, req: Request, action: str) -> Response:
    """Create a task on one of the four generation routes."""
    if not key_matches(req, emu.api_key, "Token"):
        return error(401, "Unauthorized", "unauthorized")
    body = json_object(req)
    if body is None:
        return error(400, "BadRequest", "bad request")
    problem = _check(action, body)
    if problem is not None:
        return problem
    model = body["model"]
    named = error_scenario(model)
    if named is not None:
        if named not in ERRORS:
            return error(400, "BadRequest", f"unknown Vidu error scenario {named!r}")
        return error(*ERRORS[named])
    try:
        scenario = scenario_for(model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        return error(400, "BadRequest", str(exc))
    duration = body.get("duration", 5)
    task = emu.store.create(
        id_=emu.settings.task_id(lambda: str(uuid.uuid4().int % 10 ** 18)), dialect="vidu", model=model,
        prompt=body.get("prompt", ""), scenario=scenario, duration=emu.settings.task_duration(),
        seconds=str(duration), size=body.get("aspect_ratio", "16:9"),
        extra={"action": action, "fail_code": failure_code(model), "outputs": min(MAX_OUTPUTS, output_count(model)),
               "payload": body.get("payload", ""), "credits": 4 * max(1, duration // 4), "fields": sorted(body)})
    if body.get("callback_url"):
        # Vidu signs its callbacks with the API token (X-HMAC-SIGNATURE); the body is the creations answer.
        emu.webhooks.task_created(task, body["callback_url"], lambda: creations_answer(emu, task), scheme="vidu",
                                  secret=emu.api_key)
    answer = {key: body[key] for key in ("prompt", "images", "duration", "seed", "aspect_ratio", "resolution",
                                         "movement_amplitude", "payload", "bgm", "off_peak") if key in body}
    answer.update({"task_id": task.id, "state": "created", "model": model, "credits": task.extra["credits"],
                   "created_at": _rfc3339(task.created_at)})
    return json_response(200, answer)


def _state_word(task, state, now_phase: str) -> str:
    if now_phase == "queued":
        return "created" if state.elapsed < CREATED_SECONDS * state.duration else "queueing"
    return {"running": "processing", "completed": "success", "failed": "failed", "cancelled": "failed"}[now_phase]


def creations(emu, req: Request, task_id: str) -> Response:
    """A task's state and, once it succeeded, its creations."""
    if not key_matches(req, emu.api_key, "Token"):
        return error(401, "Unauthorized", "unauthorized")
    task = emu.store.get(task_id)
    if task is None or task.dialect != "vidu":
        return error(404, "TaskNotFound", "task not found")
    return json_response(200, creations_answer(emu, task))


def creations_answer(emu, task) -> dict[str, Any]:
    """``GET /ent/v2/tasks/{id}/creations``'s answer, which is also the body of Vidu's callback."""
    state = task.state()
    now_phase = phase(task, state)
    answer: dict[str, Any] = {"id": task.id, "state": _state_word(task, state, now_phase), "err_code": "",
                              "credits": 0, "payload": task.extra["payload"], "creations": []}
    if now_phase == "completed":
        answer["credits"] = task.extra["credits"]
        if state.has_video:
            ttl = emu.settings.get("url_ttl_seconds")
            for index in range(task.extra["outputs"]):
                stem = task.id if index == 0 else f"{task.id}-{index}"
                answer["creations"].append({
                    "id": f"{task.id}{index}", "url": emu.signer.sign(emu.cdn_url, f"{stem}.mp4", ttl),
                    "cover_url": emu.signer.sign(emu.cdn_url, f"{stem}-cover.jpg", ttl), "watermarked_url": ""})
    elif now_phase == "cancelled":
        answer["err_code"] = "UserCancelled"
    elif now_phase == "failed":
        answer["err_code"] = task.extra.get("fail_code") or "CreationPolicyViolation"
    return answer


def cancel_task(emu, req: Request, task_id: str) -> Response:
    """Cancel a task that has not started processing."""
    if not key_matches(req, emu.api_key, "Token"):
        return error(401, "Unauthorized", "unauthorized")
    body = json_object(req)
    if body is None or body.get("id") != task_id:
        return error(400, "FieldInvalid", "invalid field: id")
    task = emu.store.get(task_id)
    if task is None or task.dialect != "vidu":
        return error(404, "TaskNotFound", "task not found")
    if phase(task, task.state()) != "queued":
        return error(400, "BadRequest", "task state is scheduled, can not cancel")
    cancel(task)
    return json_response(200, {})


def cover(emu, req: Request, name: str) -> Response:
    """``GET /files/<stem>-cover.jpg`` on the CDN origin: a creation's cover (JPEG), signed like the videos."""
    if not emu.signer.verify(req.path, req.query):
        return json_response(403, DENIED)
    return media.serve(req, emu.variants["thumbnail"])


ROUTES = [
    ("POST", re.compile(r"^/ent/v2/(?P<action>text2video|img2video|start-end2video|reference2video)$"), submit),
    ("GET", re.compile(r"^/ent/v2/tasks/(?P<task_id>[^/]+)/creations$"), creations),
    ("POST", re.compile(r"^/ent/v2/tasks/(?P<task_id>[^/]+)/cancel$"), cancel_task),
]
CDN_ROUTES = [
    ("GET", re.compile(r"^/files/(?P<name>[^/]+-cover\.jpg)$"), cover),
]
