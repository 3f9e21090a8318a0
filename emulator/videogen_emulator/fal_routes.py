"""fal's queue (``queue.fal.run``): ``POST /{app}``, then the request's ``status_url``, ``response_url`` and
``cancel_url``.

Credentials are ``Authorization: Key <key>`` (the emulator's API key); anything else answers 401 ``{"detail"}``.
The submit answers ``{request_id, response_url, status_url, cancel_url, queue_position}`` with the addresses under
``/{owner}/{alias}/requests/{id}`` (the app's first two path segments, as fal builds them). Status answers
``IN_QUEUE`` (``queue_position``), ``IN_PROGRESS`` or ``COMPLETED`` (``metrics.inference_time``; ``error`` and
``error_type`` when the app failed), always with ``logs`` (a list with ``?logs=1`` / ``true``, else null) and
``response_url``. The response URL serves the app's output ``{video: {url, content_type, file_name, file_size},
seed}`` once completed; before that 400, for a failed request 422 with FastAPI's ``{"detail": [{loc, msg, type}]}``.
``PUT cancel_url`` answers 202 ``CANCELLATION_REQUESTED`` (the request then completes with ``error_type``
``request_cancelled``) or 400 ``ALREADY_COMPLETED``. ``X-Fal-Request-Timeout`` must be a number over 1 (it is
recorded with the task). Scenarios come from the app id (``emu-fail``, ``emu-stuck``, ``emu-empty``); an app id
containing ``emu-error-<code>`` answers that error: ``unauthorized`` 401, ``locked`` 403 (exhausted balance),
``rate_limited`` 429, ``validation`` 422; one containing ``emu-echo-auth`` answers 400 with the ``Authorization``
header in its detail, as a careless service might.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import uuid
from typing import Any

from . import shapes
from .inputs import is_http_url
from .messages import Request, Response, json_response
from .store import error_scenario, scenario_for

DIALECT = "fal"
APP = r"(?P<app>(?!v1/|v2/|kling/|_emulator/|files/)[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+)"
REQUEST = r"^/(?P<owner>(?!v1/|v2/|kling/|_emulator/)[A-Za-z0-9_.-]+)/(?P<alias>[A-Za-z0-9_.-]+)/requests/(?P<request_id>[^/]+)"
STATUS = {"queued": "IN_QUEUE", "running": "IN_PROGRESS", "completed": "COMPLETED", "failed": "COMPLETED"}
ERRORS = {
    "unauthorized": (401, "No user found for Key ID and Secret"),
    "locked": (403, "User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing."),
    "rate_limited": (429, "Rate limit exceeded"),
}


def _detail(status: int, detail: Any, error_type: str | None = None) -> Response:
    headers = {"X-Fal-Error-Type": error_type} if error_type else None
    return json_response(status, {"detail": detail}, headers)


def _unauthorized(emu, req: Request) -> Response | None:
    header = (req.header("Authorization") or "").strip()
    scheme, _, key = header.partition(" ")
    if scheme.lower() == "key" and hmac.compare_digest(key.strip().encode(), emu.api_key.encode()):
        return None
    return _detail(401, "No user found for Key ID and Secret" if header else
                   "Authentication is required to access this resource")


def _validation(field: str, message: str, type_: str) -> Response:
    return _detail(422, [{"loc": ["body", field], "msg": message, "type": type_}])


def _check_input(body: Any) -> Response | None:
    if not isinstance(body, dict):
        return _validation("__root__", "Input should be a valid dictionary", "dict_type")
    if not isinstance(body.get("prompt"), str) or not body["prompt"].strip():
        return _validation("prompt", "Field required", "missing")
    for name in ("image_url", "tail_image_url"):
        value = body.get(name)
        if value is not None and not (isinstance(value, str) and (is_http_url(value) or value.startswith("data:image/"))):
            return _validation(name, "Input should be a valid URL or data URI", "url_parsing")
    if "duration" in body and not (isinstance(body["duration"], str) and body["duration"].isdigit()):
        return _validation("duration", "Input should be '5' or '10'", "literal_error")
    if "seed" in body and (isinstance(body["seed"], bool) or not isinstance(body["seed"], int)):
        return _validation("seed", "Input should be a valid integer", "int_type")
    return None


def submit(emu, req: Request, app: str) -> Response:
    """``POST /{app}``: queue a request."""
    refused = _unauthorized(emu, req)
    if refused is not None:
        return refused
    if "emu-echo-auth" in app:
        return _detail(400, f"Invalid request from {req.header('Authorization')}")
    code = error_scenario(app)
    if code == "validation":
        return _validation("prompt", "String should have at most 2500 characters", "string_too_long")
    if code is not None:
        status, message = ERRORS.get(code, (400, f"unknown fal error scenario {code!r}"))
        return _detail(status, message, "rate_limited" if status == 429 else None)
    timeout = req.header("X-Fal-Request-Timeout")
    if timeout is not None:
        try:
            if float(timeout) <= 1:
                raise ValueError
        except ValueError:
            return _detail(400, "X-Fal-Request-Timeout must be a number of seconds greater than 1")
    try:
        body = json.loads(req.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _detail(400, "Invalid JSON body")
    invalid = _check_input(body)
    if invalid is not None:
        return invalid
    webhook = req.query.get("fal_webhook")
    if webhook is not None and not is_http_url(webhook):
        return _detail(400, "fal_webhook must be an http(s) URL")
    try:
        scenario = scenario_for(app, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        return _detail(400, str(exc))
    owner, alias = app.split("/")[:2]
    task = emu.store.create(
        id_=emu.settings.task_id(lambda: str(uuid.uuid4())), dialect=DIALECT, model=app, prompt=body["prompt"],
        scenario=scenario, duration=emu.settings.task_duration(), seconds=str(body.get("duration", "5")),
        extra={"owner": owner, "alias": alias, "timeout": timeout, "webhook": webhook, "fields": sorted(body)})
    links = _links(emu, task)
    if webhook is not None:
        emu.webhooks.task_created(task, webhook, lambda: _webhook_body(emu, task), scheme="fal")
    return json_response(200, {"request_id": task.id, **links, "queue_position": task.submitted_state().queue_position})


def _webhook_body(emu, task) -> dict[str, Any]:
    """fal's callback when the request ends: ``{request_id, gateway_request_id, status: OK | ERROR, payload, error}``,
    the payload being the app's output (or the validation details of a failure)."""
    state = task.state()
    phase, error = _phase(task, state)
    if error is not None:
        return {"request_id": task.id, "gateway_request_id": task.id, "status": "ERROR", "error": error["message"],
                "payload": {"detail": [{"loc": ["body"], "msg": error["message"], "type": error["code"]}]}}
    url = shapes.signed_url(emu, task, state)
    video = None if url is None else {"url": url, "content_type": "video/mp4", "file_name": f"{task.id}.mp4",
                                      "file_size": emu.sample.size}
    return {"request_id": task.id, "gateway_request_id": task.id, "status": "OK", "payload": {"video": video}}


