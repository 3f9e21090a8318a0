"""JSON renderings of a task's state: the OpenAI Video object and new-api's poll shapes."""

from __future__ import annotations

import time

from typing import Any

from . import gateway
from .store import Task, TaskState

OPENAI_STATUS = {"queued": "queued", "running": "in_progress",
                 "completed": "completed", "failed": "failed"}
REALTIME_STATUS = {"queued": "queued", "running": "processing",
                   "completed": "succeeded", "failed": "failed"}
ASSET_LIFETIME = 3600


def signed_url(emu, task: Task, state: TaskState) -> str | None:
    """A fresh signed CDN URL for a completed task that has a video, else None."""
    if not state.has_video:
        return None
    return emu.signer.sign(emu.cdn_url, f"{task.id}.mp4", emu.settings.get("url_ttl_seconds"))


def result_url(emu, task: Task, state: TaskState) -> str | None:
    """The URL new-api holds for a completed task: the signed CDN URL, or for the gateway scenarios (see
    :mod:`.gateway`) the inline ``data:`` URI (``inline``, which the task shapes leave out, as new-api does) or the
    gateway's content route under its configured server address (``proxy``); None without a video."""
    if not state.has_video:
        return None
    if task.scenario == "inline":
        return gateway.inline_data_uri(emu)
    if task.scenario == "proxy":
        return gateway.proxy_url(emu, task.id)
    return signed_url(emu, task, state)


def _fetchable(url: str | None) -> str | None:
    """``url`` unless it is a ``data:`` URI, which new-api keeps out of ``result_url`` (service/task_polling.go)."""
    return None if url is None or url.startswith("data:") else url


def internal_status(state: TaskState) -> str:
    """new-api's internal status: NOT_START, SUBMITTED, QUEUED, IN_PROGRESS, SUCCESS, FAILURE."""
    if state.phase == "queued":
        fraction = state.elapsed / state.duration if state.duration > 0 else 1.0
        return "NOT_START" if fraction < 0.05 else "SUBMITTED" if fraction < 0.1 else "QUEUED"
    return {"running": "IN_PROGRESS", "completed": "SUCCESS", "failed": "FAILURE"}[state.phase]


def video_object(task: Task, state: TaskState, *, with_task_id: bool = False,
                 url: str | None = None) -> dict[str, Any]:
    """The OpenAI ``Video`` object. new-api adds ``task_id`` and ``metadata.url``; its Kling, Vidu and Jimeng
    converters answer ``"model": ""`` (scenario ``blank-model``)."""
    done = state.phase == "completed"
    obj: dict[str, Any] = {"id": task.id}
    if with_task_id:
        obj["task_id"] = task.id
    obj.update({
        "object": "video",
        "created_at": int(task.created_at),
        "completed_at": state.finished_at if done else None,
        "expires_at": state.finished_at + ASSET_LIFETIME if done else None,
        "model": "" if task.scenario == "blank-model" else task.model,
        "progress": state.progress,
        "prompt": task.prompt,
        "remixed_from_video_id": task.remixed_from,
        "seconds": task.seconds,
        "size": task.size,
        "status": OPENAI_STATUS[state.phase],
        "error": dict(state.error) if state.error else None,
    })
    if url:
        obj["metadata"] = {"url": url}
    return obj


def submit_object(task: Task) -> dict[str, Any]:
    """new-api's answer to ``POST /v1/video/generations``."""
    return {"id": task.id, "task_id": task.id, "object": "video", "model": task.model,
            "status": "queued", "progress": 0, "created_at": int(task.created_at)}


def envelope(task: Task, state: TaskState, url: str | None) -> dict[str, Any]:
    """new-api's general poll shape ``{"code":"success","data":TaskDto}`` (dto/task.go, relay/relay_task.go
    ``TaskModel2Dto``): ``result_url`` only when there is one (``omitempty``), ``fail_reason`` as the upstream's
    adaptor kept it."""
    created = int(task.created_at)
    updated = max(created, state.started_at or 0, state.finished_at or 0)
    data = {
        "id": task.row_id, "created_at": created, "updated_at": updated,
        "task_id": task.id, "platform": "emulator", "user_id": 1, "group": "default",
        "channel_id": 1, "quota": 0, "action": "generate",
        "status": internal_status(state),
        "fail_reason": gateway.fail_reason(task.scenario, state.error),
        "result_url": _fetchable(url),
        "submit_time": created, "start_time": state.started_at or 0,
        "finish_time": state.finished_at or 0,
        "progress": f"{state.progress}%",
        "properties": {"input": "", "upstream_model_name": task.model,
                       "origin_model_name": task.model},
        "username": "emulator",
        "data": {"queue_position": state.queue_position} if state.phase == "queued" else {},
    }
    if data["result_url"] is None:
        del data["result_url"]
    return {"code": "success", "message": "", "data": data}


def flat(task: Task, state: TaskState, url: str | None) -> dict[str, Any]:
    """The flat shape of new-api's documentation."""
    return {
        "task_id": task.id, "status": OPENAI_STATUS[state.phase], "progress": state.progress,
        "queue_position": state.queue_position, "url": _fetchable(url), "format": "mp4",
        "metadata": {"duration": int(task.seconds) if task.seconds.isdigit() else 0,
                     "fps": task.fps, "width": task.width, "height": task.height, "seed": task.seed},
        "error": dict(state.error) if state.error else None,
    }


def realtime(task: Task, state: TaskState, url: str | None) -> dict[str, Any]:
    """new-api's realtime (Gemini/Vertex) shape (relay/relay_task.go ``tryRealtimeFetch``): ``"url": ""`` when the
    result is inline."""
    error = {"message": state.error["message"], "code": "task_failed"} if state.error else None
    return {"code": "success", "message": "", "data": {
        "error": error, "format": "mp4", "metadata": None,
        "status": REALTIME_STATUS[state.phase], "task_id": task.id, "url": _fetchable(url) or ""}}


def unified_poll(shape: str, task: Task, state: TaskState, url: str | None) -> dict[str, Any]:
    """Render ``GET /v1/video/generations/{id}`` in ``shape``."""
    if shape == "openai":
        return video_object(task, state, with_task_id=True, url=url)
    return {"envelope": envelope, "flat": flat, "realtime": realtime}[shape](task, state, url)


def video_link(emu, task: Task, state: TaskState) -> str | None:
    """The video URL the Kling, Router One and chat routes hand out: a signed CDN
    URL, or for the ``redirect`` scenario the API's content route, which answers
    302 to the CDN (so clients meet a cross-origin redirect). None without video."""
    if not state.has_video:
        return None
    if task.scenario == "redirect":
        return f"{emu.base_url}/v1/videos/{task.id}/content"
    return signed_url(emu, task, state)


def openai_event(task: Task, state: TaskState) -> dict[str, Any]:
    """OpenAI's webhook event for a finished video: an envelope naming the video (``video.completed`` or
    ``video.failed``), not the Video object: receivers retrieve the video."""
    kind = "video.completed" if state.phase == "completed" else "video.failed"
    return {"id": "evt_" + task.id[-16:], "object": "event", "created_at": int(time.time()), "type": kind,
            "data": {"id": task.id}}
