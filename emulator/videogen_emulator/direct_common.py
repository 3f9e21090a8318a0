"""Helpers shared by the direct-provider routes of MiniMax, Runway, Luma and Ark: reading a JSON body, creating a
task of a dialect, and the scenario a model name selects (see :func:`.store.scenario_for`)."""

from __future__ import annotations

import json
import secrets
from typing import Any, Callable

from .messages import HttpError, Request, Response
from .store import Task, scenario_for


def json_body(req: Request, fail: Callable[[str], Response]) -> dict[str, Any]:
    """The request's JSON object, or the provider's 400 (``fail(message)``) raised."""
    try:
        body = json.loads(req.body)
    except (ValueError, UnicodeDecodeError):
        raise HttpError(fail("Invalid JSON body"))
    if not isinstance(body, dict):
        raise HttpError(fail("The JSON body must be an object"))
    return body


def create(emu, req: Request, dialect: str, model: str, prompt: str, new_id: Callable[[], str],
           fail: Callable[[str], Response], **extra: Any) -> Task:
    """A new task of ``dialect`` (its scenario from ``X-Emulator-Scenario`` or the model name)."""
    try:
        scenario = scenario_for(model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        raise HttpError(fail(str(exc)))
    return emu.store.create(id_=emu.settings.task_id(new_id), dialect=dialect, model=model, prompt=prompt,
                            scenario=scenario, duration=emu.settings.task_duration(), extra=extra)


def digits_id(length: int = 15) -> str:
    """A numeric id as MiniMax gives them."""
    return str(secrets.randbelow(9 * 10 ** (length - 1)) + 10 ** (length - 1))


def uuid_id() -> str:
    """A UUID, as Runway and Luma give them."""
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:32]}"
