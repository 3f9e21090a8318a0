"""Wan on Alibaba Cloud Model Studio (DashScope): the asynchronous video-synthesis API.

``POST /api/v1/services/aigc/video-generation/video-synthesis`` (``X-DashScope-Async: enable`` and a Bearer key
required) takes ``{model, input: {prompt, negative_prompt, img_url | first_frame_url + last_frame_url, ...},
parameters: {size, resolution, duration, seed, watermark, prompt_extend, ...}}`` and answers ``{request_id,
output: {task_id, task_status: "PENDING"}}``. ``GET /api/v1/tasks/{task_id}`` answers ``{request_id, output:
{task_id, task_status, submit_time, scheduled_time, end_time, video_url, orig_prompt, code, message}, usage:
{video_duration, video_ratio, video_count}}``; an id the service does not know reads ``UNKNOWN`` (HTTP 200), as
DashScope answers for ids that are wrong or older than 24 hours. ``POST /api/v1/tasks/{task_id}/cancel`` cancels a
PENDING task. Errors are ``{request_id, code, message}``: ``InvalidApiKey`` (401), ``InvalidParameter`` (400),
``DataInspectionFailed`` (400; the ``fail`` scenario fails the task with it), ``Throttling.RateQuota`` (429),
``Arrearage`` (400), chosen with ``emu-error-<code>`` in the model name.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from .inputs import is_image_reference
from .messages import Request, Response, json_response
from .provider_support import cancel, failure_code, is_int, json_object, key_matches, phase
from .shapes import signed_url
from .store import error_scenario, scenario_for

SUBMIT_PATH = "/api/v1/services/aigc/video-generation/video-synthesis"
RESOLUTIONS = ("480P", "720P", "1080P")
SIZE = re.compile(r"^[1-9][0-9]{2,3}\*[1-9][0-9]{2,3}$")
MAX_PROMPT = 2000
STATUS = {"queued": "PENDING", "running": "RUNNING", "completed": "SUCCEEDED", "failed": "FAILED",
          "cancelled": "CANCELED"}
# emu-error-<name> -> (HTTP status, DashScope code, message)
ERRORS = {
    "invalidapikey": (401, "InvalidApiKey", "Invalid API-key provided."),
    "invalidparameter": (400, "InvalidParameter", "The parameters are invalid (emulated)."),
    "datainspectionfailed": (400, "DataInspectionFailed", "Input data may contain inappropriate content."),
    "throttling": (429, "Throttling.RateQuota", "Requests rate limit exceeded, please try again later."),
    "arrearage": (400, "Arrearage", "Access denied, please make sure your account is in good standing."),
    "internalerror": (500, "InternalError", "An internal error has occured, please try again later."),
}
FAILURES = {
    "DataInspectionFailed": "Output data may contain inappropriate content.",
    "InternalError.Algo": "An error occurred in the algorithm (emulated).",
    "InvalidParameter": "The image could not be read (emulated).",
}


def error(status: int, code: str, message: str) -> Response:
    """A DashScope error: ``{request_id, code, message}``."""
    return json_response(status, {"request_id": str(uuid.uuid4()), "code": code, "message": message})


def _bad(message: str) -> Response:
    return error(400, "InvalidParameter", message)


def _clock(unix: float | None) -> str | None:
    """DashScope's time format, in China Standard Time (UTC+8): ``2025-07-27 21:05:15.212``."""
    if unix is None:
        return None
    moment = time.gmtime(unix + 8 * 3600)
    return time.strftime("%Y-%m-%d %H:%M:%S", moment) + f".{int((unix % 1) * 1000):03d}"


def _check(body: dict[str, Any]) -> Response | None:
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        return _bad("Field required: model")
    inputs = body.get("input")
    if not isinstance(inputs, dict):
        return _bad("Field required: input")
    prompt = inputs.get("prompt")
    frames = [name for name in ("img_url", "first_frame_url", "last_frame_url") if name in inputs]
    if prompt is None and not frames:
        return _bad("Field required: input.prompt")
    if prompt is not None and (not isinstance(prompt, str) or len(prompt) > MAX_PROMPT):
        return _bad(f"input.prompt must be a string of at most {MAX_PROMPT} characters")
    if "negative_prompt" in inputs and not isinstance(inputs["negative_prompt"], str):
        return _bad("input.negative_prompt must be a string")
    for name in frames:
        if not is_image_reference(inputs[name]):
            return error(400, "InvalidParameter.DataInspection", f"The image in input.{name} could not be read.")
    if "last_frame_url" in inputs and "first_frame_url" not in inputs:
        return _bad("input.last_frame_url needs input.first_frame_url")
    if "img_url" in inputs and "first_frame_url" in inputs:
        return _bad("input.img_url and input.first_frame_url cannot be used together")
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        return _bad("parameters must be an object")
    if "size" in parameters and not (isinstance(parameters["size"], str) and SIZE.match(parameters["size"])):
        return _bad("parameters.size must be WIDTH*HEIGHT, such as 1280*720")
    if "resolution" in parameters and parameters["resolution"] not in RESOLUTIONS:
        return _bad(f"parameters.resolution must be one of {', '.join(RESOLUTIONS)}")
    if "duration" in parameters and not (is_int(parameters["duration"]) and 2 <= parameters["duration"] <= 15):
        return _bad("parameters.duration must be an integer from 2 to 15")
    if "seed" in parameters and not (is_int(parameters["seed"]) and 0 <= parameters["seed"] <= 2147483647):
        return _bad("parameters.seed must be an integer in [0, 2147483647]")
    for name in ("watermark", "prompt_extend", "audio"):
        if name in parameters and not isinstance(parameters[name], bool):
            return _bad(f"parameters.{name} must be a boolean")
    return None


