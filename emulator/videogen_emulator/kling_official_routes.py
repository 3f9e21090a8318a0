"""Kling's own API (``api-singapore.klingai.com``): ``/v1/videos/{text2video|image2video|omni-video}``.

The bodies, answers and business codes are those of Kling's route as gateways pass it through
(:mod:`.kling_routes`, :mod:`.kling_shapes`), without the ``/kling`` prefix, in Kling's ``{code, message,
request_id, data}`` envelope only. Credentials are Kling's: ``Authorization: Bearer <JWT>``, an HS256 token whose
``iss`` is the access key (the emulator's API key) signed with the secret key (:data:`SECRET_KEY`), valid from
``nbf`` to ``exp``; the official codes answer a missing (1001), malformed or wrongly signed (1002), not yet valid
(1003) or expired (1004) token. ``omni-video`` takes ``image_list`` ``[{image_url, type?: first_frame|end_frame}]``
(an end frame only with a first frame). A task is found under its family by its ``task_id`` or its
``external_task_id``. A model containing ``emu-echo-auth`` answers 400 (1201) with the ``Authorization`` header in
its message, as a careless service might: clients must scrub what they signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from typing import Any

from . import kling_routes, kling_shapes, shapes
from .errors import kling_error, kling_fail
from .messages import Request, Response, json_response
from .store import error_scenario, new_kling_id, scenario_for

SECRET_KEY = "emulator-kling-secret-key-0123456789"
FAMILIES = ("text2video", "image2video", "omni-video")
DIALECT = "kling_official"
FRAME_TYPES = ("first_frame", "end_frame")
MAX_IMAGES = 7
AUTH_PATHS = (re.compile(r"^/v1/videos/(text2video|image2video|omni-video)(/[^/]+)?$"),)


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_token(emu, header: str | None) -> Response | None:
    """None when ``header`` carries a valid Kling JWT for the emulator's access key, else Kling's 401."""
    if not header or not header.strip():
        return kling_error(401, 1001, "Authorization is empty")
    scheme, _, token = header.strip().partition(" ")
    parts = token.strip().split(".")
    if scheme.lower() != "bearer" or len(parts) != 3:
        return kling_error(401, 1002, "Authorization is invalid")
    try:
        head = json.loads(_b64url(parts[0]))
        claims = json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return kling_error(401, 1002, "Authorization is invalid")
    expected = hmac.new(SECRET_KEY.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not (isinstance(head, dict) and head.get("alg") == "HS256" and isinstance(claims, dict)
            and hmac.compare_digest(signature, expected)
            and hmac.compare_digest(str(claims.get("iss", "")).encode(), emu.api_key.encode())):
        return kling_error(401, 1002, "Authorization is invalid")
    now = time.time()
    nbf, exp = claims.get("nbf"), claims.get("exp")
    if not isinstance(nbf, int) or not isinstance(exp, int):
        return kling_error(401, 1002, "Authorization is invalid")
    if nbf > now:
        return kling_error(401, 1003, "Authorization is not yet valid")
    if exp <= now:
        return kling_error(401, 1004, "Authorization has expired")
    return None


def _bad(message: str):
    return kling_fail(400, 1201, message)


def _validate_omni(body: dict[str, Any]) -> str:
    """Check an omni-video body; return the model name."""
    model = body.get("model_name", "kling-video-o1")
    if not isinstance(model, str) or not model.strip():
        raise _bad("model_name must be a non-empty string")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > kling_routes.MAX_PROMPT:
        raise _bad(f"prompt is required, at most {kling_routes.MAX_PROMPT} characters")
    for name in ("negative_prompt", "cfg_scale", "camera_control", "image", "image_tail"):
        if name in body:
            raise _bad(f"{name} is not a parameter of omni-video")
    images = body.get("image_list", [])
    if not isinstance(images, list) or len(images) > MAX_IMAGES:
        raise _bad(f"image_list must be a list of at most {MAX_IMAGES} images")
    types = []
    for index, item in enumerate(images):
        if not isinstance(item, dict) or set(item) - {"image_url", "type"}:
            raise _bad(f"image_list[{index}] must be {{image_url, type?}}")
        kling_routes._check_image(f"image_list[{index}].image_url", item.get("image_url"))
        if "type" in item:
            if item["type"] not in FRAME_TYPES:
                raise _bad(f"image_list[{index}].type must be first_frame or end_frame")
            types.append(item["type"])
    if "end_frame" in types and "first_frame" not in types:
        raise _bad("an end_frame needs a first_frame")
    if "duration" in body and not (isinstance(body["duration"], str) and body["duration"].isdigit()
                                   and 3 <= int(body["duration"]) <= 15):
        raise _bad("duration must be a string such as \"5\" or \"10\"")
    if "mode" in body and body["mode"] not in kling_routes.MODES:
        raise _bad("mode must be std or pro")
    if "aspect_ratio" in body and body["aspect_ratio"] not in kling_routes.ASPECT_RATIOS:
        raise _bad("aspect_ratio must be one of " + ", ".join(kling_routes.ASPECT_RATIOS))
    return model


def submit(emu, req: Request, family: str) -> Response:
    """``POST /v1/videos/{family}``."""
    refused = check_token(emu, req.header("Authorization"))
    if refused is not None:
        return refused
    try:
        body = json.loads(req.body)
    except (ValueError, UnicodeDecodeError):
        raise kling_fail(400, 1200, "invalid JSON body")
    if not isinstance(body, dict):
        raise kling_fail(400, 1200, "request body must be a JSON object")
    if family == "omni-video":
        model = _validate_omni(body)
    else:
        for name in kling_routes.INT_FIELDS:
            if name in body:
                raise _bad(f"{name} is not a parameter of {family}")
        model = kling_routes._validate(family, body)
    if "emu-echo-auth" in model:
        return kling_error(400, 1201, f"invalid request signed as {req.header('Authorization')}")
    code = error_scenario(model)
    if code is not None:
        if not code.isdigit() or int(code) not in kling_routes.BUSINESS_ERRORS:
            raise _bad(f"unknown Kling error scenario {code!r}")
        status, message = kling_routes.BUSINESS_ERRORS[int(code)]
        return kling_error(status, int(code), message)
    external = body.get("external_task_id")
    if external and emu.store.find(lambda t: t.dialect == DIALECT and t.extra.get("external_task_id") == external):
        raise _bad(f"external_task_id {external!r} is already used")
    try:
        scenario = scenario_for(model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        raise _bad(str(exc))
    task = emu.store.create(
        id_=emu.settings.task_id(new_kling_id), dialect=DIALECT, model=model, prompt=body.get("prompt", ""),
        scenario=scenario, duration=emu.settings.task_duration(),
        seconds=body.get("duration", "5"), size=body.get("aspect_ratio", "16:9"),
        extra={"action": family, "external_task_id": external,
               "watermark": (body.get("watermark_info") or {}).get("enabled", False), "fields": sorted(body)})
    if body.get("callback_url"):
        # As through the gateways: Kling posts the task object, unsigned.
        emu.webhooks.task_created(task, body["callback_url"], lambda: kling_shapes.status_envelope(
            task, task.state(), shapes.video_link(emu, task, task.state()))["data"], scheme="unsigned")
    return json_response(200, kling_shapes.submit_envelope(task))


def fetch(emu, req: Request, family: str, task_id: str) -> Response:
    """``GET /v1/videos/{family}/{task_id or external_task_id}``."""
    refused = check_token(emu, req.header("Authorization"))
    if refused is not None:
        return refused
    task = emu.store.get(task_id)
    if task is None or task.dialect != DIALECT:
        task = emu.store.find(lambda t: t.dialect == DIALECT and t.extra.get("external_task_id") == task_id)
    if task is None or task.extra.get("action") != family:
        return kling_error(404, 1203, f"task {task_id} does not exist under {family}")
    state = task.state()
    return json_response(200, kling_shapes.status_envelope(task, state, shapes.video_link(emu, task, state)))


ROUTES = [
    ("POST", re.compile(r"^/v1/videos/(?P<family>text2video|image2video|omni-video)$"), submit),
    ("GET", re.compile(r"^/v1/videos/(?P<family>text2video|image2video|omni-video)/(?P<task_id>[^/]+)$"), fetch),
]
