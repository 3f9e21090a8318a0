"""Command line: ``videogen-emulator [options]`` (or ``python -m videogen_emulator``, ``videogen emulator``).

Prints the API base URL as the first stdout line and ``cdn: <url>`` as the
second, optionally writes the base URL to ``--ready-file``, then serves until
SIGTERM or SIGINT. The API key is never printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sys
import tempfile
import threading

from .app import SERVERS, Emulator, is_loopback
from .settings import AUTH_SCHEMES, CHAT_FORMS, KLING_SHAPES, UNIFIED_SHAPES


def parse_args(argv: list[str] | None = None, prog: str = "videogen-emulator") -> argparse.Namespace:
    """Parse the command line; ``prog`` is the command's name in usage and error messages."""
    p = argparse.ArgumentParser(prog=prog,
                                description="Loopback emulator of video-generation APIs.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="API port (0 = any free port)")
    p.add_argument("--cdn-port", type=int, default=0, help="CDN port (0 = any free port)")
    p.add_argument("--api-key", default=os.environ.get("VIDEOGEN_EMULATOR_KEY") or "sk-emulator",
                   help="expected Bearer key (default: $VIDEOGEN_EMULATOR_KEY or sk-emulator)")
    p.add_argument("--task-seconds", type=float, default=3.0)
    p.add_argument("--task-seconds-spread", type=float, default=0.0,
                   help="each task lasts --task-seconds plus a random extra of up to this many seconds")
    p.add_argument("--unified-shape", choices=UNIFIED_SHAPES, default="envelope")
    p.add_argument("--kling-shape", choices=KLING_SHAPES, default="envelope",
                   help="answers of /kling/v1/videos/...: Kling's envelope or the gateway's flat shape")
    p.add_argument("--chat-form", choices=CHAT_FORMS, default="markdown",
                   help="how chat completions carry the video link")
    p.add_argument("--www-authenticate", choices=AUTH_SCHEMES, default="Bearer")
    p.add_argument("--poll-after-ms", type=int, default=None)
    p.add_argument("--server-address", default=None,
                   help="the address the emu-proxy scenario names its content route under, as new-api's server "
                        "address (default: this API origin under its other loopback name)")
    p.add_argument("--ready-file", help="write the base URL here once listening")
    p.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    p.add_argument("--server", choices=SERVERS, default=SERVERS[0],
                   help="server engine: one asyncio event loop (default) or a thread per connection")
    p.add_argument("--no-request-log", dest="request_log", action="store_false",
                   help="keep requests out of /_emulator/requests (they are still counted in /_emulator/stats)")
    p.add_argument("--webhook-url", default=None,
                   help="where OpenAI-style callbacks go (Kling, new-api, OpenRouter, Vidu, Luma, Ark and MiniMax "
                        "tasks use their request's callback_url)")
    p.add_argument("--webhook-scheme", default="standard_webhooks",
                   help="how callbacks are signed: standard_webhooks, fal, vidu, openrouter or unsigned (OpenRouter, "
                        "Vidu, Luma, Ark and MiniMax routes sign as their provider does)")
    p.add_argument("--webhook-secret", default=os.environ.get("VIDEOGEN_EMULATOR_WEBHOOK_SECRET"),
                   help="the signing secret (whsec_... for standard_webhooks; OpenRouter's workspace secret; Vidu "
                        "signs with the API key); default $VIDEOGEN_EMULATOR_WEBHOOK_SECRET")
    p.add_argument("--webhook-duplicates", type=int, default=0, help="extra identical deliveries of each callback")
    p.add_argument("--webhook-mode", default="normal", help="normal, forged, tampered, stale or replayed")
    p.add_argument("--verbose", action="store_true", help="log method, path and status to stderr")
    return p.parse_args(argv)


def write_ready_file(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file in the same folder, then rename)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ready-", dir=folder)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _remove_ready_file(path: str, url: str) -> None:
    """Remove the ready file on exit if it still names this run, so no reader finds a stale URL."""
    try:
        with open(path) as f:
            if f.read().strip() == url:
                os.unlink(path)
    except OSError:
        pass


def raise_open_files_limit() -> None:
    """Lift the soft limit on open files to the hard one: each client connection is a file descriptor, and a
    benchmark keeps thousands open (the usual soft limit is 1,024)."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 1 << 20, hard))
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None, prog: str = "videogen-emulator") -> int:
    """Run the emulator until SIGTERM/SIGINT; returns the exit status. ``prog`` names the command in messages."""
    args = parse_args(argv, prog)
    raise_open_files_limit()
    if not args.allow_remote and not is_loopback(args.host):
        print(f"error: refusing to bind to non-loopback host {args.host!r} "
              "(pass --allow-remote to override)", file=sys.stderr)
        return 2
    stop = threading.Event()
    # A parent that spawns us from a thread with signals blocked (libdispatch worker threads do) passes that mask
    # on; unblock the stop signals or SIGTERM would never reach the handler.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        emu = Emulator(api_key=args.api_key, task_seconds=args.task_seconds,
                       task_seconds_spread=args.task_seconds_spread,
                       unified_shape=args.unified_shape, host=args.host, port=args.port,
                       cdn_port=args.cdn_port, www_authenticate=args.www_authenticate,
                       poll_after_ms=args.poll_after_ms, kling_shape=args.kling_shape,
                       chat_form=args.chat_form, server_address=args.server_address,
                       allow_remote=args.allow_remote,
                       verbose=args.verbose, server=args.server, request_log=args.request_log)
        emu.webhooks.configure(url=args.webhook_url, scheme=args.webhook_scheme, secret=args.webhook_secret,
                               duplicates=args.webhook_duplicates, mode=args.webhook_mode)
        emu.start()
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    emu_url = emu.base_url
    try:
        print(emu_url, flush=True)
        print(f"cdn: {emu.cdn_url}", flush=True)
        if args.ready_file:
            write_ready_file(args.ready_file, emu_url)
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
        if args.ready_file:
            _remove_ready_file(args.ready_file, emu_url)
    return 0


def console_main() -> None:
    """Entry point of the ``videogen-emulator`` console script."""
    sys.exit(main())


if __name__ == "__main__":
    sys.exit(main(prog="python -m videogen_emulator"))
