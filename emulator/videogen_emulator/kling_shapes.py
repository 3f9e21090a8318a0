"""JSON renderings of Kling tasks: Kling's own ``{code, message, request_id, data}``
envelope and the flat ``{task_id, status}`` answer gateways give on its route."""

from __future__ import annotations

import uuid
from typing import Any

from .store import Task, TaskState

KLING_STATUS = {"queued": "submitted", "running": "processing",
                "completed": "succeed", "failed": "failed"}
FLAT_STATUS = {"queued": "queued", "running": "processing",
               "completed": "succeeded", "failed": "failed"}


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {"code": 0, "message": "SUCCEED", "request_id": str(uuid.uuid4()), "data": data}


def _task_info(task: Task) -> dict[str, Any]:
    external = task.extra.get("external_task_id")
    return {"external_task_id": external} if external else {}


def submit_envelope(task: Task) -> dict[str, Any]:
    """Kling's submit answer: ``task_status: submitted``, millisecond timestamps."""
    created = _ms(task.created_at)
    return _envelope({"task_id": task.id, "task_info": _task_info(task), "task_status": "submitted",
                      "created_at": created, "updated_at": created})


def submit_flat(task: Task) -> dict[str, Any]:
    """The gateway's flat submit answer."""
    return {"task_id": task.id, "status": "queued"}


def status_envelope(task: Task, state: TaskState, url: str | None) -> dict[str, Any]:
    """Kling's query answer: ``task_status`` submitted / processing / succeed / failed, no progress."""
    created = _ms(task.created_at)
    updated = max(created, _ms(state.started_at or 0), _ms(state.finished_at or 0))
    data: dict[str, Any] = {
        "task_id": task.id, "task_status": KLING_STATUS[state.phase],
        "task_status_msg": state.error["message"] if state.error else "",
        "task_info": _task_info(task),
        "created_at": created, "updated_at": updated,
    }
    if state.phase == "completed":
        videos = [{"id": f"{task.id}-0", "url": url, "duration": f"{task.seconds}.0"}] if url else []
        data["task_result"] = {"videos": videos}
        data["watermark_info"] = {"enabled": bool(task.extra.get("watermark"))}
        data["final_unit_deduction"] = "1"
    return _envelope(data)


def status_flat(task: Task, state: TaskState, url: str | None) -> dict[str, Any]:
    """The gateway's flat query answer, with progress, ``url`` and ``error``."""
    error = {"code": state.error["code"], "message": state.error["message"]} if state.error else None
    return {"task_id": task.id, "status": FLAT_STATUS[state.phase], "progress": state.progress,
            "url": url, "error": error}
