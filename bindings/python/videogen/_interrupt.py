"""Ctrl-C for the blocking calls: a wait or a download on the main thread stops promptly on SIGINT.

Python runs signal handlers only between bytecodes of the main thread, so a ``KeyboardInterrupt`` cannot
interrupt a long C call. While one runs on the main thread, :func:`cancel_on_interrupt` routes SIGINT through
``signal.set_wakeup_fd`` to a helper thread that calls ``vg_task_cancel`` (callable from any thread): the C call
returns at once and the pending ``KeyboardInterrupt`` is raised as usual. Elsewhere (other threads, a custom
SIGINT handler, no pipe) it does nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def cancel_on_interrupt(cancel: Callable[[], object]) -> Iterator[None]:
    """Call ``cancel()`` from a helper thread if SIGINT arrives while the block runs (main thread only)."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    except (ValueError, OSError):
        os.close(read_end)
        os.close(write_end)
        yield
        return
    finished = threading.Event()

    def watch() -> None:
        while True:
            try:
                data = os.read(read_end, 64)
            except OSError:
                return
            if finished.is_set() or not data:
                return
            if previous >= 0:  # keep whoever installed a wakeup fd before us informed
                with contextlib.suppress(OSError):
                    os.write(previous, data)
            if signal.SIGINT in data:
                with contextlib.suppress(Exception):
                    cancel()

    watcher = threading.Thread(target=watch, name="videogen-sigint", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        finished.set()
        with contextlib.suppress(OSError):
            os.write(write_end, b"\0")
        watcher.join(5)
        os.close(read_end)
        os.close(write_end)
