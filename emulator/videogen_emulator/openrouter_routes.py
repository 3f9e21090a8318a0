"""OpenRouter's asynchronous video API (``/api/v1/videos``, Bearer key), in the shapes of its API reference and of
its official SDK (``openrouter`` on PyPI).

``POST /api/v1/videos`` takes ``{model, prompt, duration, aspect_ratio, resolution, size, seed, frame_images,
input_references, callback_url, generate_audio, provider, previous_job_id, session_id, user, trace}`` (others are
refused) and answers 202 ``{id, polling_url, status: "pending"}``. ``GET /api/v1/videos/{id}`` answers ``{id,
polling_url, status, generation_id, error, unsigned_urls, urls, expires_at, usage: {cost, is_byok}}`` with
``status`` pending | in_progress | completed | failed | cancelled | expired. ``unsigned_urls[i]`` is
``/api/v1/videos/{id}/content?index=i`` on this origin (Bearer key), ``urls[i]`` a signed CDN URL valid until
``expires_at``. ``emu-outputs-<n>`` in the model name makes n outputs; the ``fail`` scenario fails with a
safety-system error text. Errors are ``{error: {code, message, metadata}}``; ``emu-error-<name>`` answers a
submit with one of them (``insufficient_credits`` 402, ``rate_limited`` 429, ``moderation`` 403 with the
flagged reasons, ``bad_request`` 400).
"""

from __future__ import annotations

import re
import secrets
import string
import time
import urllib.parse
from typing import Any

from . import media
from .inputs import is_http_url, is_image_reference
from .messages import Request, Response, json_response
from .provider_support import MAX_OUTPUTS, is_int, json_object, key_matches, output_count, phase
from .store import error_scenario, scenario_for

FIELDS = {"model", "prompt", "duration", "aspect_ratio", "resolution", "size", "seed", "frame_images",
          "input_references", "callback_url", "generate_audio", "provider", "previous_job_id", "session_id",
          "user", "trace"}
ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21")
RESOLUTIONS = ("360p", "480p", "720p", "768p", "1080p", "1K", "2K", "4K")
SIZE = re.compile(r"^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$")
STATUS = {"queued": "pending", "running": "in_progress", "completed": "completed", "failed": "failed",
          "cancelled": "cancelled"}
FAIL_MESSAGE = "The request was rejected by the provider's safety system (emulated)."
COST_PER_SECOND = 0.04
# emu-error-<name> -> (HTTP status, message, metadata)
ERRORS = {
    "insufficient_credits": (402, "Insufficient credits. Add more using https://openrouter.ai/credits", None),
    "rate_limited": (429, "Rate limit exceeded: too many requests", None),
    "moderation": (403, "Your input was flagged for \"violence\"", {"reasons": ["violence"], "provider_name": "emu"}),
    "bad_request": (400, "Invalid request (emulated)", None),
    "server_error": (500, "Internal Server Error", None),
}
_ALNUM = string.ascii_letters + string.digits


def error(status: int, message: str, metadata: dict[str, Any] | None = None) -> Response:
    """An OpenRouter error: ``{error: {code, message, metadata}}``."""
    body: dict[str, Any] = {"code": status, "message": message}
    if metadata is not None:
        body["metadata"] = metadata
    return json_response(status, {"error": body})


def _new_id() -> str:
    """``gen-vid-<timestamp>-<20 alphanumerics>``, the format the SDK documents."""
    return f"gen-vid-{int(time.time())}-" + "".join(secrets.choice(_ALNUM) for _ in range(20))


def _path(job_id: str) -> str:
    """The job's route, its id as one path segment."""
    return "/api/v1/videos/" + urllib.parse.quote(job_id, safe="")


def _image_part(part: Any, frame: bool) -> bool:
    if not isinstance(part, dict) or part.get("type") != "image_url":
        return False
    url = part.get("image_url")
    if not isinstance(url, dict) or not is_image_reference(url.get("url")):
        return False
    allowed = {"type", "image_url", "frame_type"} if frame else {"type", "image_url"}
    if set(part) - allowed:
        return False
    return not frame or part.get("frame_type") in ("first_frame", "last_frame")


def _check(body: dict[str, Any]) -> Response | None:
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        return error(400, f"Unrecognized key(s) in object: {', '.join(repr(k) for k in unknown)}")
    if not isinstance(body.get("model"), str) or not body["model"].strip():
        return error(400, "model: Required")
    frames = body.get("frame_images", [])
    if "prompt" in body and not isinstance(body["prompt"], str):
        return error(400, "prompt: Expected string")
    if not body.get("prompt") and not frames:
        return error(400, "prompt: Required unless frame_images are given")
    if not isinstance(frames, list) or len(frames) > 2 or not all(_image_part(p, True) for p in frames):
        return error(400, "frame_images: Expected up to two image_url parts with frame_type first_frame or last_frame")
    if len({p["frame_type"] for p in frames}) != len(frames):
        return error(400, "frame_images: each frame_type at most once")
    references = body.get("input_references", [])
    if not isinstance(references, list) or not all(_image_part(p, False) for p in references):
        return error(400, "input_references: Expected image_url parts")
    if "duration" in body and not (is_int(body["duration"]) and 1 <= body["duration"] <= 60):
        return error(400, "duration: Expected an integer number of seconds")
    if "aspect_ratio" in body and body["aspect_ratio"] not in ASPECT_RATIOS:
        return error(400, f"aspect_ratio: Expected one of {', '.join(ASPECT_RATIOS)}")
    if "resolution" in body and body["resolution"] not in RESOLUTIONS:
        return error(400, f"resolution: Expected one of {', '.join(RESOLUTIONS)}")
    if "size" in body and not (isinstance(body["size"], str) and SIZE.match(body["size"])):
        return error(400, "size: Expected WIDTHxHEIGHT")
    if "seed" in body and not is_int(body["seed"]):
        return error(400, "seed: Expected an integer")
    if "generate_audio" in body and not isinstance(body["generate_audio"], bool):
        return error(400, "generate_audio: Expected boolean")
    if "callback_url" in body and not (isinstance(body["callback_url"], str) and is_http_url(body["callback_url"])
                                       and _https_or_loopback(body["callback_url"])):
        return error(400, "callback_url: Must be an HTTPS URL")
    return None


