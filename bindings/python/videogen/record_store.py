"""Where a job's submit is remembered: the :class:`RecordStore` interface that :meth:`Client.submit_once` writes
through, and :class:`DirectoryRecordStore`, a store of one JSON file per job.

An entry is a JSON object: ``job_id``, ``idempotency_key`` (saved before the submit is sent), ``record`` (the task's
record, saved as soon as the submit returns; ``None`` while the submit's outcome is unknown) and any members of your
own (a manifest line, a stage name): :meth:`Client.submit_once` keeps members it does not know. Records hold no
secret (the client supplies the key), so a store needs no more protection than the videos' metadata.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class RecordStore(Protocol):
    """What :meth:`Client.submit_once` needs of a store: a JSON object per job id, read and replaced whole.

    ``save`` must be durable when it returns (a process killed right after must find the entry) and atomic (a
    reader sees the old entry or the new one, never a mix). Redis (``SET``), a database row or a file renamed into
    place all qualify; ``examples/python/batch`` has a Redis store.
    """

    def load(self, job_id: str) -> dict[str, Any] | None:
        """The entry saved for ``job_id``, or None."""
        ...

    def save(self, job_id: str, entry: Mapping[str, Any]) -> None:
        """Replace the entry of ``job_id`` with ``entry`` (a JSON-serialisable mapping)."""
        ...


class DirectoryRecordStore:
    """One JSON file per job in ``directory`` (created if missing), named by the SHA-256 of the job id, written to a
    temporary file of its own (``O_EXCL``, never through a link), synced, then renamed into place and the directory
    synced: what :class:`RecordStore` asks. Several processes may share it; the last ``save`` of a job wins."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = os.fspath(directory)
        os.makedirs(self.directory, exist_ok=True)

    def path(self, job_id: str) -> str:
        """The file holding ``job_id``'s entry."""
        if not isinstance(job_id, str) or not job_id:
            raise ValueError("job_id must be a non-empty str")
        name = hashlib.sha256(job_id.encode("utf-8", "surrogatepass")).hexdigest()
        return os.path.join(self.directory, name + ".json")

    def load(self, job_id: str) -> dict[str, Any] | None:
        path = self.path(job_id)
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        with os.fdopen(descriptor, "rb") as file:
            entry = json.loads(file.read())
        if not isinstance(entry, dict) or entry.get("job_id") != job_id:
            raise ValueError(f"{path} does not hold the entry of job {job_id!r}")
        return entry

    def save(self, job_id: str, entry: Mapping[str, Any]) -> None:
        path = self.path(job_id)
        data = json.dumps(dict(entry, job_id=job_id), allow_nan=False).encode("utf-8")
        temporary = f"{path}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.rename(temporary, path)
        except BaseException:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
            raise
        directory = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
