"""Proxies: the `proxy` setting and the standard environment variables route every request through a forward
proxy (absolute-form request lines), and `proxy: ""` turns the environment's off."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import urllib.request

import pytest

from conftest import API_KEY

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class RecordingProxy(http.server.ThreadingHTTPServer):
    """A forward proxy for plain http on loopback: records each request line and forwards it."""

    def __init__(self):
        self.lines: list[str] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _forward(self):
        self.server.lines.append(f"{self.command} {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection", "connection")}
        request = urllib.request.Request(self.path, data=body, method=self.command, headers=headers)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            answer = opener.open(request, timeout=10)
            status, answer_headers, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, payload = error.code, error.headers, error.read()
        self.send_response(status)
        for name, value in answer_headers.items():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _forward


SCRIPT = """
import sys, json, videogen
options = json.loads(sys.argv[3])
with videogen.Client(dialect='openai', base_url=sys.argv[1], api_key=sys.argv[2], **options) as client:
    task = client.submit(model='sora-2', prompt='through a proxy')
    task.wait(timeout=30)
    print(task.state)
"""


def run(base_url: str, options: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.run([sys.executable, "-c", SCRIPT, base_url, API_KEY, options], capture_output=True, text=True,
                          timeout=60, env={**clean, "PYTHONPATH": PYTHON_DIR, **environment})


@pytest.fixture
def proxy():
    server = RecordingProxy()
    yield server
    server.shutdown()


def test_proxy_setting_routes_every_request(emu, proxy):
    emulator = emu
    done = run(emulator.base_url, f'{{"proxy": "{proxy.url}"}}', {})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("succeeded")
    assert proxy.lines and proxy.lines[0] == f"POST {emulator.base_url}/v1/videos"
    assert all(line.split(" ", 1)[1].startswith(emulator.base_url) for line in proxy.lines), proxy.lines
    assert any(line.startswith("GET ") for line in proxy.lines)


def test_environment_proxy_applies_and_empty_setting_turns_it_off(emu, proxy):
    emulator = emu
    done = run(emulator.base_url, "{}", {"http_proxy": proxy.url})
    assert done.returncode == 0, done.stderr[-2000:]
    through = len(proxy.lines)
    assert through >= 2, "the environment's http_proxy was used"
    done = run(emulator.base_url, '{"proxy": ""}', {"http_proxy": proxy.url})
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(proxy.lines) == through, "proxy \"\" bypasses the environment's proxy"
    done = run(emulator.base_url, "{}", {"http_proxy": proxy.url, "NO_PROXY": "127.0.0.1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(proxy.lines) == through, "NO_PROXY is honoured"
