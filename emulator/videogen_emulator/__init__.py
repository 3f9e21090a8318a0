"""Loopback provider emulator for videogen (Python standard library only).

Emulates the OpenAI Videos API (``/v1/videos``, Veo models included), the
new-api task relay (``/v1/video/generations``), Kling's native route as
gateways pass it through (``/kling/v1/videos/...``, Kling's envelope or the
flat gateway answer), Router One (``/v1/videos/generations``) and video
through Chat Completions (``/v1/chat/completions``), and the direct providers
(Kling's own API with its JWT, fal's queue, Replicate's predictions, Gemini's Interactions API: see
:mod:`.direct_routes`), with a time-driven task
lifecycle, scenario models (``emu-fail``, ``emu-stuck``, ``emu-empty``,
``emu-redirect``, ``emu-error-<code>`` for provider error codes, and the
gateway scenarios of :mod:`.gateway`: ``emu-inline``, ``emu-proxy``,
``emu-blank-model``, ``emu-refused-<upstream>``), a fake
CDN with signed expiring URLs, Range downloads and a request log.

Run it with ``videogen-emulator`` (or ``python -m videogen_emulator``) or in-process::

    from videogen_emulator import Emulator
    with Emulator(task_seconds=1) as emu:
        print(emu.base_url, emu.cdn_url)
"""

__version__ = "0.1.0"

from .app import Emulator  # noqa: E402 - __version__ first, for packaging tools that read it

__all__ = ["Emulator", "__version__"]
