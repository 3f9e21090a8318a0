"""Google's Veo: the Gemini API, Vertex AI, and an OAuth token endpoint for service accounts.

Gemini API (key in ``x-goog-api-key`` or ``?key=``):

* ``POST /v1beta/models/{model}:predictLongRunning`` -> ``{"name": "models/{model}/operations/{id}"}``
* ``GET /v1beta/models/{model}/operations/{id}`` -> the operation; when done,
  ``response.generateVideoResponse.generatedSamples[].video.uri`` names
  ``{api}/v1beta/files/{file}:download?alt=media``.
* ``GET /v1beta/files/{file}:download?alt=media`` (key required; ``{file}`` is lower-case letters and digits,
  as google-genai's ``t_file_name`` expects) answers 302 to a
  signed URL on the CDN origin, ``/google-storage/{file}.mp4``, which refuses any
  request carrying a credential header: the key must not follow the redirect
  (``POST /_emulator/google/storage`` turns the refusal into a count).

Vertex AI (``Authorization: Bearer`` with the emulator's key, or a token minted
by ``POST /oauth2/token``):

* ``POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:predictLongRunning``
* ``POST .../models/{m}:fetchPredictOperation`` with ``{"operationName"}``; when
  done, ``response.videos[]`` holds ``gcsUri`` (the request's ``storageUri``
  given) or ``bytesBase64Encoded``.

Token endpoint: ``POST /oauth2/token`` with the jwt-bearer grant; the JWT's RS256
signature is checked with the public key registered by
``POST /_emulator/google/accounts`` (``{"client_email", "public_key"}`` PEM,
optional ``expires_in``), using the ``openssl`` command. Exchanges are counted
(``GET /_emulator/google/accounts``).

Scenarios by model name, as elsewhere: ``emu-inline`` (Gemini API: samples carried as
``video.encodedVideo`` instead of a file URI), ``emu-fail`` (done with an error),
``emu-stuck``, ``emu-empty`` (done without videos), ``emu-rai`` (every sample
removed by the RAI filters, with reasons), ``emu-error-<http status>`` (the
submit answers that Google error: 400, 403, 404, 429, 500, 503).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import re
import secrets
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from typing import Any

from . import media
from .messages import HttpError, Request, Response, json_response
from .store import error_scenario, scenario_for

GEMINI_PARAMETERS = {"aspectRatio", "durationSeconds", "resolution", "sampleCount", "negativePrompt",
                     "personGeneration", "enhancePrompt", "numberOfVideos"}
VERTEX_PARAMETERS = GEMINI_PARAMETERS | {"seed", "fps", "storageUri", "generateAudio", "pubsubTopic",
                                         "compressionQuality", "resizeMode"}
INSTANCE_FIELDS = {"prompt", "image", "lastFrame", "referenceImages", "video"}
RAI_REASONS = ["Veo could not generate videos because the input image violates Vertex AI's usage guidelines. "
               "Support codes: 17301594"]
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
AUDIENCE = "https://oauth2.googleapis.com/token"   # the JWT's aud, whatever the token_uri (Google's documentation)
CREDENTIAL_HEADERS = ("Authorization", "x-goog-api-key", "X-Api-Key", "Cookie")


class GoogleState:
    """Per-emulator Google state: registered service accounts, minted tokens, token exchanges."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accounts: dict[str, dict[str, Any]] = {}   # client_email -> {"public_key", "expires_in"}
        self.tokens: dict[str, float] = {}              # access token -> expiry (unix seconds)
        self.exchanges = 0
        self.refuse_credentials = True                  # storage refuses requests carrying a credential header
        self.leaks: list[str] = []                      # credential headers storage received (when not refusing)


def state(emu) -> GoogleState:
    """The emulator's Google state, made on first use."""
    found = emu.__dict__.get("_google")
    if found is None:
        found = emu.__dict__.setdefault("_google", GoogleState())
    return found


def minted(emu, header: str | None) -> bool:
    """True when ``header`` is ``Bearer <token>`` for an unexpired token this emulator minted."""
    if not header:
        return False
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    google = state(emu)
    with google.lock:
        expiry = google.tokens.get(token.strip())
    return expiry is not None and expiry > time.time()


def google_error(status: int, message: str, reason: str | None = None) -> Response:
    """Google's error body: ``{"error": {"code", "message", "status", "details"}}``."""
    error: dict[str, Any] = {"code": status, "message": message, "status": STATUS_NAMES.get(status, "UNKNOWN")}
    if reason:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                             "domain": "googleapis.com"}]
    return json_response(status, {"error": error})