def _https_or_loopback(url: str) -> bool:
    """OpenRouter takes HTTPS callback URLs only; the emulator also takes plain http to a loopback host, so that a
    test's receiver (the standard library's HTTP server) can be one."""
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower() == "https" or parts.hostname in ("127.0.0.1", "localhost", "::1")


def submit(emu, req: Request) -> Response:
    """Create a job (202); with a ``callback_url``, the job's event is posted there when it ends, signed with the
    workspace signing secret (the emulator's webhook secret) as OpenRouter signs: ``X-OpenRouter-Signature``."""
    if not key_matches(req, emu.api_key, "Bearer"):
        return error(401, "No auth credentials found")
    body = json_object(req)
    if body is None:
        return error(400, "Invalid JSON body")
    problem = _check(body)
    if problem is not None:
        return problem
    model = body["model"]
    named = error_scenario(model)
    if named is not None:
        if named not in ERRORS:
            return error(400, f"unknown OpenRouter error scenario {named!r}")
        return error(*ERRORS[named])
    try:
        scenario = scenario_for(model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        return error(400, str(exc))
    task = emu.store.create(
        id_=emu.settings.task_id(_new_id), dialect="openrouter", model=model, prompt=body.get("prompt", ""),
        scenario=scenario, duration=emu.settings.task_duration(), seconds=str(body.get("duration", 8)),
        size=body.get("aspect_ratio", "16:9"),
        extra={"outputs": min(MAX_OUTPUTS, output_count(model)), "fields": sorted(body)})
    if body.get("callback_url"):
        emu.webhooks.task_created(task, body["callback_url"], lambda: event(emu, task), scheme="openrouter")
    return json_response(202, {"id": task.id, "polling_url": _path(task.id), "status": "pending"})


def fetch(emu, req: Request, job_id: str) -> Response:
    """A job's status."""
    if not key_matches(req, emu.api_key, "Bearer"):
        return error(401, "No auth credentials found")
    task = emu.store.get(job_id)
    if task is None or task.dialect != "openrouter":
        return error(404, "Video generation job not found")
    return json_response(200, job(emu, task))


def event(emu, task) -> dict[str, Any]:
    """The webhook body: ``{"type": "video.generation.<status>", "data": <the job, as the status route answers>}``."""
    data = job(emu, task)
    return {"type": f"video.generation.{data['status']}", "data": data}


def job(emu, task) -> dict[str, Any]:
    """The job object (``GET /api/v1/videos/{id}``'s answer)."""
    state = task.state()
    now_phase = phase(task, state)
    answer: dict[str, Any] = {"id": task.id, "polling_url": _path(task.id), "status": STATUS[now_phase]}
    if now_phase != "queued":
        answer["generation_id"] = "gen-" + task.id.removeprefix("gen-vid-")
    if now_phase == "completed" and state.has_video:
        ttl = emu.settings.get("url_ttl_seconds")
        count = task.extra["outputs"]
        answer["unsigned_urls"] = [f"{emu.base_url}{_path(task.id)}/content?index={i}" for i in range(count)]
        answer["urls"] = [emu.signer.sign(emu.cdn_url, f"{task.id}-{i}.mp4", ttl) for i in range(count)]
        answer["expires_at"] = int(time.time()) + ttl
        answer["usage"] = {"cost": round(COST_PER_SECOND * int(task.seconds) * count, 4), "is_byok": False}
    elif now_phase == "completed":
        answer["usage"] = {"cost": 0, "is_byok": False}
    elif now_phase == "failed":
        answer["error"] = FAIL_MESSAGE
    return answer


def content(emu, req: Request, job_id: str) -> Response:
    """``GET /api/v1/videos/{id}/content?index=i``: the output's bytes (Bearer key)."""
    if not key_matches(req, emu.api_key, "Bearer"):
        return error(401, "No auth credentials found")
    task = emu.store.get(job_id)
    if task is None or task.dialect != "openrouter":
        return error(404, "Video generation job not found")
    state = task.state()
    if phase(task, state) != "completed" or not state.has_video:
        return error(409, "Video generation job is not completed")
    index = req.query.get("index", "0")
    if not index.isascii() or not index.isdigit() or int(index) >= task.extra["outputs"]:
        return error(404, f"No output at index {index}")
    return media.serve(req, emu.sample)


ROUTES = [
    ("POST", re.compile(r"^/api/v1/videos$"), submit),
    ("GET", re.compile(r"^/api/v1/videos/(?P<job_id>[^/]+)$"), fetch),
    ("GET", re.compile(r"^/api/v1/videos/(?P<job_id>[^/]+)/content$"), content),
]