def _links(emu, task) -> dict[str, str]:
    base = f"{emu.base_url}/{task.extra['owner']}/{task.extra['alias']}/requests/{task.id}"
    return {"response_url": base, "status_url": base + "/status", "cancel_url": base + "/cancel"}


def _task(emu, owner: str, alias: str, request_id: str):
    task = emu.store.get(request_id)
    if task is None or task.dialect != DIALECT or (task.extra["owner"], task.extra["alias"]) != (owner, alias):
        return None
    return task


def _phase(task, state) -> tuple[str, dict[str, str] | None]:
    """The phase and failure of a task; a request cancelled before it ended completes with ``request_cancelled``."""
    if task.extra.get("cancelled"):
        return "failed", {"code": "request_cancelled", "message": "The request was cancelled."}
    return state.phase, state.error


def status(emu, req: Request, owner: str, alias: str, request_id: str) -> Response:
    """``GET .../requests/{id}/status``."""
    refused = _unauthorized(emu, req)
    if refused is not None:
        return refused
    task = _task(emu, owner, alias, request_id)
    if task is None:
        return _detail(404, "Request not found")
    state = task.state()
    phase, error = _phase(task, state)
    with_logs = req.query.get("logs", "").lower() in ("1", "true")
    body: dict[str, Any] = {"status": STATUS[phase], "request_id": task.id,
                            "response_url": _links(emu, task)["response_url"]}
    if phase == "queued":
        body["queue_position"] = state.queue_position
    logs = [{"message": f"Generating: {state.progress}%", "level": "INFO", "source": "user",
             "timestamp": "2026-01-01T00:00:00Z"}] if phase != "queued" else []
    body["logs"] = logs if with_logs else None
    if phase in ("completed", "failed"):
        body["metrics"] = {"inference_time": round(task.duration, 3)}
    if error is not None:
        body["error"] = error["message"]
        body["error_type"] = error["code"]
    return json_response(200, body)


def result(emu, req: Request, owner: str, alias: str, request_id: str) -> Response:
    """``GET .../requests/{id}``: the app's output."""
    refused = _unauthorized(emu, req)
    if refused is not None:
        return refused
    task = _task(emu, owner, alias, request_id)
    if task is None:
        return _detail(404, "Request not found")
    state = task.state()
    phase, error = _phase(task, state)
    if phase in ("queued", "running"):
        return _detail(400, "Request is still in progress")
    if error is not None:
        return json_response(422, {"detail": [{"loc": ["body"], "msg": error["message"], "type": error["code"]}]},
                             {"X-Fal-Error-Type": error["code"]})
    url = shapes.signed_url(emu, task, state)
    video = None if url is None else {"url": url, "content_type": "video/mp4", "file_name": f"{task.id}.mp4",
                                      "file_size": emu.sample.size}
    return json_response(200, {"video": video, "seed": secrets.randbelow(2 ** 31)})


def cancel(emu, req: Request, owner: str, alias: str, request_id: str) -> Response:
    """``PUT .../requests/{id}/cancel``."""
    refused = _unauthorized(emu, req)
    if refused is not None:
        return refused
    task = _task(emu, owner, alias, request_id)
    if task is None:
        return _detail(404, "Request not found")
    if task.state().terminal or task.extra.get("cancelled"):
        return json_response(400, {"status": "ALREADY_COMPLETED"})
    task.extra["cancelled"] = True
    return json_response(202, {"status": "CANCELLATION_REQUESTED"})


ROUTES = [
    ("GET", re.compile(REQUEST + r"/status$"), status),
    ("PUT", re.compile(REQUEST + r"/cancel$"), cancel),
    ("GET", re.compile(REQUEST + r"$"), result),
    ("POST", re.compile(r"^/" + APP + r"$"), submit),
]
