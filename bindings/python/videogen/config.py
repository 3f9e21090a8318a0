"""The client configuration document, built from :class:`~videogen.Client`'s keyword arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from .request import _plain

#: The variable holding the API key when neither ``api_key`` nor ``api_key_env`` is given.
DEFAULT_KEY_VARIABLE = "VIDEOGEN_API_KEY"


class PollOptions(TypedDict, total=False):
    """The poll schedule (seconds): first poll one ``interval`` after a submit, growing by ``multiplier``."""

    interval: float
    max_interval: float
    multiplier: float
    jitter: float
    min_interval: float
    max_hint: float
    adaptive: bool
    """Place polls just after the end a task's progress rate points to (default True); False: the schedule alone."""


class RetryOptions(TypedDict, total=False):
    """The retry rules of failed requests (full-jitter backoff)."""

    max_attempts: int
    base_delay: float
    max_delay: float
    max_retry_after: float
    budget: int
    """The client's retry budget in tokens (default 500; a retry costs 14, or 5 after a 429)."""


class ClientOptions(TypedDict, total=False):
    """Optional client settings (the library's configuration document; unknown names are refused by name)."""

    allow_insecure_http: bool
    """Allow plain http to hosts other than loopback (the key would cross the network in clear)."""
    request_timeout: float
    """Seconds for one whole request (submit, poll, cancel), redirects included."""
    wait_timeout: float
    """Default deadline of a wait, seconds."""
    stall_timeout: float
    """Seconds without a byte before a download attempt fails (and resumes)."""
    min_download_rate: int
    """Bytes per second: a download slower than this over ``stall_timeout`` counts as stalled."""
    download_timeout: float | None
    """Seconds for a whole download (every attempt); past it a :class:`~videogen.TimeoutError`, the part file kept."""
    max_response_bytes: int
    """Cap on JSON answers."""
    max_download_bytes: int | None
    """Cap on the video, bytes."""
    user_agent: str
    """The User-Agent header."""
    ca_file: str
    """A PEM file of CA certificates to verify servers with instead of the system's store (a private CA)."""
    proxy: str
    """A proxy URL (http, https, socks4(a), socks5(h)); ``""`` for none; left out: the environment's."""
    status_route: str
    """``unified`` only: poll ``"generations"`` (``/v1/video/generations/{id}``) or ``"videos"``."""
    project: str
    """``vertex`` only: the Google Cloud project."""
    location: str
    """``vertex`` only: the Vertex AI location (default ``us-central1``)."""
    access_token: str
    """``vertex`` only: an OAuth access token (or ``access_token_env``, or ``service_account_file``)."""
    access_token_env: str
    """``vertex`` only: the environment variable holding an OAuth access token."""
    service_account_file: str
    """``vertex`` only: a service account key file (JSON) from which tokens are minted and renewed."""
    secret_key: str
    """``kling_official`` only: Kling's secret key (prefer ``secret_key_env``)."""
    secret_key_env: str
    """``kling_official`` only: the environment variable holding Kling's secret key."""
    prefer_wait: int
    """``replicate`` only: seconds Replicate holds the submit's answer (``Prefer: wait``), 0-60; default 5."""
    server_deadline: bool
    """``fal`` and ``replicate``: the service drops the task ``wait_timeout`` seconds after the submit."""
    poll: PollOptions
    """The poll schedule."""
    retry: RetryOptions
    """The retry rules."""


def config_document(*, provider: str | None, dialect: str | None, base_url: str | None, api_key: str | None,
                    api_key_env: str | None, options: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration as a JSON-ready dict. Arguments that are ``None`` are left out.

    When no key source is given (for Vertex AI: nor ``access_token``, ``access_token_env`` or
    ``service_account_file``), the key is read from ``$VIDEOGEN_API_KEY``.
    """
    document: dict[str, Any] = {}
    for name, value in (("provider", provider), ("dialect", dialect), ("base_url", base_url),
                        ("api_key", api_key), ("api_key_env", api_key_env)):
        if value is not None:
            document[name] = value
    google_credential = any(options.get(name) is not None
                            for name in ("access_token", "access_token_env", "service_account_file"))
    if api_key is None and api_key_env is None and not google_credential:
        document["api_key_env"] = DEFAULT_KEY_VARIABLE
    for name, value in options.items():
        if value is not None:
            document[name] = _plain(value)
    return document
