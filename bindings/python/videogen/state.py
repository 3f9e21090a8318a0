"""The one task-state vocabulary, whatever the provider calls its states."""

from __future__ import annotations

import enum


class State(enum.StrEnum):
    """A task's state (``vg_state``); the value is the snapshot's word, e.g. ``"running"``."""

    QUEUED = "queued"
    """Accepted, waiting to start."""
    RUNNING = "running"
    """Being generated."""
    SUCCEEDED = "succeeded"
    """Finished with a video."""
    FAILED = "failed"
    """Finished without a video."""
    CANCELLED = "cancelled"
    """Cancelled on the service."""
    EXPIRED = "expired"
    """The service says the task or its result expired."""

    @property
    def done(self) -> bool:
        """True for the states a task never leaves (everything but queued and running)."""
        return self not in (State.QUEUED, State.RUNNING)

    @classmethod
    def from_native(cls, value: int) -> State:
        """The state for a ``vg_state`` number (unknown numbers read as FAILED, as the library's do)."""
        return _BY_NUMBER[value] if 0 <= value < len(_BY_NUMBER) else State.FAILED


_BY_NUMBER = (State.QUEUED, State.RUNNING, State.SUCCEEDED, State.FAILED, State.CANCELLED, State.EXPIRED)
