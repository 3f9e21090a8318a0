"""The emulator's callbacks: when a task ends, POST it to the callback URL, signed like its provider, with retries
and duplicates, and on request forged, tampered, replayed or stale deliveries.

Configure with :meth:`WebhookSender.configure` (``Emulator.webhooks``, ``POST /_emulator/webhooks`` or the command
line's ``--webhook-*`` options). The callback URL is the request's ``callback_url`` (Kling, new-api, OpenRouter, Vidu, Luma,
Ark, MiniMax) or, for the
OpenAI dialect (whose webhooks are configured per project, not per request), the configured ``url``. Every
delivery attempt is recorded (:meth:`deliveries`). Provider routes added later call :meth:`task_created` with their
task, the URL and a ``body`` function giving the provider's payload.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable

from . import webhook_signing as signing

MODES = ("normal", "forged", "tampered", "stale", "replayed")


class WebhookSender:
    """Sends the callbacks of one emulator. Thread-safe; one daemon timer per pending callback."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logged = threading.Condition(self._lock)
        self._config: dict[str, Any] = {"url": None, "scheme": "standard_webhooks", "secret": None,
                                        "retries": 3, "duplicates": 0, "mode": "normal", "retry_delay": 0.05,
                                        "stale_seconds": 600}
        self._log: list[dict[str, Any]] = []
        self._timers: list[threading.Timer] = []
        self._fal_key = None
        self._last: tuple[str, dict[str, str], bytes] | None = None

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Update the settings: ``url``, ``scheme`` (see webhook_signing.SCHEMES), ``secret``, ``retries``,
        ``duplicates`` (extra identical deliveries after a success), ``mode`` (MODES), ``retry_delay``,
        ``stale_seconds``. Returns the settings without the secret."""
        with self._lock:
            for name, value in settings.items():
                if name not in self._config:
                    raise ValueError(f"unknown webhook setting {name!r}")
                if name == "scheme" and value not in signing.SCHEMES:
                    raise ValueError(f"scheme must be one of {', '.join(signing.SCHEMES)}")
                if name == "mode" and value not in MODES:
                    raise ValueError(f"mode must be one of {', '.join(MODES)}")
                self._config[name] = value
            return {k: v for k, v in self._config.items() if k != "secret"}

    def fal_jwks(self) -> dict:
        """The JWKS of the emulator's fal signing key (created on first use; needs ``cryptography``)."""
        return signing.fal_jwks(self._fal_private_key())

    def _fal_private_key(self):
        with self._lock:
            if self._fal_key is None:
                from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
                self._fal_key = Ed25519PrivateKey.generate()
            return self._fal_key

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery attempt: ``url``, ``task_id``, ``mode``, ``attempt``, ``status`` (or ``error``), ``time``."""
        with self._lock:
            return [dict(entry) for entry in self._log]

    def wait_deliveries(self, count: int, timeout: float) -> list[dict[str, Any]]:
        """Block until ``count`` delivery attempts are logged (or ``timeout`` seconds passed); returns the log."""
        deadline = time.monotonic() + timeout
        with self._logged:
            while len(self._log) < count and deadline > time.monotonic():
                self._logged.wait(deadline - time.monotonic())
            return [dict(entry) for entry in self._log]

    def clear(self) -> None:
        """Cancel pending callbacks and forget the log."""
        with self._lock:
            timers, self._timers = self._timers, []
            self._log = []
        for timer in timers:
            timer.cancel()

    def task_created(self, task, url: str | None, body: Callable[[], dict], scheme: str | None = None,
                     secret: str | None = None) -> None:
        """Schedule ``task``'s callback for when it ends: POST ``body()`` (built then) to ``url`` (or the configured
        one), signed with ``scheme`` (or the configured one) under ``secret`` (or the configured one: Vidu signs with
        the API token, which its route passes here)."""
        with self._lock:
            target = url or self._config["url"]
            if not target or task.completes_at is None:
                return
            delay = max(0.0, task.completes_at - time.time())
            timer = threading.Timer(delay, self._fire, args=(task.id, target, body, scheme, secret))
            timer.daemon = True
            self._timers.append(timer)
        timer.start()

    def _fire(self, task_id: str, url: str, body: Callable[[], dict], scheme: str | None,
              secret: str | None = None) -> None:
        with self._lock:
            config = dict(self._config)
        if secret is not None:
            config["secret"] = secret
        scheme = scheme or config["scheme"]
        raw = json.dumps(body(), separators=(",", ":")).encode()
        mode = config["mode"]
        if mode == "replayed" and self._last is not None:
            # A delivery captured earlier, sent again verbatim (same id, timestamp and signature).
            _, headers, raw = self._last
        else:
            headers = self.signed_headers(scheme, config, url, raw, stale=(mode == "stale"), forged=(mode == "forged"))
            if mode == "tampered":
                raw = raw.replace(b"}", b",\"tampered\":true}", 1) if raw.endswith(b"}") else raw + b" "
        for attempt in range(1 + max(0, int(config["retries"]))):
            if self._post(task_id, url, headers, raw, mode, attempt):
                with self._lock:
                    self._last = (url, headers, raw)
                for extra in range(int(config["duplicates"])):
                    self._post(task_id, url, headers, raw, "duplicate", extra)
                return
            time.sleep(float(config["retry_delay"]) * (2 ** attempt))

    def signed_headers(self, scheme: str, config: dict[str, Any], url: str, raw: bytes, *, stale: bool = False,
                       forged: bool = False) -> dict[str, str]:
        """The headers of one delivery of ``raw`` under ``scheme``."""
        now = int(time.time()) - (int(config["stale_seconds"]) if stale else 0)
        secret = config["secret"]
        if secret is None and scheme in ("standard_webhooks", "openrouter", "vidu") and not forged:
            return {}       # no secret configured: the callback goes unsigned (and fails verification)
        if forged:
            secret = signing.new_standard_secret() if scheme == "standard_webhooks" else "forged-" + secrets.token_hex(8)
        if scheme == "standard_webhooks":
            return signing.sign_standard(secret, "msg_" + secrets.token_hex(12), now, raw)
        if scheme == "openrouter":
            return signing.sign_openrouter(secret, now, raw, "idem-" + secrets.token_hex(8))
        if scheme == "vidu":
            return signing.sign_vidu(secret, "POST", url, now)
        if scheme == "fal":
            key = self._fal_private_key()
            if forged:
                from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
                key = Ed25519PrivateKey.generate()
            return signing.sign_fal(key, "req_" + secrets.token_hex(8), "user_emulator", now, raw)
        return {}

    def _post(self, task_id: str, url: str, headers: dict[str, str], raw: bytes, mode: str, attempt: int) -> bool:
        request = urllib.request.Request(url, data=raw, method="POST",
                                         headers={"Content-Type": "application/json", **headers})
        entry: dict[str, Any] = {"url": url, "task_id": task_id, "mode": mode, "attempt": attempt, "time": time.time()}
        ok = False
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                entry["status"] = answer.status
                ok = 200 <= answer.status < 300
        except urllib.error.HTTPError as exc:
            entry["status"] = exc.code
        except OSError as exc:
            entry["error"] = type(exc).__name__
        with self._logged:
            self._log.append(entry)
            self._logged.notify_all()
        return ok
