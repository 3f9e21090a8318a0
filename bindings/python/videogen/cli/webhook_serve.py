"""``videogen webhook serve``: listen for a provider's callbacks, verify each, apply it, and download the video of
every task a callback says ended (through the ordinary download path)."""

from __future__ import annotations

import argparse
import json
import os
import queue
import threading
from typing import Any, TextIO

from ..errors import VideoGenError
from ..state import State
from ..webhook_server import WebhookReceiver
from .commands import UsageError, id_record, make_client

#: Where the webhook secret is read from unless --secret-env names another variable.
SECRET_VARIABLE = "VIDEOGEN_WEBHOOK_SECRET"


def verifier_document(args: argparse.Namespace) -> dict[str, Any]:
    """The library's verifier document from the command line (the secret from the environment, never argv)."""
    document: dict[str, Any] = {"scheme": args.scheme}
    if args.scheme in ("standard_webhooks", "vidu", "openrouter"):
        variable = args.secret_env or SECRET_VARIABLE
        secret = os.environ.get(variable)
        if not secret:
            raise UsageError(f"the {args.scheme} scheme needs its secret in ${variable}")
        document["secret"] = secret
    elif args.scheme == "fal":
        if not args.jwks:
            raise UsageError("the fal scheme needs --jwks FILE (fal's /.well-known/jwks.json document)")
        with open(args.jwks, encoding="utf-8") as file:
            document["jwks"] = json.load(file)
    if args.accept_unsigned:
        if args.scheme != "unsigned":
            raise UsageError("--accept-unsigned applies to --scheme unsigned only")
        document["accept_unsigned"] = True
    if args.tolerance is not None:
        document["tolerance"] = args.tolerance
    if args.max_body_bytes is not None:
        document["max_body_bytes"] = args.max_body_bytes
    return document


def serve(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Runs the receiver until ``--count`` videos were downloaded (or forever, until Ctrl-C)."""
    verifier = verifier_document(args)
    os.makedirs(args.output_dir, exist_ok=True)
    lock = threading.Lock()
    handled: set[str] = set()
    results: queue.Queue[dict[str, Any]] = queue.Queue()

    with make_client(args, stderr, need_location=True) as client:
        def finish(task_id: str) -> None:
            """Read the task (one poll), wait for it when the callback came early, download its video."""
            line: dict[str, Any] = {"task_id": task_id}
            try:
                with client.resume(id_record(task_id)) as task:
                    task.poll()
                    if not task.done:
                        task.wait(timeout=args.timeout)
                    line["state"] = task.state.value
                    if task.state == State.SUCCEEDED:
                        path = os.path.join(args.output_dir, f"{task_id}.mp4")
                        task.download(path)
                        line["path"] = path
                    elif task.error is not None:
                        line["error"] = task.error.message
            except VideoGenError as exc:
                line["error"] = str(exc)
            results.put(line)

        def accepted(verdict) -> None:
            details = verdict.details
            print(f"videogen webhook: {details.get('kind')} {details.get('task_id')}"
                  + (f" ({details['state']})" if "state" in details else ""), file=stderr, flush=True)
            task_id = details.get("task_id")
            if not task_id or details.get("kind") == "duplicate":
                return
            with lock:
                if task_id in handled:
                    return
                handled.add(task_id)
            threading.Thread(target=finish, args=(task_id,), daemon=True).start()

        def refused(target: str, verdict) -> None:
            print(f"videogen webhook: refused {target}: {verdict.reason}: {verdict.message}", file=stderr, flush=True)

        with WebhookReceiver(client, verifier, host=args.host, port=args.port, on_accepted=accepted,
                             on_refused=refused) as receiver:
            print(receiver.url, file=stdout, flush=True)
            done = 0
            failed = False
            while args.count is None or done < args.count:
                line = results.get()
                print(json.dumps(line), file=stdout, flush=True)
                done += 1
                failed = failed or "path" not in line
    return 1 if failed else 0


def add_parser(commands: Any, connection: Any, epilog: str) -> None:
    """Adds ``webhook serve`` to the command line's subcommands."""
    webhook = commands.add_parser("webhook", help="receive providers' callbacks (webhook serve)",
                                  description="Receive providers' signed callbacks.")
    actions = webhook.add_subparsers(dest="webhook_command", metavar="ACTION", required=True)
    serve_parser = actions.add_parser(
        "serve", help="listen for callbacks, verify and apply them, download finished videos",
        description="Listen on a port for a provider's callbacks; verify each (refusals are logged with their "
                    "reason and answered 401/400), apply it to the task it names, and download the video of each "
                    "task that ended into --output-dir. Prints the listening URL, then one JSON line per task.",
        epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    connection(serve_parser, "--dialect and --base-url (or a provider preset that sets them)")
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve_parser.add_argument("--port", type=int, default=0, help="port (default: any free port, printed)")
    serve_parser.add_argument("--scheme", required=True,
                              choices=("standard_webhooks", "fal", "vidu", "openrouter", "unsigned"),
                              help="how the provider signs: standard_webhooks (OpenAI, Replicate, Gemini API), fal, "
                                   "vidu, openrouter, or unsigned (Kling, Luma)")
    serve_parser.add_argument("--secret-env", metavar="VAR",
                              help=f"environment variable holding the webhook secret (default: {SECRET_VARIABLE})")
    serve_parser.add_argument("--jwks", metavar="FILE", help="fal's JWKS document (fal scheme)")
    serve_parser.add_argument("--accept-unsigned", action="store_true",
                              help="take unsigned callbacks as hints to poll (never trusted for the result)")
    serve_parser.add_argument("--tolerance", type=float, metavar="S", help="timestamp tolerance (default 300 s)")
    serve_parser.add_argument("--max-body-bytes", type=int, metavar="N", help="body cap (default 1 MiB)")
    serve_parser.add_argument("--output-dir", "-d", default=".", metavar="DIR", help="where videos go (TASK_ID.mp4)")
    serve_parser.add_argument("--count", type=int, metavar="N", help="exit after N tasks were handled")
    serve_parser.add_argument("--timeout", type=float, metavar="S", help="how long to wait for a task that has not ended")