def _fail(status: int, message: str, reason: str | None = None) -> HttpError:
    return HttpError(google_error(status, message, reason))


def _check_key(emu, req: Request) -> None:
    """The Gemini API's key check: none is 403, a wrong one 400 API_KEY_INVALID, as the service answers."""
    key = req.header("x-goog-api-key") or req.query.get("key")
    if not key:
        raise _fail(403, "Method doesn't allow unregistered callers (callers without established identity). "
                         "Please use API Key or other form of API consumer identity to call this API.")
    if not hmac.compare_digest(key.encode("utf-8"), emu.api_key.encode("utf-8")):
        raise _fail(400, "API key not valid. Please pass a valid API key.", "API_KEY_INVALID")


def _body(req: Request) -> dict[str, Any]:
    try:
        body = json.loads(req.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise _fail(400, "Invalid JSON payload received.")
    if not isinstance(body, dict):
        raise _fail(400, "Invalid JSON payload received. Expected an object.")
    return body


def _check_image(name: str, value: Any, vertex: bool) -> None:
    if not isinstance(value, dict):
        raise _fail(400, f"{name} must be an object")
    if "gcsUri" in value:
        if not vertex:
            raise _fail(400, f"{name}.gcsUri is not supported by the Gemini API")
        if not str(value["gcsUri"]).startswith("gs://"):
            raise _fail(400, f"{name}.gcsUri must be a gs:// URI")
        return
    try:
        base64.b64decode(value.get("bytesBase64Encoded", ""), validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise _fail(400, f"{name}.bytesBase64Encoded is not valid base64")
    if not value.get("bytesBase64Encoded") or not str(value.get("mimeType", "")).startswith("image/"):
        raise _fail(400, f"{name} needs bytesBase64Encoded and an image mimeType")


def _validate(body: dict[str, Any], vertex: bool) -> dict[str, Any]:
    """Check a predictLongRunning body; return its parameters."""
    unknown = sorted(set(body) - {"instances", "parameters"})
    if unknown:
        raise _fail(400, f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.')
    instances = body.get("instances")
    if not isinstance(instances, list) or len(instances) != 1 or not isinstance(instances[0], dict):
        raise _fail(400, "instances must hold exactly one instance")
    instance = instances[0]
    extra = sorted(set(instance) - INSTANCE_FIELDS)
    if extra:
        raise _fail(400, f'Invalid JSON payload received. Unknown name "{extra[0]}" at \'instances[0]\'.')
    if not isinstance(instance.get("prompt", ""), str):
        raise _fail(400, "instances[0].prompt must be a string")
    if not instance.get("prompt") and "image" not in instance:
        raise _fail(400, "A prompt or an image is required.")
    for name in ("image", "lastFrame"):
        if name in instance:
            _check_image(f"instances[0].{name}", instance[name], vertex)
    for index, item in enumerate(instance.get("referenceImages") or []):
        if not isinstance(item, dict) or item.get("referenceType") not in ("asset", "style"):
            raise _fail(400, f"referenceImages[{index}] needs an image and a referenceType")
        _check_image(f"referenceImages[{index}].image", item.get("image"), vertex)
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        raise _fail(400, "parameters must be an object")
    allowed = VERTEX_PARAMETERS if vertex else GEMINI_PARAMETERS
    for name in sorted(parameters):
        if name not in allowed:
            raise _fail(400, f"`{name}` isn't supported by this model. Please remove it or refer to the "
                             "documentation for supported usage.")
    if "aspectRatio" in parameters and parameters["aspectRatio"] not in ("16:9", "9:16"):
        raise _fail(400, "aspectRatio must be 16:9 or 9:16")
    if "durationSeconds" in parameters and parameters["durationSeconds"] not in (4, 5, 6, 7, 8):
        raise _fail(400, "durationSeconds must be an integer between 4 and 8")
    if "resolution" in parameters and parameters["resolution"] not in ("720p", "1080p"):
        raise _fail(400, "resolution must be 720p or 1080p")
    count = parameters.get("sampleCount", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 4:
        raise _fail(400, "sampleCount must be an integer between 1 and 4")
    if "storageUri" in parameters and not str(parameters["storageUri"]).startswith("gs://"):
        raise _fail(400, "storageUri must be a gs:// URI")
    return parameters


def _create(emu, req: Request, dialect: str, model: str, vertex: bool, name_prefix: str) -> Response:
    body = _body(req)
    parameters = _validate(body, vertex)
    code = error_scenario(model)
    if code is not None:
        status = int(code) if code.isdigit() and int(code) in STATUS_NAMES else 500
        messages = {429: "Resource has been exhausted (e.g. check quota).",
                    403: "The caller does not have permission", 404: f"Model {model} was not found.",
                    400: "Request contains an invalid argument."}
        return google_error(status, messages.get(status, "Internal error encountered."))
    try:
        scenario = scenario_for(model, req.header("X-Emulator-Scenario"))
    except ValueError as exc:
        raise _fail(400, str(exc))
    op = str(uuid.uuid4()) if vertex else secrets.token_hex(6)
    name = emu.settings.task_id(lambda: f"{name_prefix}/operations/{op}")
    emu.store.create(id_=name, dialect=dialect, model=model, prompt=body["instances"][0].get("prompt", ""),
                     scenario=scenario, duration=emu.settings.task_duration(),
                     extra={"rai": "emu-rai" in model.lower(),
                            "samples": parameters.get("sampleCount", 1),
                            "storage": parameters.get("storageUri"),
                            "fields": sorted(parameters)})
    return json_response(200, {"name": name})


def _operation(emu, task, vertex: bool) -> dict[str, Any]:
    """The operation of ``task`` now, in the service's shape."""
    state_now = task.state()
    if not state_now.terminal:
        return {"name": task.id}
    if task.scenario == "fail" or state_now.error is not None:
        return {"name": task.id, "done": True,
                "error": {"code": 13, "message": "Video generation failed: the model could not render the request (emulated)."}}
    count = 0 if task.scenario == "empty" else int(task.extra.get("samples", 1))
    if task.extra.get("rai"):
        filtered = {"raiMediaFilteredCount": count, "raiMediaFilteredReasons": RAI_REASONS}
        count = 0
    else:
        filtered = {"raiMediaFilteredCount": 0} if vertex else {}
    if vertex:
        storage = task.extra.get("storage")
        if storage:
            videos = [{"gcsUri": f"{storage.rstrip('/')}/{task.id.rsplit('/', 1)[-1]}/sample_{i}.mp4",
                       "mimeType": "video/mp4"} for i in range(count)]
        else:
            encoded = base64.b64encode(_sample_bytes()).decode("ascii")
            videos = [{"bytesBase64Encoded": encoded, "mimeType": "video/mp4"} for _ in range(count)]
        response = {"@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                    **filtered, "videos": videos}
    elif task.scenario == "inline":
        encoded = base64.b64encode(_sample_bytes()).decode("ascii")
        samples = [{"video": {"encodedVideo": encoded, "encoding": "video/mp4"}} for _ in range(count)]
        response = {"@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                    "generateVideoResponse": {"generatedSamples": samples, **filtered}}
    else:
        op = task.id.rsplit("/", 1)[-1]
        samples = [{"video": {"uri": f"{emu.base_url}/v1beta/files/{op}v{i}:download?alt=media"}}
                   for i in range(count)]
        response = {"@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                    "generateVideoResponse": {"generatedSamples": samples, **filtered}}
    return {"name": task.id, "done": True, "response": response}


_SAMPLE: list[bytes] = []


def _sample_bytes() -> bytes:
    if not _SAMPLE:
        _SAMPLE.append(media.SAMPLE_PATH.read_bytes())
    return _SAMPLE[0]


# --- Gemini API -------------------------------------------------------------------------------------------------

def gemini_submit(emu, req: Request, model: str) -> Response:
    """``POST /v1beta/models/{model}:predictLongRunning``."""
    _check_key(emu, req)
    return _create(emu, req, "gemini", model, False, f"models/{model}")


def gemini_operation(emu, req: Request, model: str, op: str) -> Response:
    """``GET /v1beta/models/{model}/operations/{op}``."""
    _check_key(emu, req)
    task = emu.store.get(f"models/{model}/operations/{op}")
    if task is None or task.dialect != "gemini":
        return google_error(404, f"Operation models/{model}/operations/{op} not found.")
    return json_response(200, _operation(emu, task, False))


def gemini_file(emu, req: Request, file: str) -> Response:
    """``GET /v1beta/files/{file}:download?alt=media``: 302 to the storage origin (signed, key-free)."""
    _check_key(emu, req)
    op, _, index = file.rpartition("v")
    task = emu.store.find(lambda t: t.dialect == "gemini" and t.id.endswith("/operations/" + op))
    if task is None or not index.isdigit() or not task.state().terminal \
            or int(index) >= int(task.extra.get("samples", 1)) or task.extra.get("rai"):
        return google_error(404, f"File {file} not found.")
    location = emu.signer.sign(emu.cdn_url, f"{file}.mp4", emu.settings.get("url_ttl_seconds"))
    location = location.replace("/files/", "/google-storage/", 1)
    return Response(status=302, headers=[("Location", location)])


def storage_file(emu, req: Request, name: str) -> Response:
    """``GET /google-storage/{name}`` on the CDN origin: the video, refused when any credential header arrives."""
    leaked = [h for h in CREDENTIAL_HEADERS if req.header(h) is not None]
    google = state(emu)
    with google.lock:
        google.leaks.extend(leaked)
        refuse = google.refuse_credentials
    if leaked and refuse:
        return json_response(400, {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                             "message": f"credential header {leaked[0]} sent to storage"}})
    if not emu.signer.verify("/files/" + urllib.parse.quote(name, safe="._-"), req.query):
        return json_response(403, {"error": {"code": 403, "message": "Access denied: signature expired or invalid"}})
    return media.serve(req, emu.sample)


# --- Vertex AI --------------------------------------------------------------------------------------------------

def vertex_submit(emu, req: Request, project: str, location: str, model: str) -> Response:
    """``POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:predictLongRunning``."""
    return _create(emu, req, "vertex", model, True,
                   f"projects/{project}/locations/{location}/publishers/google/models/{model}")


def vertex_fetch(emu, req: Request, project: str, location: str, model: str) -> Response:
    """``POST .../models/{m}:fetchPredictOperation`` with ``{"operationName"}``."""
    body = _body(req)
    name = body.get("operationName")
    prefix = f"projects/{project}/locations/{location}/publishers/google/models/{model}/operations/"
    if not isinstance(name, str) or not name:
        raise _fail(400, "operationName is required")
    if not name.startswith(prefix):
        raise _fail(400, f"operationName {name} does not belong to {prefix[:-12]}")
    task = emu.store.get(name)
    if task is None or task.dialect != "vertex":
        return google_error(404, f"Operation {name} not found.")
    return json_response(200, _operation(emu, task, True))


# --- OAuth token endpoint and its control route -----------------------------------------------------------------

def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _rs256_valid(public_key: str, signing_input: bytes, signature: bytes) -> bool:
    """Verify with ``openssl dgst -sha256 -verify`` (the system's OpenSSL, no Python dependency)."""
    with tempfile.TemporaryDirectory(prefix="vg-emu-jwt-") as folder:
        paths = {name: os.path.join(folder, name) for name in ("key.pem", "data", "sig")}
        for name, content in (("key.pem", public_key.encode()), ("data", signing_input), ("sig", signature)):
            with open(paths[name], "wb") as handle:
                handle.write(content)
        result = subprocess.run(["openssl", "dgst", "-sha256", "-verify", paths["key.pem"], "-signature",
                                 paths["sig"], paths["data"]], capture_output=True, timeout=30)
    return result.returncode == 0


def _grant_error(description: str, error: str = "invalid_grant") -> Response:
    return json_response(400, {"error": error, "error_description": description})


def token(emu, req: Request) -> Response:
    """``POST /oauth2/token``: a jwt-bearer grant whose RS256 JWT a registered account signed -> an access token."""
    google = state(emu)
    with google.lock:
        google.exchanges += 1
    if any(req.header(h) is not None for h in CREDENTIAL_HEADERS):
        return _grant_error("credentials must not be sent to the token endpoint", "invalid_request")
    form = dict(urllib.parse.parse_qsl(req.body.decode("utf-8", "replace")))
    if form.get("grant_type") != JWT_BEARER:
        return _grant_error("Invalid grant_type", "unsupported_grant_type")
    parts = form.get("assertion", "").split(".")
    if len(parts) != 3:
        return _grant_error("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe")
    try:
        header, claims, signature = json.loads(_b64url(parts[0])), json.loads(_b64url(parts[1])), _b64url(parts[2])
    except (ValueError, binascii.Error):
        return _grant_error("Invalid JWT: not base64url JSON")
    if header.get("alg") != "RS256":
        return _grant_error("Invalid JWT: alg must be RS256")
    with google.lock:
        account = google.accounts.get(claims.get("iss", ""))
    if account is None:
        return _grant_error("Invalid grant: account not found")
    now = time.time()
    if claims.get("aud") != AUDIENCE:
        return _grant_error(f"Invalid JWT: aud must be {AUDIENCE}")
    if "https://www.googleapis.com/auth/cloud-platform" not in str(claims.get("scope", "")).split():
        return _grant_error("Invalid OAuth scope or ID token audience provided.", "invalid_scope")
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int) or exp <= now or iat > now + 60 or exp - iat > 3600:
        return _grant_error("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")
    if not _rs256_valid(account["public_key"], (parts[0] + "." + parts[1]).encode("ascii"), signature):
        return _grant_error("Invalid JWT Signature.")
    value = "ya29.emu-" + secrets.token_urlsafe(24)
    lifetime = account.get("expires_in", 3599)
    with google.lock:
        google.tokens[value] = now + lifetime
    return json_response(200, {"access_token": value, "expires_in": lifetime, "token_type": "Bearer"})


def register_account(emu, req: Request) -> Response:
    """``POST /_emulator/google/accounts``: ``{"client_email", "public_key", "expires_in"?}``."""
    body = _body(req)
    email, public_key = body.get("client_email"), body.get("public_key")
    lifetime = body.get("expires_in", 3599)
    if not isinstance(email, str) or not isinstance(public_key, str) or "PUBLIC KEY" not in public_key \
            or isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime <= 0:
        raise _fail(400, "client_email, public_key (PEM) and a positive integer expires_in are required")
    google = state(emu)
    with google.lock:
        google.accounts[email] = {"public_key": public_key, "expires_in": lifetime}
    return json_response(200, {"ok": True})


def accounts(emu, req: Request) -> Response:
    """``GET /_emulator/google/accounts``: registered accounts, token exchanges, live tokens, and the credential
    headers storage received."""
    google = state(emu)
    with google.lock:
        return json_response(200, {"accounts": sorted(google.accounts), "exchanges": google.exchanges,
                                   "tokens": sum(1 for expiry in google.tokens.values() if expiry > time.time()),
                                   "storage_credential_headers": list(google.leaks),
                                   "refuse_credentials": google.refuse_credentials})


def storage_policy(emu, req: Request) -> Response:
    """``POST /_emulator/google/storage``: ``{"refuse_credentials": bool}``. Refusing (the default) makes storage
    answer 400 to a request carrying a credential header; not refusing serves it and only counts the header (the
    real storage ignores it; google-genai's download forwards ``x-goog-api-key`` across the redirect)."""
    body = _body(req)
    if not isinstance(body.get("refuse_credentials"), bool):
        raise _fail(400, "refuse_credentials must be a boolean")
    google = state(emu)
    with google.lock:
        google.refuse_credentials = body["refuse_credentials"]
    return json_response(200, {"ok": True})


_SEGMENT = r"[^/:]+"
_VERTEX = (rf"^/v1/projects/(?P<project>{_SEGMENT})/locations/(?P<location>{_SEGMENT})"
           rf"/publishers/google/models/(?P<model>{_SEGMENT})")

ROUTES = [
    ("POST", re.compile(rf"^/v1beta/models/(?P<model>{_SEGMENT}):predictLongRunning$"), gemini_submit),
    ("GET", re.compile(rf"^/v1beta/models/(?P<model>{_SEGMENT})/operations/(?P<op>{_SEGMENT})$"), gemini_operation),
    ("GET", re.compile(rf"^/v1beta/files/(?P<file>{_SEGMENT}):download$"), gemini_file),
    ("POST", re.compile(_VERTEX + r":predictLongRunning$"), vertex_submit),
    ("POST", re.compile(_VERTEX + r":fetchPredictOperation$"), vertex_fetch),
    ("POST", re.compile(r"^/oauth2/token$"), token),
    ("POST", re.compile(r"^/_emulator/google/accounts$"), register_account),
    ("GET", re.compile(r"^/_emulator/google/accounts$"), accounts),
    ("POST", re.compile(r"^/_emulator/google/storage$"), storage_policy),
]

CDN_ROUTES = [
    ("GET", re.compile(r"^/google-storage/(?P<name>[^/]+\.mp4)$"), storage_file),
]
