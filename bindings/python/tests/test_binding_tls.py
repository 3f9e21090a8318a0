"""TLS: verification is always on (a self-signed server is refused with VG_E_INSECURE), a private CA is trusted
only through `ca_file`, and the key never reaches a server that failed verification."""

from __future__ import annotations

import http.server
import json
import shutil
import ssl
import subprocess
import threading

import pytest

import videogen
from videogen import ErrorCode

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")

KEY = "sk-tls-test-key"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate file, key file)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.authorizations.append(self.headers.get("Authorization"))
        body = json.dumps({"id": "video_tls", "object": "video", "status": "in_progress", "progress": 40}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def tls_server(certificate):
    cert, key = certificate
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.authorizations = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_self_signed_server_is_refused(tls_server):
    server, url = tls_server
    with videogen.Client(dialect="openai", base_url=url, api_key=KEY) as client:
        with pytest.raises(videogen.VideoGenError) as raised:
            client.retrieve("video_tls")
    assert raised.value.code == ErrorCode.INSECURE
    assert KEY not in str(raised.value)
    assert server.authorizations == [], "no request reached a server that failed verification"


def test_private_ca_is_trusted_through_ca_file(tls_server, certificate):
    server, url = tls_server
    with videogen.Client(dialect="openai", base_url=url, api_key=KEY, ca_file=str(certificate[0])) as client:
        task = client.retrieve("video_tls")
        assert task.progress == 40
        task.poll()
    assert server.authorizations == [f"Bearer {KEY}"] * 2


def test_unreadable_ca_file_is_refused_by_name(tmp_path):
    with pytest.raises(videogen.InvalidArgumentError, match="ca_file"):
        videogen.Client(dialect="openai", base_url="https://127.0.0.1:9", api_key=KEY, ca_file=str(tmp_path / "none.pem"))
