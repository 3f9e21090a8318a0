"""The OpenAI-compatible Videos dialect: ``/v1/videos`` create, retrieve, list, delete, remix, content.

The shapes are those of openai-python's ``resources/videos.py`` and ``types/video*.py``: the list page
``{object: "list", data, first_id, last_id, has_more}`` with ``after`` / ``limit`` / ``order``, the delete answer
``{id, object: "video.deleted", deleted: true}``, the remix body ``{prompt}`` answered by a new Video with
``remixed_from_video_id``, and the content variants ``video`` (MP4), ``thumbnail`` and ``spritesheet`` (JPEG).
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import media, multipart, shapes
from .errors import openai_error, openai_fail
from .inputs import image_kind, is_http_url, is_image_reference
from .messages import HttpError, Request, Response, json_response
from .store import new_video_id, scenario_for

KNOWN_FIELDS = ("prompt", "model", "seconds", "size", "input_reference", "watermark", "user")
SIZE = re.compile(r"^(\d{1,5})x(\d{1,5})$")
VARIANTS = ("video", "thumbnail", "spritesheet")
VEO_SIZES = ("16x9", "9x16")   # gateways serving Veo on /v1/videos take the size as a ratio
LIST_PARAMS = ("after", "limit", "order")
LIST_DEFAULT_LIMIT = 20
LIST_MAX_LIMIT = 100


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return f"the string {value!r}"


def _check_input_reference(value: Any) -> None:
    """Accept an image file part, an http(s) URL, or ``{"image_url"|"file_id": ...}``."""
    if isinstance(value, multipart.Part) and value.filename is not None:
        if image_kind(value.data) is None:
            raise openai_fail(400, "Invalid file 'input_reference': unsupported or corrupt image. "
                              "Supported formats: image/png, image/jpeg, image/webp, image/gif.",
                              param="input_reference", code="invalid_value")
        return
    if isinstance(value, multipart.Part):
        value = value.text()
    if isinstance(value, str) and is_http_url(value):
        return
    if isinstance(value, dict) and len(value) == 1:
        if is_image_reference(value.get("image_url")) or isinstance(value.get("file_id"), str):
            return
    raise openai_fail(400, "Invalid type for 'input_reference': expected a file or an http(s) "
                      f"URL, but got {_json_kind(value)} instead.",
                      param="input_reference", code="invalid_type")


def _read_fields(req: Request) -> dict[str, Any]:
    """Parse the create body (multipart or JSON) into a field dict (last value wins)."""
    if not req.body.strip():
        return {}
    if req.content_type == "multipart/form-data":
        try:
            parts = multipart.parse(req.body, req.header("Content-Type") or "")
        except multipart.MultipartError as exc:
            raise openai_fail(400, f"Could not parse multipart form: {exc}.", code="invalid_multipart")
        return {p.name: (p if p.name == "input_reference" else p.text()) for p in parts}
    if req.content_type == "application/json":
        try:
            fields = json.loads(req.body)
        except (ValueError, UnicodeDecodeError):
            raise openai_fail(400, "We could not parse the JSON body of your request.",
                              code="invalid_json")
        if not isinstance(fields, dict):
            raise openai_fail(400, "The JSON body must be an object.", code="invalid_json")
        return fields
    raise openai_fail(400, f"Unsupported Content-Type {req.content_type or '(none)'!r}; use "
                      "multipart/form-data or application/json.", code="unsupported_content_type")


def _string_field(fields: dict[str, Any], name: str, default: str) -> str:
    value = fields.get(name, default)
    if not isinstance(value, str):
        raise openai_fail(400, f"Invalid type for '{name}': expected a string, but got "
                          f"{_json_kind(value)} instead.", param=name, code="invalid_type")
    return value


def create_video(emu, req: Request) -> Response:
    """``POST /v1/videos``: validate the form and create a queued task.

    Veo models (``veo-3.1``, ``-fast``, ``-landscape``, ``-fl`` variants), as
    gateways serve them here, take ``size`` as ``16x9`` / ``9x16``.
    """
    fields = _read_fields(req)
    for name in fields:
        if name not in KNOWN_FIELDS:
            raise openai_fail(400, f"Unrecognized request argument supplied: {name}",
                              param=name, code="unknown_parameter")
    if "prompt" not in fields:
        raise openai_fail(400, "Missing required parameter: 'prompt'.", param="prompt",
                          code="missing_required_parameter")
    prompt = _string_field(fields, "prompt", "")
    if not prompt.strip():
        raise openai_fail(400, "Missing required parameter: 'prompt'.", param="prompt",
                          code="missing_required_parameter")
    model = _string_field(fields, "model", "sora-2")
    seconds = fields.get("seconds", "4")
    if not (isinstance(seconds, str) and seconds.isascii() and seconds.isdigit() and int(seconds) > 0):
        raise openai_fail(400, "Invalid type for 'seconds': expected a string of digits such as "
                          f"'4', '8' or '12', but got {_json_kind(seconds)} instead.",
                          param="seconds", code="invalid_type")
    size = _string_field(fields, "size", "720x1280")
    match = SIZE.match(size)
    if not match:
        raise openai_fail(400, f"Invalid value for 'size': expected WIDTHxHEIGHT such as "
                          f"'720x1280', but got {size!r}.", param="size", code="invalid_value")
    if model.lower().startswith("veo") and size not in VEO_SIZES:
        raise openai_fail(400, f"Invalid value for 'size': Veo models take {' or '.join(VEO_SIZES)}, "
                          f"but got {size!r}.", param="size", code="invalid_value")
    if "watermark" in fields and fields["watermark"] not in ("true", "false", True, False):
        raise openai_fail(400, "Invalid value for 'watermark': expected \"true\" or \"false\".",
                          param="watermark", code="invalid_value")
    if "input_reference" in fields:
        _check_input_reference(fields["input_reference"])
    try:
        scenario = scenario_for(model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        raise openai_fail(400, str(exc), code="invalid_scenario")
    task = emu.store.create(
        id_=emu.settings.task_id(new_video_id), dialect="openai", model=model, prompt=prompt, scenario=scenario,
        duration=emu.settings.task_duration(), seconds=seconds, size=size,
        width=int(match.group(1)), height=int(match.group(2)),
        extra={k: fields[k] for k in ("watermark", "user") if k in fields})
    emu.webhooks.task_created(task, None, lambda: shapes.openai_event(task, task.state()))
    return json_response(200, shapes.video_object(task, task.submitted_state()))


def _not_found(video_id: str) -> Response:
    return openai_error(404, f"Video with id '{video_id}' not found.", code="video_not_found")


def get_video(emu, req: Request, video_id: str) -> Response:
    """``GET /v1/videos/{id}``: the Video object (new-api form for ``task_`` tasks)."""
    task = emu.store.get(video_id)
    if task is None:
        return _not_found(video_id)
    state = task.state()
    if task.dialect == "unified":
        body = shapes.video_object(task, state, with_task_id=True,
                                   url=shapes.result_url(emu, task, state))
    else:
        body = shapes.video_object(task, state)
    poll_after = emu.settings.get("poll_after_ms")
    headers = {} if poll_after is None else {"openai-poll-after-ms": str(poll_after)}
    return json_response(200, body, headers)


def get_content(emu, req: Request, video_id: str) -> Response:
    """``GET /v1/videos/{id}/content[?variant=video|thumbnail|spritesheet]``: the MP4 (Range-aware, or 302 to the
    CDN in the ``redirect`` scenario), the thumbnail or spritesheet JPEG, or an error."""
    task = emu.store.get(video_id)
    if task is None:
        return _not_found(video_id)
    variant = req.query.get("variant", "video")
    if variant not in VARIANTS:
        return openai_error(400, f"Invalid value for 'variant': expected one of {', '.join(VARIANTS)}, "
                            f"but got {variant!r}.", param="variant", code="invalid_value")
    if variant != "video" and task.dialect != "openai":
        return openai_error(400, f"Variant {variant!r} is only served for /v1/videos tasks.",
                            param="variant", code="unsupported_value")
    state = task.state()
    status = shapes.OPENAI_STATUS[state.phase]
    if task.dialect == "unified" and state.phase != "completed":
        body = {"error": {"message": "Task is not completed yet, current status: "
                          + shapes.internal_status(state), "type": "invalid_request_error"}}
        return json_response(400, body)
    if state.phase in ("queued", "running"):
        return openai_error(404, f"Video is not ready yet (status: {status}).", code="video_not_ready")
    if not state.has_video:
        return openai_error(404, f"Video is not available (status: {status}).",
                            code="video_not_available")
    if variant != "video":
        return media.serve(req, emu.variants[variant])
    if task.scenario == "redirect":
        location = shapes.result_url(emu, task, state)
        return json_response(302, {"redirect": location}, {"Location": location})
    size = emu.settings.get("video_bytes")
    if size is not None:
        return media.serve(req, media.task_video_source(task.id, size, task.created_at))
    return media.serve(req, emu.sample)


def _openai_task(emu, video_id: str):
    """The ``/v1/videos`` task with this id (tasks of the other dialects are not found here)."""
    task = emu.store.get(video_id)
    if task is None or task.dialect != "openai":
        raise HttpError(_not_found(video_id))
    return task


def _query_int(req: Request, name: str, default: int, low: int, high: int) -> int:
    text = req.query.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise openai_fail(400, f"Invalid value for '{name}': expected an integer between {low} and {high}, "
                          f"but got {text!r}.", param=name, code="invalid_value")
    return int(text)


def list_videos(emu, req: Request) -> Response:
    """``GET /v1/videos?after=ID&limit=N&order=asc|desc``: a cursor page of this dialect's videos by creation
    time (newest first by default; ``limit`` 1-100, default 20). ``after`` names the last video of the previous
    page (a deleted one still works as a cursor); an unknown one is refused."""
    for name in req.query:
        if name not in LIST_PARAMS:
            raise openai_fail(400, f"Unrecognized query parameter supplied: {name}", param=name,
                              code="unknown_parameter")
    limit = _query_int(req, "limit", LIST_DEFAULT_LIMIT, 1, LIST_MAX_LIMIT)
    order = req.query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise openai_fail(400, f"Invalid value for 'order': expected 'asc' or 'desc', but got {order!r}.",
                          param="order", code="invalid_value")
    videos = sorted((t for t in emu.store.all() if t.dialect == "openai"), key=lambda t: t.row_id,
                    reverse=order == "desc")
    after = req.query.get("after")
    if after is not None:
        row = emu.store.row_of(after)
        if row is None:
            raise openai_fail(400, f"Invalid value for 'after': no video with id {after!r}.", param="after",
                              code="invalid_value")
        videos = [t for t in videos if (t.row_id > row if order == "asc" else t.row_id < row)]
    page = videos[:limit]
    data = [shapes.video_object(t, t.state()) for t in page]
    return json_response(200, {"object": "list", "data": data,
                               "first_id": page[0].id if page else None,
                               "last_id": page[-1].id if page else None,
                               "has_more": len(videos) > limit})


def _refuse_unfinished(task, state, action: str) -> None:
    """OpenAI deletes and remixes only finished videos (remix: completed ones with a video)."""
    status = shapes.OPENAI_STATUS[state.phase]
    if not state.terminal or (action == "remix" and not state.has_video):
        raise openai_fail(400, f"Video '{task.id}' cannot be {'deleted' if action == 'delete' else 'remixed'} "
                          f"while its status is {status}" + (
                              "; only completed or failed videos can be deleted." if action == "delete"
                              else "; only completed videos can be remixed."),
                          code="invalid_video_status")


def delete_video(emu, req: Request, video_id: str) -> Response:
    """``DELETE /v1/videos/{id}``: deletes a completed or failed video; polling it afterwards gives 404."""
    task = _openai_task(emu, video_id)
    _refuse_unfinished(task, task.state(), "delete")
    emu.store.delete(task.id)
    return json_response(200, {"id": task.id, "object": "video.deleted", "deleted": True})


def remix_video(emu, req: Request, video_id: str) -> Response:
    """``POST /v1/videos/{id}/remix`` with JSON ``{prompt}``: a new queued video of the same model, size and
    length, whose ``remixed_from_video_id`` names the source (which must be completed)."""
    source = _openai_task(emu, video_id)
    if req.content_type != "application/json":
        raise openai_fail(400, f"Unsupported Content-Type {req.content_type or '(none)'!r}; the remix body is "
                          "application/json.", code="unsupported_content_type")
    fields = _read_fields(req)
    for name in fields:
        if name != "prompt":
            raise openai_fail(400, f"Unrecognized request argument supplied: {name}", param=name,
                              code="unknown_parameter")
    prompt = _string_field(fields, "prompt", "")
    if not prompt.strip():
        raise openai_fail(400, "Missing required parameter: 'prompt'.", param="prompt",
                          code="missing_required_parameter")
    _refuse_unfinished(source, source.state(), "remix")
    try:
        scenario = scenario_for(source.model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        raise openai_fail(400, str(exc), code="invalid_scenario")
    task = emu.store.create(
        id_=new_video_id(), dialect="openai", model=source.model, prompt=prompt, scenario=scenario,
        duration=emu.settings.task_duration(), seconds=source.seconds, size=source.size,
        width=source.width, height=source.height, extra=dict(source.extra), remixed_from=source.id)
    return json_response(200, shapes.video_object(task, task.submitted_state()))


ROUTES = [
    ("POST", re.compile(r"^/v1/videos$"), create_video),
    ("GET", re.compile(r"^/v1/videos$"), list_videos),
    ("GET", re.compile(r"^/v1/videos/(?P<video_id>[^/]+)$"), get_video),
    ("DELETE", re.compile(r"^/v1/videos/(?P<video_id>[^/]+)$"), delete_video),
    ("GET", re.compile(r"^/v1/videos/(?P<video_id>[^/]+)/content$"), get_content),
    ("POST", re.compile(r"^/v1/videos/(?P<video_id>[^/]+)/remix$"), remix_video),
]
