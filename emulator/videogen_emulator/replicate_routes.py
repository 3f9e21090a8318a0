"""Replicate predictions: ``POST /v1/models/{owner}/{name}/predictions``, ``POST /v1/predictions`` (``version``),
``POST /v1/deployments/{owner}/{name}/predictions``, ``GET /v1/predictions/{id}``, ``POST .../{id}/cancel``.

Credentials are ``Authorization: Bearer <token>`` (``Token`` too, the older form); errors are problem documents
``{title, detail, status}`` (422 with ``invalid_fields``). A prediction answers 201 with ``status`` ``starting``
(queued), ``processing`` (``logs`` with tqdm-style ``NN%|`` progress lines), ``succeeded`` (``output``: a URL, or
a list of two for a model containing ``emu-multi``), ``failed`` (``error``), ``canceled`` or ``aborted``; ``urls``
``get`` / ``cancel`` / ``stream`` / ``web``; ``metrics`` ``predict_time`` / ``total_time`` once done.
``Prefer: wait`` or ``wait=N`` (1..60) holds the answer until the prediction ends or N seconds pass.
``Cancel-After`` (``30s``, ``5m``, ``1h30m``, or bare seconds; at least 5 s) ends a prediction not finished by
then: ``aborted`` if it never started, else ``canceled``. Scenarios come from the model (``emu-fail``,
``emu-stuck``, ``emu-empty``); a model containing ``emu-error-<code>`` answers that error: ``insufficient_credit``
402, ``throttled`` 429 with ``Retry-After``, ``not_found`` 404, ``invalid`` 422; one containing ``emu-echo-auth``
answers 422 with the ``Authorization`` header in its detail.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from datetime import datetime, timezone
from typing import Any

from . import shapes
from .inputs import is_http_url
from .messages import Hold, Request, Response, json_response
from .store import error_scenario, scenario_for

DIALECT = "replicate"
NAME = r"[A-Za-z0-9_.-]+"
VERSION = re.compile(r"^(?:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:)?[0-9a-f]{64}$")
AUTH_PATHS = (re.compile(r"^/v1/(models|deployments)/[^/]+/[^/]+/predictions$"),
              re.compile(r"^/v1/predictions(/[^/]+(/cancel)?)?$"))
MAX_WAIT = 60
STATUS = {"queued": "starting", "running": "processing", "completed": "succeeded", "failed": "failed"}
ERRORS = {
    "insufficient_credit": (402, "Insufficient credit", "You have insufficient credit to run this model. Go to "
                            "https://replicate.com/account/billing to purchase credit."),
    "throttled": (429, "Request was throttled", "Request was throttled. Expected available in 2 seconds."),
    "not_found": (404, "Not found", "The requested resource could not be found."),
}


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """A problem document."""
    return json_response(status, {"title": title, "detail": detail, "status": status, **extra}, headers)


def _invalid(field: str, description: str, type_: str = "required") -> Response:
    return problem(422, "Input validation failed", f"- {field}: {description}",
                   invalid_fields=[{"type": type_, "field": field, "description": description}])


def _unauthorized(emu, req: Request) -> Response | None:
    scheme, _, token = (req.header("Authorization") or "").strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and secrets.compare_digest(token.strip().encode(), emu.api_key.encode()):
        return None
    return problem(401, "Unauthenticated", "You did not pass a valid authentication token")


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _cancel_after(text: str | None) -> float | None:
    if text is None:
        return None
    text = text.strip()
    if text.isdigit():
        return float(text)
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text)
    if not text or not match:
        raise ValueError(text)
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


def _create(emu, req: Request, model: str, version: str | None, deployment: str | None) -> Response | Hold:
    refused = _unauthorized(emu, req)
    if refused is not None:
        return refused
    try:
        body = json.loads(req.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return problem(400, "Invalid JSON", "The request body is not valid JSON")
    if not isinstance(body, dict):
        return problem(400, "Invalid JSON", "The request body must be a JSON object")
    if deployment is None and model is None:
        version = body.get("version")
        if not isinstance(version, str) or not VERSION.match(version):
            return _invalid("version", "version must be a 64-character version id or owner/name:version")
        model = version.split(":")[0] if ":" in version else "emulator/versioned-model"
    unknown = sorted(set(body) - {"input", "version", "webhook", "webhook_completed", "webhook_events_filter", "stream"})
    if unknown:
        return _invalid(unknown[0], f"Additional property {unknown[0]} is not allowed", "additional_property_not_allowed")
    inputs = body.get("input")
    if not isinstance(inputs, dict):
        return _invalid("input", "input is required")
    if not isinstance(inputs.get("prompt"), str) or not inputs["prompt"].strip():
        return _invalid("input.prompt", "prompt is required")
    if "image" in inputs and not (isinstance(inputs["image"], str)
                                  and (is_http_url(inputs["image"]) or inputs["image"].startswith("data:"))):
        return _invalid("input.image", "Does not match format 'uri'", "format")
    if "webhook" in body and not (isinstance(body["webhook"], str) and is_http_url(body["webhook"])):
        return _invalid("webhook", "webhook must be an http(s) URL", "format")
    name = deployment or model
    if "emu-echo-auth" in name:
        return problem(422, "Input validation failed", f"token {req.header('Authorization')} may not run {name}")
    code = error_scenario(name)
    if code == "invalid":
        return _invalid("input.duration", "duration must be one of: 5, 10", "enum")
    if code is not None:
        status, title, detail = ERRORS.get(code, (400, "Bad request", f"unknown Replicate error scenario {code!r}"))
        return problem(status, title, detail, {"Retry-After": "2"} if status == 429 else None)
    try:
        cancel_after = _cancel_after(req.header("Cancel-After"))
        if cancel_after is not None and cancel_after < 5:
            raise ValueError
    except ValueError:
        return problem(400, "Invalid Cancel-After", "Cancel-After must be a duration of at least 5 seconds, "
                       "such as 30s, 5m or 1h30m")
    prefer = (req.header("Prefer") or "").strip().lower()
    wait = None
    if prefer:
        match = re.fullmatch(r"wait(?:=(\d+))?", prefer)
        if not match or (match.group(1) and not 1 <= int(match.group(1)) <= MAX_WAIT):
            return problem(400, "Invalid Prefer header", "Prefer must be wait or wait=N with N from 1 to 60")
        wait = int(match.group(1) or MAX_WAIT)
    try:
        scenario = scenario_for(name, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        return problem(400, "Bad request", str(exc))
    task = emu.store.create(
        id_=emu.settings.task_id(lambda: "".join(secrets.choice("0123456789abcdefghjkmnpqrstvwxyz") for _ in range(26))),
        dialect=DIALECT, model=model or deployment, prompt=inputs["prompt"], scenario=scenario,
        duration=emu.settings.task_duration(),
        extra={"input": inputs, "version": version or "dp-" + "0" * 29 if deployment else version,
               "deployment": deployment, "cancel_after": cancel_after, "prefer": prefer or None,
               "webhook": body.get("webhook")})
    if body.get("webhook"):
        # Replicate signs its webhooks with Standard Webhooks and posts the prediction object itself.
        emu.webhooks.task_created(task, body["webhook"], lambda: render(emu, task), scheme="standard_webhooks")
    if wait is None:
        return json_response(201, render(emu, task))
    remaining = (task.completes_at or float("inf")) - time.time()
    hold = min(float(wait), max(0.0, remaining) + 0.05)
    return Hold(hold, lambda: json_response(201, render(emu, task)))


def _phase(task, state) -> tuple[str, str | None]:
    """Replicate's status word and error, cancellations and the Cancel-After deadline included."""
    cancelled_at = task.extra.get("cancelled_at")
    deadline = task.extra.get("cancel_after")
    if cancelled_at is None and deadline is not None and not state.terminal \
            and time.time() >= task.created_at + deadline:
        task.extra["cancelled_at"] = task.created_at + deadline
        task.extra["aborted"] = state.phase == "queued"
        cancelled_at = task.extra["cancelled_at"]
    if cancelled_at is not None:
        return ("aborted" if task.extra.get("aborted") else "canceled"), None
    error = state.error["message"] if state.error else None
    return STATUS[state.phase], error


