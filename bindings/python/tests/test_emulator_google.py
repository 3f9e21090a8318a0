"""The emulator's Google routes on the wire: Gemini API and Vertex AI answers and errors, the storage origin's
refusal of credential headers, and the OAuth token endpoint's checks of a service account's JWT."""

from __future__ import annotations

import base64
import json
import subprocess
import time

from conftest import API_KEY, call, get, post_json
from test_emulator import SAMPLE

GEMINI = {"x-goog-api-key": API_KEY}
VERTEX = {"Authorization": f"Bearer {API_KEY}"}
VERTEX_MODEL = "/v1/projects/p1/locations/us-central1/publishers/google/models/veo-3.0-generate-001"


def gemini_submit(emu, body, headers=GEMINI, model="veo-3.0-generate-001"):
    return post_json(f"{emu.base_url}/v1beta/models/{model}:predictLongRunning", body, headers=headers)


def finished(emu, fetch):
    for _ in range(200):
        body = fetch().json()
        if body.get("done"):
            return body
        time.sleep(0.02)
    raise AssertionError("the operation never finished")


def google_error(reply, status, name):
    assert reply.status == status, reply.body
    error = reply.json()["error"]
    assert error["code"] == status and error["status"] == name and error["message"]
    return error


def test_gemini_operation_lifecycle_file_redirect_and_storage(emu):
    reply = gemini_submit(emu, {"instances": [{"prompt": "a fox"}], "parameters": {"aspectRatio": "9:16"}})
    name = reply.json()["name"]
    assert reply.status == 200 and name.startswith("models/veo-3.0-generate-001/operations/")
    assert get(f"{emu.base_url}/v1beta/{name}", headers=GEMINI).json() == {"name": name}
    done = finished(emu, lambda: get(f"{emu.base_url}/v1beta/{name}", headers=GEMINI))
    uri = done["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    assert uri.startswith(f"{emu.base_url}/v1beta/files/") and uri.endswith(":download?alt=media")
    path = uri[len(emu.base_url):]
    google_error(get(f"{emu.base_url}{path}", headers={}), 403, "PERMISSION_DENIED")
    redirect = get(f"{emu.base_url}{path}", headers=GEMINI)
    assert redirect.status == 302
    location = redirect.headers["Location"]
    assert location.startswith(f"{emu.cdn_url}/google-storage/")
    assert get(location, headers={}).body == SAMPLE
    refused = get(location, headers=GEMINI)
    assert refused.status == 400 and b"x-goog-api-key" in refused.body
    assert get(location, headers={"Authorization": "Bearer x"}).status == 400
    state = get(f"{emu.base_url}/_emulator/google/accounts", headers={}).json()
    assert state["storage_credential_headers"] == ["x-goog-api-key", "Authorization"]


def test_gemini_errors(emu):
    google_error(gemini_submit(emu, {"instances": [{"prompt": "p"}]}, headers={}), 403, "PERMISSION_DENIED")
    bad_key = google_error(gemini_submit(emu, {"instances": [{"prompt": "p"}]}, headers={"x-goog-api-key": "nope"}),
                           400, "INVALID_ARGUMENT")
    assert bad_key["details"][0]["reason"] == "API_KEY_INVALID"
    assert "seed" in google_error(gemini_submit(emu, {"instances": [{"prompt": "p"}], "parameters": {"seed": 1}}),
                                  400, "INVALID_ARGUMENT")["message"]
    google_error(gemini_submit(emu, {"instances": [{"prompt": "p"}], "parameters": {"durationSeconds": 30}}),
                 400, "INVALID_ARGUMENT")
    google_error(gemini_submit(emu, {"instances": [{"prompt": "p", "image": {"gcsUri": "gs://b/i.png"}}]}),
                 400, "INVALID_ARGUMENT")
    google_error(gemini_submit(emu, {"instances": []}), 400, "INVALID_ARGUMENT")
    google_error(gemini_submit(emu, {"instances": [{"prompt": "p"}]}, model="veo-emu-error-429"), 429,
                 "RESOURCE_EXHAUSTED")
    google_error(get(f"{emu.base_url}/v1beta/models/m/operations/nope", headers=GEMINI), 404, "NOT_FOUND")
    rai = gemini_submit(emu, {"instances": [{"prompt": "p"}]}, model="veo-emu-rai").json()["name"]
    body = finished(emu, lambda: get(f"{emu.base_url}/v1beta/{rai}", headers=GEMINI))
    response = body["response"]["generateVideoResponse"]
    assert response["generatedSamples"] == [] and response["raiMediaFilteredCount"] == 1
    assert response["raiMediaFilteredReasons"]
    failed = gemini_submit(emu, {"instances": [{"prompt": "p"}]}, model="veo-emu-fail").json()["name"]
    assert finished(emu, lambda: get(f"{emu.base_url}/v1beta/{failed}", headers=GEMINI))["error"]["code"] == 13


def test_vertex_inline_gcs_and_errors(emu):
    url = f"{emu.base_url}{VERTEX_MODEL}"
    name = post_json(f"{url}:predictLongRunning", {"instances": [{"prompt": "p"}], "parameters": {"seed": 3, "fps": 24}},
                     headers=VERTEX).json()["name"]
    assert name.startswith(VERTEX_MODEL[4:] + "/operations/")
    fetch = lambda op: post_json(f"{url}:fetchPredictOperation", {"operationName": op}, headers=VERTEX)  # noqa: E731
    video = finished(emu, lambda: fetch(name))["response"]["videos"][0]
    assert base64.b64decode(video["bytesBase64Encoded"]) == SAMPLE and video["mimeType"] == "video/mp4"
    stored = post_json(f"{url}:predictLongRunning", {"instances": [{"prompt": "p"}],
                                                     "parameters": {"storageUri": "gs://b/o", "sampleCount": 2}},
                       headers=VERTEX).json()["name"]
    videos = finished(emu, lambda: fetch(stored))["response"]["videos"]
    assert [v["gcsUri"].startswith("gs://b/o/") for v in videos] == [True, True]
    google_error(post_json(f"{url}:predictLongRunning", {"instances": [{"prompt": "p"}]}, headers={}), 401,
                 "UNAUTHENTICATED")
    google_error(fetch(name.replace("/p1/", "/p2/")), 400, "INVALID_ARGUMENT")
    google_error(fetch(VERTEX_MODEL[4:] + "/operations/missing"), 404, "NOT_FOUND")


def jwt(claims: dict, header: dict | None = None) -> tuple[str, bytes]:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    signing_input = part(header or {"alg": "RS256", "typ": "JWT"}) + "." + part(claims)
    return signing_input, signing_input.encode()


def signed(tmp_path, key: str, claims: dict, header: dict | None = None) -> str:
    signing_input, data = jwt(claims, header)
    (tmp_path / "data").write_bytes(data)
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, str(tmp_path / "data")],
                               capture_output=True, check=True).stdout
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def test_token_endpoint_checks_the_jwt(emu, tmp_path):
    key, pub = tmp_path / "key.pem", tmp_path / "pub.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(key)],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout", "-out", str(pub)], check=True, capture_output=True)
    email = "t@p1.iam.gserviceaccount.com"
    assert post_json(f"{emu.base_url}/_emulator/google/accounts",
                     {"client_email": email, "public_key": pub.read_text(), "expires_in": 120}, headers={}).status == 200
    now = int(time.time())
    good = {"iss": email, "aud": "https://oauth2.googleapis.com/token", "iat": now, "exp": now + 3600,
            "scope": "https://www.googleapis.com/auth/cloud-platform"}

    def exchange(assertion: str, grant: str = "urn:ietf:params:oauth:grant-type:jwt-bearer", headers=None):
        body = f"grant_type={grant}&assertion={assertion}".encode()
        return call("POST", f"{emu.base_url}/oauth2/token", body,
                    {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    granted = exchange(signed(tmp_path, str(key), good))
    assert granted.status == 200, granted.body
    token = granted.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 120 and token["access_token"].startswith("ya29.")
    minted = {"Authorization": f"Bearer {token['access_token']}"}
    assert post_json(f"{emu.base_url}{VERTEX_MODEL}:predictLongRunning", {"instances": [{"prompt": "p"}]},
                     headers=minted).status == 200
    for claims, reason in [({**good, "aud": "https://example.com/token"}, "aud"),
                           ({**good, "exp": now - 1}, "short-lived"), ({**good, "exp": now + 7200}, "short-lived"),
                           ({**good, "scope": "email"}, "scope"), ({**good, "iss": "other@x"}, "account")]:
        refused = exchange(signed(tmp_path, str(key), claims))
        assert refused.status == 400 and reason in refused.json()["error_description"], (claims, refused.body)
    forged = signed(tmp_path, str(key), good)
    head, payload, _ = forged.split(".")
    other = signed(tmp_path, str(key), {**good, "iat": now - 1})
    assert exchange(f"{head}.{payload}.{other.split('.')[2]}").json()["error_description"] == "Invalid JWT Signature."
    assert exchange(signed(tmp_path, str(key), good, {"alg": "HS256"})).status == 400
    assert exchange("x.y.z").status == 400
    assert exchange(signed(tmp_path, str(key), good), grant="client_credentials").json()["error"] == \
        "unsupported_grant_type"
    assert exchange(signed(tmp_path, str(key), good), headers={"Authorization": "Bearer x"}).status == 400
