"""What the webhook tests share: the emulator's Standard Webhooks secret, a poll schedule slow enough that only a
callback can end a wait within a test, and a wait run on its own thread."""

from __future__ import annotations

import base64
import threading
import time

SECRET = "whsec_" + base64.b64encode(b"emulator-webhook-secret-0123456").decode()
SLOW_POLL = {"interval": 60, "max_interval": 60, "jitter": 0}


def wait_in_thread(task):
    """Runs task.wait() on a thread; returns (thread, result dict with 'end' (monotonic) and 'task' or 'error')."""
    result: dict = {}

    def run():
        try:
            result["task"] = task.wait(timeout=120)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            result["error"] = exc
        result["end"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result