def render(emu, task) -> dict[str, Any]:
    """A prediction object."""
    state = task.state()
    status, error = _phase(task, state)
    base = f"{emu.base_url}/v1/predictions/{task.id}"
    output: Any = None
    if status == "succeeded":
        url = shapes.video_link(emu, task, state)
        output = [url, url] if url and "emu-multi" in task.model else url
    done = status in ("succeeded", "failed", "canceled", "aborted")
    started = state.started_at if status != "starting" and status != "aborted" else None
    logs = "" if started is None else f"Generating video\n {state.progress:3d}%|{'#' * (state.progress // 10):<10}| " \
        f"{state.progress}/100 [00:01<00:01, 1.00it/s]\n"
    finished = task.extra.get("cancelled_at") or (state.finished_at if state.terminal else None)
    prediction = {
        "id": task.id, "model": task.model, "version": task.extra.get("version") or "hidden",
        "input": task.extra["input"], "logs": logs, "output": output, "data_removed": False, "error": error,
        "status": status, "source": "api", "created_at": _iso(task.created_at), "started_at": _iso(started),
        "completed_at": _iso(finished) if done else None,
        "urls": {"get": base, "cancel": base + "/cancel", "stream": f"{emu.cdn_url}/stream/{task.id}",
                 "web": f"https://replicate.com/p/{task.id}"},
    }
    if done and status != "aborted":
        prediction["metrics"] = {"predict_time": round(task.duration * 0.8, 3), "total_time": round(task.duration, 3)}
    return prediction


