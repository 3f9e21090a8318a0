"""The emulator's callbacks (videogen_emulator.webhooks): its control route, its command-line options, and what
each mode sends, checked with the reference Standard Webhooks implementation on a plain receiver."""

from __future__ import annotations

import base64
import http.server
import json
import threading

import standardwebhooks

from conftest import API_KEY, get, post_json
from videogen_emulator.__main__ import parse_args

SECRET = "whsec_" + base64.b64encode(b"emulator-sender-secret-01234567").decode()


class Sink:
    """A receiver that records each POST (headers, body) and answers ``status``."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.posts: list[tuple[dict[str, str], bytes]] = []
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sink.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(sink.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def close(self) -> None:
        self.server.shutdown()


def submit_openai(emu) -> str:
    from conftest import form
    body, content_type = form({"model": "sora-2", "prompt": "a fox"})
    from conftest import call
    reply = call("POST", f"{emu.base_url}/v1/videos", body,
                 {"Authorization": f"Bearer {API_KEY}", "Content-Type": content_type})
    assert reply.status == 200, reply.body
    return reply.json()["id"]


def test_control_route_configures_and_lists(emu):
    reply = post_json(f"{emu.base_url}/_emulator/webhooks", {"secret": SECRET, "duplicates": 1}, headers={})
    assert reply.status == 200 and "secret" not in reply.json() and reply.json()["duplicates"] == 1
    assert post_json(f"{emu.base_url}/_emulator/webhooks", {"colour": "red"}, headers={}).status == 400
    assert post_json(f"{emu.base_url}/_emulator/webhooks", {"mode": "nope"}, headers={}).status == 400
    assert get(f"{emu.base_url}/_emulator/webhooks").json() == {"deliveries": []}


def test_openai_event_signed_retried_and_duplicated(emu):
    sink = Sink(status=503)
    try:
        emu.webhooks.configure(url=sink.url, secret=SECRET, retries=1, duplicates=2, retry_delay=0.01)
        task_id = submit_openai(emu)
        deliveries = emu.webhooks.wait_deliveries(2, timeout=30)
        assert [d["status"] for d in deliveries] == [503, 503]          # the first attempt and one retry
        sink.status = 204
        task_id = submit_openai(emu)
        deliveries = emu.webhooks.wait_deliveries(5, timeout=30)
        assert [d["mode"] for d in deliveries[2:]] == ["normal", "duplicate", "duplicate"]
        headers, body = sink.posts[-1]
        # The reference implementation accepts what the emulator signed.
        event = standardwebhooks.Webhook(SECRET).verify(body, headers)
        assert event["type"] == "video.completed" and event["data"] == {"id": task_id}
        assert len({h["webhook-id"] for h, _ in sink.posts[2:]}) == 1       # duplicates share their id
    finally:
        sink.close()


def test_modes_break_what_they_say(emu):
    sink = Sink()
    try:
        emu.webhooks.configure(url=sink.url, secret=SECRET, retries=0)
        for mode in ("forged", "tampered", "stale"):
            emu.webhooks.configure(mode=mode)
            submit_openai(emu)
            emu.webhooks.wait_deliveries(len(sink.posts) + 1, timeout=30)
            headers, body = sink.posts[-1]
            try:
                standardwebhooks.Webhook(SECRET).verify(body, headers)
            except standardwebhooks.webhooks.WebhookVerificationError as exc:
                assert ("timestamp" in str(exc).lower()) == (mode == "stale"), (mode, exc)
            else:
                raise AssertionError(f"the {mode} delivery verified")
    finally:
        sink.close()


def test_command_line_options():
    args = parse_args(["--webhook-url", "http://127.0.0.1:9/h", "--webhook-secret", SECRET, "--webhook-duplicates", "2",
                       "--webhook-mode", "stale", "--webhook-scheme", "openrouter"])
    assert (args.webhook_url, args.webhook_secret, args.webhook_duplicates, args.webhook_mode, args.webhook_scheme) \
        == ("http://127.0.0.1:9/h", SECRET, 2, "stale", "openrouter")
    assert json.loads(json.dumps(vars(args), default=str))["webhook_scheme"] == "openrouter"
