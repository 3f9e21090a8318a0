"""Gemini's Interactions API (Gemini Omni video), in the shapes of google-genai 3.6.1's generated types.

Key in ``x-goog-api-key`` (or ``?key=``), checked as the Gemini API does (none: 403; wrong: 400 API_KEY_INVALID).

Paths under ``/v1`` (google-genai 3.6.1's default API version for the Gemini API) or ``/v1beta``:

* ``POST /v1/interactions`` with ``{"model", "input", "background": true, "response_format": {"type": "video",
  ...}, "generation_config"?}`` -> the ``Interaction`` (``status`` ``queued``). Without ``background`` the service
  would answer when done; videogen always sends it and the emulator requires it.
* ``GET /v1/interactions/{id}`` -> ``queued``, ``in_progress``, then ``completed`` with a ``model_output`` step
  whose ``content`` holds ``{"type": "video", "data": base64, "mime_type": "video/mp4"}`` (``delivery`` ``inline``,
  the default here) or ``{"type": "video", "uri": ...}`` (``delivery`` ``uri``: a Files API download URL on the API
  origin, served with the key by ``GET /v1beta/files/ix...:download``, redirected to key-free storage).
* ``POST /v1/interactions/{id}/cancel`` -> the interaction, ``cancelled`` (a finished one: 400
  FAILED_PRECONDITION).

Scenarios by model, as elsewhere: ``emu-fail`` (``failed`` with ``errors``), ``emu-rai`` (``failed``, code
``SAFETY``, a usage-guidelines message), ``emu-empty`` (``completed`` without a video), ``emu-stuck``
(``in_progress`` forever), ``emu-budget`` (``budget_exceeded``), ``emu-error-<status>`` (the create answers that
Google error). Unknown body members are refused as Google refuses them (400 ``Unknown name``).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
from typing import Any

from .google_routes import _body, _check_key, _fail, _sample_bytes, STATUS_NAMES, google_error
from .messages import Request, Response, json_response
from .store import error_scenario, scenario_for

DIALECT = "gemini_interactions"
CREATE_FIELDS = {"model", "input", "background", "response_format", "generation_config", "store",
                 "system_instruction", "previous_interaction_id", "labels", "service_tier", "safety_settings"}
FORMAT_FIELDS = {"type", "aspect_ratio", "resolution", "duration", "delivery", "gcs_uri"}
GENERATION_FIELDS = {"seed", "video_config", "temperature", "top_p"}
TASKS = {"text_to_video", "image_to_video", "reference_to_video", "edit", "extend", "upscale"}
SAFETY_MESSAGE = ("The request was blocked because the input violates Google's usage guidelines. "
                  "Support codes: 58061214")


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _check_content(index: int, block: Any) -> None:
    if not isinstance(block, dict) or block.get("type") not in ("text", "image"):
        raise _fail(400, f"input[{index}] must be a text or image content block")
    if block["type"] == "text":
        if not isinstance(block.get("text"), str):
            raise _fail(400, f"input[{index}].text must be a string")
        return
    if "uri" in block:
        return
    try:
        base64.b64decode(block.get("data", ""), validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise _fail(400, f"input[{index}].data is not valid base64")
    if not block.get("data") or not str(block.get("mime_type", "")).startswith("image/"):
        raise _fail(400, f"input[{index}] needs data and an image mime_type")


def _validate(body: dict[str, Any]) -> dict[str, Any]:
    """Check a create body; return its video response format."""
    unknown = sorted(set(body) - CREATE_FIELDS)
    if unknown:
        raise _fail(400, f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.')
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise _fail(400, "model is required")
    if body.get("background") is not True:
        raise _fail(400, "the emulator serves video interactions in the background only (background: true)")
    source = body.get("input")
    if isinstance(source, list):
        for index, block in enumerate(source):
            _check_content(index, block)
        if not any(isinstance(b, dict) and b.get("type") == "text" and b.get("text") for b in source):
            raise _fail(400, "input needs a text prompt")
    elif not isinstance(source, str) or not source:
        raise _fail(400, "input is required: a prompt or a list of content blocks")
    response_format = body.get("response_format", {"type": "video"})
    if not isinstance(response_format, dict) or response_format.get("type") != "video":
        raise _fail(400, "response_format must be a video response format ({\"type\": \"video\"})")
    extra = sorted(set(response_format) - FORMAT_FIELDS)
    if extra:
        raise _fail(400, f'Invalid JSON payload received. Unknown name "{extra[0]}" at \'response_format\'.')
    if response_format.get("aspect_ratio", "16:9") not in ("16:9", "9:16"):
        raise _fail(400, "response_format.aspect_ratio must be 16:9 or 9:16")
    if response_format.get("resolution", "720p") not in ("360p", "720p", "1080p", "4k"):
        raise _fail(400, "response_format.resolution must be 360p, 720p, 1080p or 4k")
    if "duration" in response_format and not re.fullmatch(r"[1-9][0-9]?s", str(response_format["duration"])):
        raise _fail(400, "response_format.duration must be a duration such as \"8s\"")
    if response_format.get("delivery", "inline") not in ("inline", "uri"):
        raise _fail(400, "response_format.delivery must be inline or uri")
    generation = body.get("generation_config", {})
    if not isinstance(generation, dict) or set(generation) - GENERATION_FIELDS:
        raise _fail(400, "generation_config holds an unknown field")
    if "seed" in generation and (isinstance(generation["seed"], bool) or not isinstance(generation["seed"], int)):
        raise _fail(400, "generation_config.seed must be an integer")
    task = (generation.get("video_config") or {}).get("task")
    if task is not None and task not in TASKS:
        raise _fail(400, f"generation_config.video_config.task must be one of {', '.join(sorted(TASKS))}")
    return response_format


def render(emu, task) -> dict[str, Any]:
    """The ``Interaction`` of ``task`` now."""
    state = task.state()
    interaction: dict[str, Any] = {"id": task.id, "model": task.model,
                                   "created": _iso(task.created_at), "updated": _iso(time.time())}
    cancelled = task.extra.get("cancelled_at")
    if cancelled is not None:
        interaction.update(status="cancelled", updated=_iso(cancelled))
        return interaction
    if not state.terminal:
        interaction["status"] = "queued" if state.phase == "queued" else "in_progress"
        return interaction
    interaction["updated"] = _iso(task.created_at + task.duration)
    model = task.model.lower()
    if task.scenario == "fail" or state.error is not None:
        interaction.update(status="failed", errors=[{"code": "INTERNAL",
                                                     "message": "Video generation failed: the model could not render "
                                                                "the request (emulated)."}])
        return interaction
    if "emu-rai" in model:
        interaction.update(status="failed", errors=[{"code": "SAFETY", "message": SAFETY_MESSAGE}])
        return interaction
    if "emu-budget" in model:
        interaction.update(status="budget_exceeded",
                           errors=[{"code": "BUDGET_EXCEEDED", "message": "The interaction exceeded its budget."}])
        return interaction
    content: list[dict[str, Any]] = [{"type": "text", "text": "Here is your video."}]
    if task.scenario != "empty":
        if task.extra.get("delivery") == "uri":
            content.append({"type": "video", "mime_type": "video/mp4",
                            "uri": f"{emu.base_url}/v1beta/files/{task.extra['file']}:download?alt=media"})
        else:
            content.append({"type": "video", "mime_type": "video/mp4",
                            "data": base64.b64encode(_sample_bytes()).decode("ascii")})
    interaction.update(status="completed",
                       steps=[{"type": "user_input", "content": [{"type": "text", "text": task.prompt}]},
                              {"type": "model_output", "content": content}],
                       usage={"total_input_tokens": 12, "total_output_tokens": 5400, "total_tokens": 5412,
                              "output_tokens_by_modality": [{"modality": "video", "tokens": 5400}]})
    return interaction


def create(emu, req: Request) -> Response:
    """``POST /{version}/interactions``."""
    _check_key(emu, req)
    body = _body(req)
    response_format = _validate(body)
    model = body["model"]
    code = error_scenario(model)
    if code is not None:
        status = int(code) if code.isdigit() and int(code) in STATUS_NAMES else 500
        messages = {429: "Resource has been exhausted (e.g. check quota).", 404: f"Model {model} was not found.",
                    403: "The caller does not have permission", 400: "Request contains an invalid argument."}
        return google_error(status, messages.get(status, "Internal error encountered."))
    try:
        scenario = scenario_for(model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        raise _fail(400, str(exc))
    source = body["input"]
    prompt = source if isinstance(source, str) else next(b["text"] for b in source if b.get("type") == "text")
    identifier = emu.settings.task_id(lambda: "v1_" + secrets.token_urlsafe(18).replace("-", "a").replace("_", "b"))
    task = emu.store.create(id_=identifier, dialect=DIALECT, model=model, prompt=prompt, scenario=scenario,
                            duration=emu.settings.task_duration(),
                            extra={"delivery": response_format.get("delivery", "inline"),
                                   "file": "ix" + secrets.token_hex(8), "body": body})
    return json_response(200, render(emu, task))


def _task(emu, interaction_id: str):
    task = emu.store.get(interaction_id)
    if task is None or task.dialect != DIALECT:
        raise _fail(404, f"Interaction {interaction_id} not found.")
    return task


def get(emu, req: Request, interaction_id: str) -> Response:
    """``GET /{version}/interactions/{id}``."""
    _check_key(emu, req)
    return json_response(200, render(emu, _task(emu, interaction_id)))


def cancel(emu, req: Request, interaction_id: str) -> Response:
    """``POST /{version}/interactions/{id}/cancel``: an unfinished interaction ends ``cancelled``."""
    _check_key(emu, req)
    task = _task(emu, interaction_id)
    if task.extra.get("cancelled_at") is None:
        if task.state().terminal:
            return json_response(400, {"error": {"code": 400, "status": "FAILED_PRECONDITION",
                                                 "message": f"Interaction {interaction_id} has already finished "
                                                            "and cannot be cancelled."}})
        task.extra["cancelled_at"] = time.time()
    return json_response(200, render(emu, task))


def file_download(emu, req: Request, file: str) -> Response:
    """``GET /v1beta/files/ix...:download?alt=media``: 302 to the storage origin (signed, key-free)."""
    _check_key(emu, req)
    task = emu.store.find(lambda t: t.dialect == DIALECT and t.extra.get("file") == file)
    if task is None or not task.state().terminal or task.extra.get("cancelled_at") is not None:
        return google_error(404, f"File {file} not found.")
    location = emu.signer.sign(emu.cdn_url, f"{file}.mp4", emu.settings.get("url_ttl_seconds"))
    return Response(status=302, headers=[("Location", location.replace("/files/", "/google-storage/", 1))])


_ID = r"(?P<interaction_id>[^/:]+)"
_VERSION = r"/(?:v1|v1beta)"   # google-genai 3.6.1 uses v1 (GOOGLE_AI_API_DEFAULT_VERSION); v1beta is served too

# The paths whose routes check the key themselves (``/v1/`` is otherwise under the gateways' Bearer check).
AUTH_PATHS = (re.compile(rf"^{_VERSION}/interactions(/|$)"),)

# Registered ahead of fal's catch-all app routes and google_routes (through direct_routes); the ``ix`` file names never clash with the Gemini
# API's Veo files (hexadecimal operation ids).
ROUTES = [
    ("POST", re.compile(rf"^{_VERSION}/interactions$"), create),
    ("GET", re.compile(rf"^{_VERSION}/interactions/{_ID}$"), get),
    ("POST", re.compile(rf"^{_VERSION}/interactions/{_ID}/cancel$"), cancel),
    ("GET", re.compile(r"^/v1beta/files/(?P<file>ix[0-9a-f]+):download$"), file_download),
]