def submit(emu, req: Request) -> Response:
    """Create a task (asynchronous calls only, as DashScope's HTTP API)."""
    if not key_matches(req, emu.api_key, "Bearer"):
        return error(401, "InvalidApiKey", "Invalid API-key provided.")
    if (req.header("X-DashScope-Async") or "").strip().lower() != "enable":
        return error(403, "AccessDenied", "current user api does not support synchronous calls")
    body = json_object(req)
    if body is None:
        return _bad("The request body is not valid JSON.")
    problem = _check(body)
    if problem is not None:
        return problem
    model = body["model"]
    named = error_scenario(model)
    if named is not None:
        if named not in ERRORS:
            return _bad(f"unknown DashScope error scenario {named!r}")
        return error(*ERRORS[named])
    try:
        scenario = scenario_for(model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        return _bad(str(exc))
    parameters = body.get("parameters", {})
    task = emu.store.create(
        id_=emu.settings.task_id(lambda: str(uuid.uuid4())), dialect="dashscope", model=model,
        prompt=body["input"].get("prompt", ""), scenario=scenario, duration=emu.settings.task_duration(),
        seconds=str(parameters.get("duration", 5)), size=parameters.get("size", "1280*720"),
        extra={"fail_code": failure_code(model), "fields": sorted(body["input"]) + sorted(parameters)})
    return json_response(200, {"request_id": str(uuid.uuid4()),
                               "output": {"task_id": task.id, "task_status": "PENDING"}})


def fetch(emu, req: Request, task_id: str) -> Response:
    """A task's status; ``UNKNOWN`` for an id this emulator never made."""
    if not key_matches(req, emu.api_key, "Bearer"):
        return error(401, "InvalidApiKey", "Invalid API-key provided.")
    task = emu.store.get(task_id)
    if task is None or task.dialect != "dashscope":
        return json_response(200, {"request_id": str(uuid.uuid4()),
                                   "output": {"task_id": task_id, "task_status": "UNKNOWN"}})
    state = task.state()
    now_phase = phase(task, state)
    output: dict[str, Any] = {"task_id": task.id, "task_status": STATUS[now_phase],
                              "submit_time": _clock(task.created_at)}
    if state.started_at is not None and now_phase != "cancelled":
        output["scheduled_time"] = _clock(state.started_at)
    usage = None
    if now_phase == "cancelled":
        output["end_time"] = _clock(task.extra["cancelled_at"])
    elif now_phase == "completed":
        output["end_time"] = _clock(state.finished_at)
        url = signed_url(emu, task, state)
        output["video_url"] = url or ""
        output["orig_prompt"] = task.prompt
        output["actual_prompt"] = task.prompt
        usage = {"video_duration": int(task.seconds), "video_ratio": task.size, "video_count": 1 if url else 0}
    elif now_phase == "failed":
        output["end_time"] = _clock(state.finished_at)
        code = task.extra.get("fail_code") or "DataInspectionFailed"
        output["code"] = code
        output["message"] = FAILURES.get(code, f"The task failed with {code} (emulated).")
    answer: dict[str, Any] = {"request_id": str(uuid.uuid4()), "output": output}
    if usage is not None:
        answer["usage"] = usage
    return json_response(200, answer)


def cancel_task(emu, req: Request, task_id: str) -> Response:
    """Cancel a PENDING task."""
    if not key_matches(req, emu.api_key, "Bearer"):
        return error(401, "InvalidApiKey", "Invalid API-key provided.")
    task = emu.store.get(task_id)
    if task is None or task.dialect != "dashscope" or phase(task, task.state()) != "queued":
        return error(400, "UnsupportedOperation",
                     "Failed to cancel the task, please confirm if the task is in PENDING status.")
    cancel(task)
    return json_response(200, {"request_id": str(uuid.uuid4())})


ROUTES = [
    ("POST", re.compile("^" + re.escape(SUBMIT_PATH) + "$"), submit),
    ("GET", re.compile(r"^/api/v1/tasks/(?P<task_id>[^/]+)$"), fetch),
    ("POST", re.compile(r"^/api/v1/tasks/(?P<task_id>[^/]+)/cancel$"), cancel_task),
]
