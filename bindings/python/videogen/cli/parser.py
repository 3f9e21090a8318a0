"""The command line's arguments (standard-library argparse)."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from .. import __version__
from .failures import ExitStatus

EPILOG = f"""\
The API key is read from the environment: $VIDEOGEN_API_KEY, or the variable named by --api-key-env.
--provider, --dialect and --base-url default to $VIDEOGEN_PROVIDER, $VIDEOGEN_DIALECT and $VIDEOGEN_BASE_URL.

exit status: {", ".join(f"{s.value} {s.name.lower().replace('_', ' ')}" for s in ExitStatus)}
"""


def key_value(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` with VALUE parsed as JSON when it is JSON (``seed=42``, ``watermark=false``), else text."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key.strip(), json.loads(value)
    except ValueError:
        return key.strip(), value


def positive_float(text: str) -> float:
    """A number of seconds greater than zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def output_index(text: str) -> int:
    """The index of one of a task's videos: an integer from 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an output index (0, 1, ...), got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an output index of 0 or more, got {text!r}")
    return value


def _connection(parser: argparse.ArgumentParser, required_hint: str) -> None:
    group = parser.add_argument_group("service", required_hint)
    group.add_argument("--provider", metavar="NAME", default=os.environ.get("VIDEOGEN_PROVIDER"),
                       help="provider preset name")
    group.add_argument("--dialect", metavar="D", default=os.environ.get("VIDEOGEN_DIALECT"),
                       help="wire dialect, e.g. openai, unified, kling")
    group.add_argument("--base-url", metavar="URL", default=os.environ.get("VIDEOGEN_BASE_URL"),
                       help="the service's root URL")
    group.add_argument("--api-key-env", metavar="VAR",
                       help="environment variable holding the API key (default: VIDEOGEN_API_KEY)")
    group.add_argument("--api-key", metavar="KEY",
                       help="the API key itself (discouraged: visible in the process list)")
    group.add_argument("--option", metavar="KEY=VALUE", type=key_value, action="append", default=[],
                       help='client setting, VALUE as JSON, e.g. request_timeout=60 or \'poll={"interval": 2}\'')


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the final task snapshot as JSON on stdout")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress display")


def build_parser() -> argparse.ArgumentParser:
    """The ``videogen`` parser with its subcommands."""
    parser = argparse.ArgumentParser(
        prog="videogen", description="Generate videos with video-generation services, from the shell.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"videogen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    service_hint = "--provider NAME, or --dialect and --base-url"

    generate = commands.add_parser(
        "generate", help="submit a request, wait with progress, download the video",
        description="Submit a generation request, show its progress, download the video and print its path.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _connection(generate, service_hint)
    request = generate.add_argument_group("request")
    request.add_argument("--model", "-m", required=True, help="the model, e.g. sora-2")
    request.add_argument("--prompt", "-p", required=True, help="what the video shows")
    request.add_argument("--image", metavar="PATH|URL", help="reference image: a local file or an http(s) URL")
    request.add_argument("--duration", metavar="S", type=int, help="length in whole seconds")
    request.add_argument("--size", metavar="WxH", help="frame size, e.g. 1280x720")
    request.add_argument("--aspect-ratio", metavar="R", help="e.g. 16:9")
    request.add_argument("--negative-prompt", metavar="T", help="what the video should avoid")
    request.add_argument("--param", metavar="KEY=VALUE", type=key_value, action="append", default=[],
                         help="another request field (seed=42, resolution=720p, ...); names the unified request "
                              "does not know are sent to the provider verbatim (extra)")
    generate.add_argument("--output", "-o", required=True, metavar="FILE", help="where to save the video")
    generate.add_argument("--timeout", metavar="S", type=positive_float,
                          help="give up waiting after S seconds (default: the client's wait_timeout)")
    generate.add_argument("--record", metavar="FILE",
                          help="keep the task's record in FILE (written after the submit and at the end)")
    _output(generate)

    status = commands.add_parser("status", help="show the status of tasks",
                                 description="Poll tasks once and print their status, one line each.")
    _connection(status, "--dialect and --base-url (or a provider preset that sets them)")
    status.add_argument("task_ids", metavar="TASK_ID", nargs="+")
    status.add_argument("--json", action="store_true", help="print each task's snapshot as one JSON line")

    download = commands.add_parser("download", help="download a task's video (waiting for it if need be)",
                                   description="Download the video of a task, waiting for it first if it is "
                                               "still running.")
    _connection(download, "--dialect and --base-url (or a provider preset that sets them)")
    download.add_argument("task_id", metavar="TASK_ID")
    download.add_argument("--output", "-o", required=True, metavar="FILE")
    download.add_argument("--timeout", metavar="S", type=positive_float)
    _output(download)

    download.add_argument("--variant", choices=("video", "thumbnail", "spritesheet"), default="video",
                          help="what to download: the video (default), or the thumbnail or spritesheet image that "
                               "the openai dialect serves (Vidu: its cover, as the thumbnail)")
    download.add_argument("--output-index", type=output_index, default=0, metavar="N",
                          help="which of the task's videos to download when it made several (0-based; 0 is the "
                               "video)")

    listing = commands.add_parser("list", help="list the videos the service keeps (openai dialect)",
                                  description="List the videos the service keeps, one line each (id, state, "
                                              "progress, model), newest first unless --order asc. The openai "
                                              "dialect only (GET /v1/videos).")
    _connection(listing, "--dialect and --base-url (or a provider preset that sets them)")
    listing.add_argument("--after", metavar="ID", help="start after this video (the last id of the previous page)")
    listing.add_argument("--limit", metavar="N", type=int, help="videos per page, 1 to 100 (default: the service's)")
    listing.add_argument("--order", choices=("asc", "desc"), help="oldest (asc) or newest (desc) first")
    listing.add_argument("--all", action="store_true", help="follow the pages to the end")
    listing.add_argument("--json", action="store_true", help="print each video's record as one JSON line")

    delete = commands.add_parser("delete", help="delete videos on the service (openai dialect)",
                                 description="Delete finished videos and their assets on the service "
                                             "(DELETE /v1/videos/{id}); prints the id of each one deleted.")
    _connection(delete, "--dialect and --base-url (or a provider preset that sets them)")
    delete.add_argument("task_ids", metavar="TASK_ID", nargs="+")

    remix = commands.add_parser("remix", help="remake a finished video with a new prompt (openai dialect)",
                                description="Remix a finished video (POST /v1/videos/{id}/remix): prints the new "
                                            "task's id, or with --output waits for it and downloads its video.")
    _connection(remix, "--dialect and --base-url (or a provider preset that sets them)")
    remix.add_argument("task_id", metavar="TASK_ID", help="the finished video to remix")
    remix.add_argument("--prompt", "-p", required=True, help="what the remix should show")
    remix.add_argument("--output", "-o", metavar="FILE", help="wait for the remix and save its video here")
    remix.add_argument("--timeout", metavar="S", type=positive_float)
    remix.add_argument("--record", metavar="FILE", help="keep the new task's record in FILE")
    _output(remix)

    resume = commands.add_parser("resume", help="resume a task from its record: wait, then download",
                                 description="Go on with a task from its saved record (as printed on Ctrl-C or "
                                             "kept by --record): wait for it and download its video.")
    _connection(resume, "taken from the record unless given")
    resume.add_argument("record", metavar="RECORD.json", help="the record file ('-' for standard input)")
    resume.add_argument("--output", "-o", metavar="FILE",
                        help="where to save the video (default: the record's last download, else TASK_ID.mp4)")
    resume.add_argument("--timeout", metavar="S", type=positive_float)
    _output(resume)

    from .webhook_serve import add_parser as add_webhook
    add_webhook(commands, _connection, EPILOG)

    commands.add_parser("emulator", add_help=False,
                        help="run the loopback provider emulator (when videogen-emulator is installed)",
                        description="Run the loopback emulator (options as for videogen-emulator).")
    return parser
