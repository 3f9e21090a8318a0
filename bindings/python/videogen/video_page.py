"""One page of the videos a service keeps (:meth:`Client.list_tasks`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class VideoPage:
    """A page of the service's list of videos, in the service's order.

    Each record is a task snapshot of the listing client, as :meth:`Task.record` gives them: pass one to
    :meth:`Client.resume` for a :class:`Task` to download, delete or remix. While :attr:`has_more`, ask for the next
    page with ``after=page.last_id``.
    """

    records: list[dict[str, Any]]
    """The videos' records."""
    first_id: str | None
    """The id of the page's first video (``None`` for an empty page)."""
    last_id: str | None
    """The id of the page's last video: the ``after`` of the next page."""
    has_more: bool
    """True when more videos follow this page."""

    @property
    def ids(self) -> list[str]:
        """The videos' ids, in order."""
        return [str(record.get("id") or "") for record in self.records]

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> VideoPage:
        """The page from the library's JSON document ``{"data", "first_id", "last_id", "has_more"}``."""
        return cls([dict(record) for record in document.get("data") or []], document.get("first_id"),
                   document.get("last_id"), bool(document.get("has_more")))
