"""The ``videogen`` command line: ``videogen generate|status|download|resume|list|delete|remix|webhook|emulator``.

Run ``videogen --help`` (or ``python -m videogen --help``) for the options; :func:`main` is the entry point.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from .._loader import LibraryError
from ..errors import VideoGenError
from . import commands
from .failures import ExitStatus, describe, exit_status
from .parser import build_parser

__all__ = ["ExitStatus", "main"]


def _interrupted(error: commands.Interrupted, args: object, stdout: TextIO, stderr: TextIO) -> int:
    task = error.task
    print(file=stderr)
    if task is None or not task.id:
        print("videogen: interrupted before the service answered the submit; a task may or may not have been "
              "created", file=stderr)
        return ExitStatus.INTERRUPTED
    record_file = getattr(args, "record", None)
    print(json.dumps(task.record(), indent=2), file=stdout)
    stdout.flush()
    where = record_file or "RECORD.json (the record above)"
    print(f"videogen: interrupted; task {task.id} keeps running on the service. Resume it with: "
          f"videogen resume {where}", file=stderr)
    return ExitStatus.INTERRUPTED


#: What ``videogen emulator`` prints when the emulator's package is not installed.
EMULATOR_MISSING = ("videogen emulator: the emulator (package videogen-emulator) is not installed; install it from "
                    "the videogen repository: pip install ./emulator (or the videogen_emulator wheel of `make wheel`)")


def _emulator(argv: list[str], stderr: TextIO) -> int:
    """``videogen emulator ...``: runs the loopback emulator (package ``videogen_emulator``) when it is installed."""
    try:
        import videogen_emulator  # noqa: F401 - only to tell "not installed" from an error inside it
    except ModuleNotFoundError as exc:
        if exc.name != "videogen_emulator":
            raise
        print(EMULATOR_MISSING, file=stderr)
        return ExitStatus.ERROR
    from videogen_emulator.__main__ import main as emulator_main
    return emulator_main(argv, prog="videogen emulator")


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (see :class:`ExitStatus`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if argv[:1] == ["emulator"]:
        return _emulator(argv[1:], stderr)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed by argparse
        return int(exc.code or 0)
    try:
        if args.command == "status":
            return commands.status(args, stdout, stderr)
        elif args.command == "delete":
            return commands.delete(args, stdout, stderr)
        elif args.command == "list":
            commands.list_videos(args, stdout, stderr)
        elif args.command == "webhook":
            from .webhook_serve import serve
            return serve(args, stdout, stderr)
        else:
            # asyncio.run turns Ctrl-C into the cancellation of the command, which then raises Interrupted.
            runner = {"generate": commands.generate, "download": commands.download, "resume": commands.resume,
                      "remix": commands.remix}
            asyncio.run(runner[args.command](args, stdout, stderr))
    except commands.Interrupted as exc:
        return _interrupted(exc, args, stdout, stderr)
    except commands.UsageError as exc:
        print(f"videogen {args.command}: error: {exc}", file=stderr)
        return ExitStatus.USAGE
    except (VideoGenError, LibraryError) as exc:
        print(f"videogen: error: {describe(exc)}", file=stderr)
        return exit_status(exc)
    except KeyboardInterrupt:
        print("\nvideogen: interrupted", file=stderr)
        return ExitStatus.INTERRUPTED
    except OSError as exc:
        print(f"videogen: error: {exc}", file=stderr)
        return ExitStatus.ERROR
    return ExitStatus.OK
