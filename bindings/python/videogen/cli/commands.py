"""The subcommands of ``videogen``: generate, status, download, resume, list, delete, remix (``emulator`` is
delegated)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from ..client import Client, minimal_record
from ..errors import InvalidArgumentError, VideoGenError
from ..request import RequestFields
from ..task import Task
from .progress import ProgressDisplay

KEY_VARIABLE = "VIDEOGEN_API_KEY"


#: Vertex AI's credential options; given one of them, the key variable is not read.
GOOGLE_CREDENTIALS = frozenset(("access_token", "access_token_env", "service_account_file"))


class UsageError(Exception):
    """A command line that cannot work (exit status 2)."""


class Interrupted(Exception):
    """Ctrl-C stopped a command; ``task`` is the task left running on the service, if any."""

    def __init__(self, task: Task | None) -> None:
        super().__init__("interrupted")
        self.task = task


def make_client(args: argparse.Namespace, stderr: TextIO, *, dialect: str | None = None,
                base_url: str | None = None, need_location: bool = False) -> Client:
    """The client the connection options describe (``dialect``/``base_url`` fill in what they leave out)."""
    dialect = args.dialect or dialect
    base_url = args.base_url or base_url
    if not args.provider and not (dialect and base_url):
        raise UsageError("give --provider NAME, or --dialect and --base-url (or set VIDEOGEN_PROVIDER, "
                         "VIDEOGEN_DIALECT and VIDEOGEN_BASE_URL)")
    if need_location and not (dialect and base_url):
        raise UsageError("this command needs --dialect and --base-url to find a task by its id")
    api_key: str | None = None
    api_key_env: str | None = None
    if args.api_key is not None:
        print("videogen: warning: --api-key shows the key to every user of this machine (process list, shell "
              f"history); prefer ${KEY_VARIABLE} or --api-key-env VAR", file=stderr)
        api_key = args.api_key
    options: dict[str, Any] = dict(args.option)
    if args.api_key is None and (args.api_key_env is not None or not GOOGLE_CREDENTIALS.intersection(options)):
        # Vertex AI's own credential options (--option service_account_file=...) replace the key.
        api_key_env = args.api_key_env or KEY_VARIABLE
    return Client(provider=args.provider, dialect=dialect, base_url=base_url, api_key=api_key,
                  api_key_env=api_key_env, **options)


def request_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The request's optional fields from the generate options; unknown ``--param`` names go to ``extra``."""
    fields: dict[str, Any] = {
        "image": args.image, "duration": args.duration, "size": args.size,
        "aspect_ratio": args.aspect_ratio, "negative_prompt": args.negative_prompt,
    }
    known = set(RequestFields.__annotations__)
    extra: dict[str, Any] = {}
    for key, value in args.param:
        if key in ("model", "prompt"):
            raise UsageError(f"use --{key}, not --param {key}=...")
        if key in known and key != "extra":
            fields[key] = value
        else:
            extra[key] = value
    if extra:
        fields["extra"] = extra
    return {k: v for k, v in fields.items() if v is not None}


