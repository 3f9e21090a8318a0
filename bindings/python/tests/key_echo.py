"""A service that repeats the API key it was sent in its own words about tasks (issue 11, point 8), for the canary
tests: a failure's reason and provider code, the model name, a chat reply, the video's ETag, and a task id.

It speaks the ``openai`` and ``chat`` dialects just enough:

- ``POST /v1/videos`` answers a queued task: ``video_fail`` by default, ``video_etag`` when the request mentions
  ``etag``, and ``video_<key>`` (an id that holds the key) when it mentions ``key-in-id``; the model is
  ``sora-<key>``;
- ``GET /v1/videos/video_fail`` says the task failed, with the key in the reason, the code and the model;
- ``GET /v1/videos/video_etag`` says it completed; its ``/content`` answers 200 with ``ETag: "<key>"`` and
  ``Content-Length: 1000``, sends 400 bytes and closes: a dropped download whose validator holds the key;
- ``POST /v1/chat/completions`` answers a reply without a video link that quotes the key.
"""

from __future__ import annotations

import http.server
import json
import threading


class KeyEchoHandler(http.server.BaseHTTPRequestHandler):
    """One request of the key-echoing service."""

    def _key(self) -> str:
        return (self.headers.get("Authorization") or "").removeprefix("Bearer ")

    def _json(self, status: int, document: dict) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self._key()
        if self.path == "/v1/chat/completions":
            self._json(200, {"id": "chatcmpl-echo", "object": "chat.completion", "model": "veo-" + key,
                             "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                 "role": "assistant", "content": f"No video: the key {key} may not use this model."}}]})
            return
        task_id = "video_" + key if b"key-in-id" in body else "video_etag" if b"etag" in body else "video_fail"
        self._json(200, {"id": task_id, "object": "video", "status": "queued", "model": "sora-" + key})

    def do_GET(self) -> None:
        key = self._key()
        if self.path == "/v1/videos/video_fail":
            self._json(200, {"id": "video_fail", "object": "video", "status": "failed", "model": "sora-" + key,
                             "error": {"code": "refused_" + key,
                                       "message": f"the key {key} may not generate this video"}})
        elif self.path == "/v1/videos/video_etag":
            self._json(200, {"id": "video_etag", "object": "video", "status": "completed", "model": "sora-" + key})
        elif self.path == "/v1/videos/video_etag/content":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", "1000")
            self.send_header("ETag", f'"{key}"')
            self.end_headers()
            self.wfile.write(b"\0" * 400)
            self.close_connection = True
        else:
            self._json(404, {"error": {"message": "no such video", "code": "video_not_found"}})

    def log_message(self, *args) -> None:
        pass


class KeyEcho:
    """The service on a loopback port, in a ``with`` block; ``base_url`` while it runs."""

    def __enter__(self) -> "KeyEcho":
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), KeyEchoHandler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
