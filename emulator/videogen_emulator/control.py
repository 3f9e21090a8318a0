"""Emulator-only routes (no API key): health, settings, request log, stats, tasks, reset, blobs.

Health, settings, request-log, stats, tasks and reset calls are harness plumbing: they are
kept out of the request log, so a test sees only its client's traffic. Blob
downloads are logged like any other download.
"""

from __future__ import annotations

import json
import re
import resource
import time
from typing import Any

from . import media
from .errors import openai_error
from .faults import FaultRules
from .messages import Request, Response, json_response

MAX_BLOB = 4 * 1024 ** 3


def _plumbing(response: Response) -> Response:
    response.logged = False
    return response


def _reply(payload: Any) -> Response:
    return _plumbing(json_response(200, payload))


def health(emu, req: Request) -> Response:
    """``GET /_emulator/health``."""
    return _reply({"ok": True})


def get_settings(emu, req: Request) -> Response:
    """``GET /_emulator/control``: the current settings (never the key)."""
    return _reply(emu.settings.snapshot())


def update_settings(emu, req: Request) -> Response:
    """``POST /_emulator/control``: apply a JSON object of setting changes atomically."""
    try:
        changes = json.loads(req.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        changes = None
    if not isinstance(changes, dict):
        return _plumbing(openai_error(400, "Control body must be a JSON object.",
                                      code="invalid_json"))
    rules = changes.pop("faults", None)
    seed = changes.pop("fault_seed", 0)
    try:
        if rules is not None:
            FaultRules().install(rules, seed)       # validate before changing anything
        snapshot = emu.settings.update(changes)
        if rules is not None:
            emu.faults.install(rules, seed)
            snapshot = dict(snapshot, **emu.faults.describe())
        return _reply(snapshot)
    except KeyError as exc:
        name = exc.args[0]
        return _plumbing(openai_error(400, f"Unknown setting: {name}", param=name,
                                      code="unknown_parameter"))
    except ValueError as exc:
        return _plumbing(openai_error(400, str(exc), code="invalid_value"))


def request_log(emu, req: Request) -> Response:
    """``GET /_emulator/requests``: the request log, oldest first."""
    return _reply(emu.requests())


def get_faults(emu, req: Request) -> Response:
    """``GET /_emulator/faults``: the installed fault rules with their ``seen``/``fired`` counters."""
    return _reply(emu.faults.describe())


def set_faults(emu, req: Request) -> Response:
    """``POST /_emulator/faults``: ``{"faults": [...], "fault_seed": n}`` replaces the rules."""
    try:
        body = json.loads(req.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        emu.faults.install(body.get("faults", []), body.get("fault_seed", 0))
    except (ValueError, UnicodeDecodeError) as exc:
        return _plumbing(openai_error(400, f"Bad faults: {exc}", code="invalid_value"))
    return _reply(emu.faults.describe())


def get_webhooks(emu, req: Request) -> Response:
    """``GET /_emulator/webhooks``: every callback delivery attempt (see webhooks.py)."""
    return _reply({"deliveries": emu.webhooks.deliveries()})


def set_webhooks(emu, req: Request) -> Response:
    """``POST /_emulator/webhooks``: ``{"url", "scheme", "secret", "retries", "duplicates", "mode", ...}`` updates
    the callback settings (the answer leaves the secret out)."""
    try:
        body = json.loads(req.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        settings = emu.webhooks.configure(**body)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        return _plumbing(openai_error(400, f"Bad webhook settings: {exc}", code="invalid_value"))
    return _reply(settings)


def stats(emu, req: Request) -> Response:
    """``GET /_emulator/stats``: tasks, Idempotency-Keys, requests served per origin, this process's CPU time.

    ``requests`` counts every request but harness plumbing since start or the last reset (unbounded, unlike the
    request log); ``submits`` counts the task-creating POSTs the API origin ``received`` (whatever their answer), of
    which ``replayed`` were answered from the Idempotency-Key ledger, and the tasks ``created`` (a task paid for);
    ``cpu_seconds`` is this process's user + system CPU time (the emulator's own when it runs as
    ``python -m videogen_emulator``); ``server`` names the engine.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return _reply({"tasks": len(emu.store), "idempotency_keys": len(emu.idempotency),
                   "requests": emu.log.counts(), "submits": dict(emu.log.submits(), created=emu.store.created),
                   "cpu_seconds": usage.ru_utime + usage.ru_stime,
                   "server": emu.server})


def tasks(emu, req: Request) -> Response:
    """``GET /_emulator/tasks``: every task with its model, phase, creation and completion instants.

    ``created_at`` and ``completes_at`` are unix seconds (floats); ``completes_at`` is the exact instant the task
    becomes terminal (``created_at`` + its task_seconds), null for one that never does (``emu-stuck``). With
    ``?include=video`` and the ``video_bytes`` setting, each row also has ``video_bytes`` and ``video_sha256``, the
    size and hex SHA-256 of the task's own video (``GET /v1/videos/{id}/content``).
    """
    now = time.monotonic()
    size = emu.settings.get("video_bytes")
    rows = []
    for task in emu.store.all():
        row = {"id": task.id, "model": task.model, "created_at": task.created_at,
               "completes_at": task.completes_at, "phase": task.state(now).phase}
        if size is not None and "video" in req.query.get("include", "").split(","):
            row["video_bytes"], row["video_sha256"] = size, media.task_video_sha256(task.id, size)
        rows.append(row)
    return _reply(rows)


def reset(emu, req: Request) -> Response:
    """``POST /_emulator/reset``: forget all tasks, the request log and counters, fault rules and idempotency keys."""
    emu.store.clear()
    emu.log.clear()
    emu.faults.clear()
    emu.idempotency.clear()
    return _reply({"ok": True})


def blob(emu, req: Request, size: str) -> Response:
    """``GET /_emulator/blob/<n>``: n deterministic bytes, streamed, Range-aware."""
    n = int(size)
    if n > MAX_BLOB:
        return openai_error(400, f"Blob size must be at most {MAX_BLOB} bytes.",
                            param="n", code="invalid_value")
    return media.serve(req, media.blob_source(n, emu.started_wall))


ROUTES = [
    ("GET", re.compile(r"^/_emulator/health$"), health),
    ("GET", re.compile(r"^/_emulator/control$"), get_settings),
    ("POST", re.compile(r"^/_emulator/control$"), update_settings),
    ("GET", re.compile(r"^/_emulator/requests$"), request_log),
    ("GET", re.compile(r"^/_emulator/faults$"), get_faults),
    ("POST", re.compile(r"^/_emulator/faults$"), set_faults),
    ("GET", re.compile(r"^/_emulator/stats$"), stats),
    ("GET", re.compile(r"^/_emulator/tasks$"), tasks),
    ("POST", re.compile(r"^/_emulator/reset$"), reset),
    ("GET", re.compile(r"^/_emulator/webhooks$"), get_webhooks),
    ("POST", re.compile(r"^/_emulator/webhooks$"), set_webhooks),
    ("GET", re.compile(r"^/_emulator/blob/(?P<size>[0-9]{1,12})$"), blob),
]