def create_model(emu, req: Request, owner: str, name: str):
    """``POST /v1/models/{owner}/{name}/predictions``."""
    return _create(emu, req, f"{owner}/{name}", None, None)


def create_version(emu, req: Request):
    """``POST /v1/predictions`` with ``version``."""
    return _create(emu, req, None, None, None)


def create_deployment(emu, req: Request, owner: str, name: str):
    """``POST /v1/deployments/{owner}/{name}/predictions``."""
    return _create(emu, req, None, None, f"{owner}/{name}")


def _task(emu, prediction_id: str):
    task = emu.store.get(prediction_id)
    return task if task is not None and task.dialect == DIALECT else None


def get(emu, req: Request, prediction_id: str) -> Response:
    """``GET /v1/predictions/{id}``."""
    refused = _unauthorized(emu, req)
    if refused is not None:
        return refused
    task = _task(emu, prediction_id)
    if task is None:
        return problem(404, "Not found", "The requested resource could not be found.")
    return json_response(200, render(emu, task))


def cancel(emu, req: Request, prediction_id: str) -> Response:
    """``POST /v1/predictions/{id}/cancel``: a prediction not finished ends ``canceled``."""
    refused = _unauthorized(emu, req)
    if refused is not None:
        return refused
    task = _task(emu, prediction_id)
    if task is None:
        return problem(404, "Not found", "The requested resource could not be found.")
    state = task.state()
    if not state.terminal and task.extra.get("cancelled_at") is None and _phase(task, state)[0] not in ("aborted", "canceled"):
        task.extra["cancelled_at"] = time.time()
        task.extra["aborted"] = False
    return json_response(200, render(emu, task))


ROUTES = [
    ("POST", re.compile(rf"^/v1/models/(?P<owner>{NAME})/(?P<name>{NAME})/predictions$"), create_model),
    ("POST", re.compile(rf"^/v1/deployments/(?P<owner>{NAME})/(?P<name>{NAME})/predictions$"), create_deployment),
    ("POST", re.compile(r"^/v1/predictions$"), create_version),
    ("POST", re.compile(r"^/v1/predictions/(?P<prediction_id>[^/]+)/cancel$"), cancel),
    ("GET", re.compile(r"^/v1/predictions/(?P<prediction_id>[^/]+)$"), get),
]
