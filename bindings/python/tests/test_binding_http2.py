"""HTTP/2 over TLS where the server offers it: many polls multiplexed over few connections (nginx on loopback with a
certificate of a private CA, trusted through `ca_file`)."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

import videogen

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
KEY = "sk-h2-test-key"
STATUS = b'{"id":"video_h2","object":"video","status":"in_progress","progress":10}'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx_h2(tmp_path):
    if NGINX is None:
        pytest.fail("nginx is needed (Debian's nginx; .ci/run installs it)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    port = free_port()
    log = tmp_path / "access.log"
    (tmp_path / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 256; }}
http {{
    log_format h2 '$server_protocol $connection $request_uri $http_authorization';
    access_log {log} h2;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    default_type application/json;
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        http2_max_requests 100000;
        keepalive_requests 100000;
        location = /v1/videos/video_h2 {{ return 200 '{STATUS.decode()}'; }}
    }}
}}
""")
    process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()[-1000:]}")
            time.sleep(0.05)
    yield f"https://127.0.0.1:{port}", str(cert), log
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)


def test_polls_are_multiplexed_over_http2(nginx_h2):
    url, ca_file, log = nginx_h2
    polls = 300

    # 50 threads poll at once: without multiplexing that is up to 16 connections (the per-host limit).
    with videogen.Client(dialect="openai", base_url=url, api_key=KEY, ca_file=ca_file) as client:
        tasks = [client.resume({"record_version": 1, "id": "video_h2", "state": "queued"}) for _ in range(polls)]
        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            progress = list(pool.map(lambda task: task.poll().progress, tasks))
    assert progress == [10] * polls
    lines = [line.split(" ") for line in log.read_text().splitlines()]
    assert len(lines) == polls
    assert all(fields[0] == "HTTP/2.0" for fields in lines), lines[:3]
    assert all(fields[3:] == ["Bearer", KEY] for fields in lines), lines[:3]
    connections = {fields[1] for fields in lines}
    print(f"{polls} polls over {len(connections)} connection(s)")
    assert len(connections) <= 4, f"{polls} polls over {len(connections)} connections"