def write_json_file(path: str, document: Mapping[str, Any]) -> None:
    """Write ``document`` to ``path`` atomically (a temporary file beside it, then a rename)."""
    target = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent.resolve())
    try:
        with os.fdopen(fd, "w") as file:
            json.dump(document, file, indent=2)
            file.write("\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def print_result(task: Task, args: argparse.Namespace, stdout: TextIO) -> None:
    """The command's result on stdout: the video's path, or the final snapshot with ``--json``."""
    if args.json:
        print(json.dumps(task.record(), indent=2), file=stdout)
    elif task.file is not None:
        print(task.file.path, file=stdout)


async def _finish(task: Task, output: str, args: argparse.Namespace, display: ProgressDisplay | None,
                  record_file: str | None = None) -> None:
    """Wait for the task (unless it is done), then download its video (or ``args.variant``); keep ``record_file``
    current."""
    try:
        if not task.done:
            await task.wait_async(timeout=args.timeout, on_progress=display)
        elif task.error is not None:
            raise task.error        # ended unsuccessfully already (a chat reply without a video): say why
        if display is not None:
            display.finish()
        variant = getattr(args, "variant", "video")
        index = getattr(args, "output_index", 0) or 0
        if index:  # one of several videos: a blocking call, like the stills
            task.download(output, on_progress=display, variant=variant, output=index)
        elif variant == "video":
            await task.download_async(output, on_progress=display)
        else:  # the stills are small: a blocking call
            task.download(output, on_progress=display, variant=variant)
    finally:
        if display is not None:
            display.finish()
        if record_file and task.id:
            write_json_file(record_file, task.record())


def _display(args: argparse.Namespace, stderr: TextIO) -> ProgressDisplay | None:
    return None if getattr(args, "quiet", False) else ProgressDisplay(stderr)


async def generate(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> None:
    """``videogen generate``: submit, wait with progress, download, print the path."""
    fields = request_fields(args)
    with make_client(args, stderr) as client:
        task: Task | None = None
        try:
            task = await client.submit_async(model=args.model, prompt=args.prompt, **fields)
            if args.record:
                write_json_file(args.record, task.record())
            display = _display(args, stderr)
            if display is not None:
                print(f"task {task.id}", file=stderr)
            await _finish(task, args.output, args, display, args.record)
        except asyncio.CancelledError:
            raise Interrupted(task) from None
        print_result(task, args, stdout)


async def download(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> None:
    """``videogen download TASK_ID``: poll, wait if still running, download."""
    with make_client(args, stderr, need_location=True) as client:
        task = client.resume(minimal_record(args.task_id, args.dialect, args.base_url))
        try:
            task.poll()
            await _finish(task, args.output, args, _display(args, stderr))
        except asyncio.CancelledError:
            raise Interrupted(task) from None
        print_result(task, args, stdout)


def _read_record(path: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text()
    except OSError as exc:
        raise UsageError(f"cannot read the record: {exc}") from None
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{path} is not a JSON record: {exc}") from None
    if not isinstance(record, dict):
        raise UsageError(f"{path} is not a JSON record (expected an object)")
    return record


async def resume(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> None:
    """``videogen resume RECORD.json``: go on with a task from its record (wait, then download)."""
    record = _read_record(args.record)
    with make_client(args, stderr, dialect=record.get("dialect"), base_url=record.get("base_url")) as client:
        task = client.resume(record)
        output = args.output
        if output is None:
            previous = task.file
            output = str(previous.path) if previous is not None else f"{task.id}.mp4"
        try:
            task.poll()
            await _finish(task, output, args, _display(args, stderr))
        except asyncio.CancelledError:
            raise Interrupted(task) from None
        print_result(task, args, stdout)


def status(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``videogen status TASK_ID ...``: poll each task once and print a line for it (a task that cannot be read
    gets an error line on stderr, and the others are still shown). Returns the exit status."""
    from .failures import ExitStatus, describe, exit_status

    result = ExitStatus.OK
    with make_client(args, stderr, need_location=True) as client:
        for task_id in args.task_ids:
            try:
                if not task_id:
                    raise InvalidArgumentError("a task id must not be empty")
                with client.resume(minimal_record(task_id, args.dialect, args.base_url)) as task:
                    task.poll()
                    print(json.dumps(task.record()) if args.json else status_line(task), file=stdout)
            except VideoGenError as exc:
                print(f"videogen: error: {task_id}: {describe(exc)}", file=stderr)
                result = exit_status(exc)
    return result


def status_line(task: Task) -> str:
    """``ID<TAB>state[<TAB>NN%][<TAB>queue position N][<TAB>reason]``."""
    line = f"{task.id}\t{task.state.value}"
    if task.progress is not None:
        line += f"\t{task.progress}%"
    if task.queue_position is not None:
        line += f"\tqueue position {task.queue_position}"
    if task.error is not None:
        line += f"\t{task.error.message}"
    return line


def id_record(task_id: str) -> dict[str, Any]:
    """A record naming only a task id: the client's dialect and base URL (a preset's too) fill in the rest."""
    return {"record_version": 1, "id": task_id, "state": "queued"}


def list_videos(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> None:
    """``videogen list``: one line (or JSON record) per video of the page, or of every page with ``--all``; when
    more pages follow, says on stderr how to ask for the next one."""
    with make_client(args, stderr) as client:
        after = args.after
        while True:
            page = client.list_tasks(after=after, limit=args.limit, order=args.order)
            for record in page.records:
                print(json.dumps(record) if args.json else record_line(record), file=stdout)
            if not page.has_more or not page.last_id:
                return
            if not args.all:
                print(f"videogen: more videos follow: --after {page.last_id} (or --all)", file=stderr)
                return
            after = page.last_id


def record_line(record: Mapping[str, Any]) -> str:
    """``ID<TAB>state[<TAB>NN%][<TAB>model][<TAB>remix of ID]`` for a listed video."""
    line = f"{record.get('id')}\t{record.get('state')}"
    if isinstance(record.get("progress"), int):
        line += f"\t{record['progress']}%"
    if record.get("model"):
        line += f"\t{record['model']}"
    if record.get("remixed_from"):
        line += f"\tremix of {record['remixed_from']}"
    return line


def delete(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``videogen delete TASK_ID ...``: delete each video, printing its id; a failure gets an error line on
    stderr and the others are still tried. Returns the exit status."""
    from .failures import ExitStatus, describe, exit_status

    result = ExitStatus.OK
    with make_client(args, stderr) as client:
        for task_id in args.task_ids:
            try:
                if not task_id:
                    raise InvalidArgumentError("a task id must not be empty")
                with client.resume(id_record(task_id)) as task:
                    task.delete_remote()
                print(task_id, file=stdout)
            except VideoGenError as exc:
                print(f"videogen: error: {task_id}: {describe(exc)}", file=stderr)
                result = exit_status(exc)
    return result


async def remix(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> None:
    """``videogen remix TASK_ID -p PROMPT``: start the remix and print its id, or with ``--output`` wait for it
    and download its video (printing the path)."""
    with make_client(args, stderr) as client:
        if not args.task_id:
            raise UsageError("the task id must not be empty")
        with client.resume(id_record(args.task_id)) as source:
            task = source.remix(args.prompt)
        if args.record:
            write_json_file(args.record, task.record())
        if args.output is None:
            print(json.dumps(task.record(), indent=2) if args.json else task.id, file=stdout)
            return
        display = _display(args, stderr)
        if display is not None:
            print(f"task {task.id}", file=stderr)
        try:
            await _finish(task, args.output, args, display, args.record)
        except asyncio.CancelledError:
            raise Interrupted(task) from None
        print_result(task, args, stdout)
