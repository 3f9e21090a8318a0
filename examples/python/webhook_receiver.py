"""A task that finishes on the provider's signed callback instead of polling, with a standard-library receiver.

Submits a request whose callback_url points at a small http.server receiver; every callback is handed, raw, to
Client.apply_webhook, which verifies it (Standard Webhooks here) and ends the wait when it says the task ended. The
wait polls only every 60 s. Then the video is downloaded the ordinary way.

Usage: VIDEOGEN_API_KEY=... VIDEOGEN_WEBHOOK_SECRET=whsec_... python3 webhook_receiver.py BASE_URL OUTPUT.mp4 [DIALECT] [MODEL]
(the unified dialect by default: new-api passes metadata.callback_url on to the upstream provider). Try it against
the emulator: PYTHONPATH=emulator python3 -m videogen_emulator --api-key "$VIDEOGEN_API_KEY"
--webhook-secret "$VIDEOGEN_WEBHOOK_SECRET". A real provider needs a public https URL in front of the receiver.
"""

import http.server
import os
import sys
import threading

import videogen

if len(sys.argv) < 3 or not os.environ.get("VIDEOGEN_WEBHOOK_SECRET"):
    sys.exit(__doc__)
base_url, output = sys.argv[1], sys.argv[2]
dialect = sys.argv[3] if len(sys.argv) > 3 else "unified"
model = sys.argv[4] if len(sys.argv) > 4 else "veo-3"
verifier = {"scheme": "standard_webhooks", "secret": os.environ["VIDEOGEN_WEBHOOK_SECRET"]}
lock = threading.Lock()


def say(line):
    """One whole line at a time: the receiver's thread and the main thread both print."""
    with lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


with videogen.Client(dialect=dialect, base_url=base_url, poll={"interval": 60, "max_interval": 60}) as client:

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 <= length <= 1 << 20:
                self.send_response(413)
                self.end_headers()
                return
            body = self.rfile.read(length)  # the raw bytes: a re-serialized body would not verify
            verdict = client.apply_webhook(verifier, headers=list(self.headers.items()), body=body,
                                           method=self.command, target=self.path)
            say(f"callback {verdict.reason}: {verdict.details.get('kind') or verdict.message}")
            self.send_response(204 if verdict.accepted else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    callback_url = f"http://127.0.0.1:{server.server_address[1]}/hooks/videogen"

    task = client.submit(model=model, prompt="A paper boat drifting down a rainy street", callback_url=callback_url)
    say(f"submitted {task.id}; callbacks to {callback_url}")
    task.wait()  # polls every 60 s; the callback ends it as soon as it is applied
    say(task.state.value)
    task.download(output)
    server.shutdown()
say(f"saved {task.file.path} ({task.file.size} bytes)")
