"""Loopback provider emulator for videogen (Python standard library only).

Emulates the OpenAI Videos API (``/v1/videos``) and the new-api task relay
(``/v1/video/generations``) with a time-driven task lifecycle, scenario
models (``emu-fail``, ``emu-stuck``, ``emu-empty``, ``emu-redirect``), a fake
CDN with signed expiring URLs, Range downloads and a request log.

Run it with ``python -m videogen.emulator`` or in-process::

    from videogen.emulator import Emulator
    with Emulator(task_seconds=1) as emu:
        print(emu.base_url, emu.cdn_url)
"""

from .app import Emulator

__all__ = ["Emulator"]
