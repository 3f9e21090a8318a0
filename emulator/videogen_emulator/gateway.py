"""Gateway behaviours: how a new-api deployment answers what its upstreams said, as its Go code writes it.

Each behaviour is a scenario (a model name containing ``emu-<scenario>``, or the ``X-Emulator-Scenario`` header) or
an error scenario (``emu-error-<code>``), so tests, the demo and users can trigger it. The Go files named are those
of github.com/QuantumNous/new-api that the shapes mirror.

Scenarios (``/v1/video/generations`` and ``/v1/videos/{id}`` answers of unified tasks):

``inline``
    The task succeeds with an inline (base64) result, as Veo on Vertex returns it: new-api keeps a ``data:`` URI
    out of ``result_url`` (service/task_polling.go, relay/relay_task.go ``tryRealtimeFetch``), so the envelope has no
    ``result_url`` (dto/task.go, ``omitempty``), the realtime answer ``"url": ""``, the OpenAI object the ``data:``
    URI in ``metadata.url`` (relay/channel/task/vertex/adaptor.go ``ConvertToOpenAIVideo``); the video is served
    only at ``GET /v1/videos/{id}/content`` (controller/video_proxy.go).
``proxy``
    The task's ``result_url`` is the gateway's own content route built from the operator's configured server
    address (relay/channel/task/taskcommon/helpers.go ``BuildProxyURL``), which is not the address the client uses:
    setting ``server_address``; by default this emulator's API origin under its other loopback name
    (``127.0.0.1`` <-> ``localhost``), so fetching it without the key answers 401, as new-api does.
``blank-model``
    ``/v1/videos/{id}`` answers ``"model": ""``, as new-api's Kling, Vidu and Jimeng converters do
    (relay/channel/task/kling/adaptor.go ``ConvertToOpenAIVideo`` never sets ``Model``).
``refused-<upstream>``
    The task fails with an upstream's content refusal, relayed as new-api relays it: the envelope's
    ``fail_reason`` is what the adaptor's ``ParseTaskResult`` keeps, the OpenAI object's ``error`` what its
    ``ConvertToOpenAIVideo`` writes. Upstreams: ``doubao`` (relay/channel/task/doubao/adaptor.go), ``ali``
    (relay/channel/task/ali/adaptor.go), ``vidu`` (relay/channel/task/vidu/adaptor.go), ``veo``
    (relay/channel/task/gemini/adaptor.go), ``openai`` (Sora's ``moderation_blocked``).

Error scenarios on ``POST /v1/video/generations`` (``emu-error-<code>``): an upstream's refusal of the submit,
wrapped as new-api wraps every non-200 upstream answer: ``{"code": "fail_to_fetch_task", "message": "<the upstream's
body as text>", "data": null}`` with the upstream's HTTP status (relay/relay_task.go ``RelayTaskSubmit``,
service/error.go ``TaskErrorWrapper``), a 429's message replaced (controller/relay.go ``respondTaskError``). Codes:
Kling's business codes (``1301``, ``1102``, ...), ``datainspectionfailed`` (DashScope),
``inputtextsensitivecontentdetected`` (Ark), ``moderation_blocked`` (OpenAI); and ``1026`` (MiniMax), which new-api's
Hailuo adaptor answers with the upstream code itself (relay/channel/task/hailuo/adaptor.go ``DoResponse``).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
import uuid
from typing import Any

from .errors import unified_error
from .messages import Response

SCENARIOS = ("inline", "proxy", "blank-model", "refused-doubao", "refused-ali", "refused-vidu", "refused-veo",
             "refused-openai")

# Upstream refusals of a running task: the OpenAI object's error (code, message) and the envelope's fail_reason.
REFUSALS: dict[str, dict[str, Any]] = {
    # Volcengine Ark error table (docs 82379/1299023); doubao ParseTaskResult keeps Error.Message only.
    "refused-doubao": {
        "code": "OutputVideoSensitiveContentDetected",
        "message": "The request failed because the output video may contain sensitive information. "
                   "Request id: 021761204877000emulated",
        "reason": None,
    },
    # Model Studio status codes; ali ParseTaskResult: "task failed, code: %s , message: %s" from output.code/message.
    "refused-ali": {
        "code": "DataInspectionFailed",
        "message": "Input data may contain inappropriate content.",
        "reason": "task failed, code: DataInspectionFailed , message: Input data may contain inappropriate content.",
    },
    # Vidu error codes; vidu ParseTaskResult keeps err_code as the reason, ConvertToOpenAIVideo as code and message.
    "refused-vidu": {"code": "CreationPolicyViolation", "message": "CreationPolicyViolation", "reason": None},
    # Vertex AI "Responsible AI and usage guidelines for Veo"; gemini ParseTaskResult keeps op.error.message, its
    # ConvertToOpenAIVideo writes no error.
    "refused-veo": {
        "code": None,
        "message": "Veo could not generate videos because the input image violates Vertex AI's usage guidelines. "
                   "If you think this was an error, send feedback. Support codes: 15236754",
        "reason": None,
    },
    # OpenAI's moderation refusal, as the Sora adaptor keeps it.
    "refused-openai": {"code": "moderation_blocked", "message": "Your request was blocked by our moderation system.",
                       "reason": None},
}

SUBMIT_ERROR_CODES = ("1026", "datainspectionfailed", "inputtextsensitivecontentdetected", "moderation_blocked")
SATURATED = "当前分组上游负载已饱和，请稍后再试"   # controller/relay.go respondTaskError, for every 429


def refusal_error(scenario: str) -> dict[str, Any] | None:
    """The failed task's error ``{code, message}`` of a ``refused-*`` scenario, else None."""
    refusal = REFUSALS.get(scenario)
    return None if refusal is None else {"code": refusal["code"], "message": refusal["message"]}


def fail_reason(scenario: str, error: dict[str, Any] | None) -> str:
    """The envelope's ``fail_reason`` of a failed task: what new-api's adaptor kept of the upstream's answer."""
    if error is None:
        return ""
    refusal = REFUSALS.get(scenario)
    return (refusal and refusal["reason"]) or error["message"]


def server_address(emu) -> str:
    """The address new-api builds its content-proxy URLs from: setting ``server_address``, or by default this
    emulator's API origin under its other loopback name."""
    configured = emu.settings.get("server_address")
    if configured:
        return configured.rstrip("/")
    parts = urllib.parse.urlsplit(emu.base_url)
    other = "127.0.0.1" if parts.hostname == "localhost" else "localhost"
    return f"{parts.scheme}://{other}:{parts.port}"


def proxy_url(emu, task_id: str) -> str:
    """``BuildProxyURL``: ``<server address>/v1/videos/<id>/content``."""
    return f"{server_address(emu)}/v1/videos/{urllib.parse.quote(task_id, safe='')}/content"


def inline_data_uri(emu) -> str:
    """The inline result as new-api's Vertex adaptor writes it: ``data:video/mp4;base64,...``."""
    data = b"".join(emu.sample.read(0, emu.sample.size))
    return "data:video/mp4;base64," + base64.b64encode(data).decode("ascii")


def _text(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def submit_error(code: str) -> Response | None:
    """new-api's answer to a submit its upstream refused with ``code`` (see the module documentation), or None for
    a code this module does not know."""
    from .kling_routes import BUSINESS_ERRORS   # Kling's own table: (HTTP status, message)
    if code.isdigit() and int(code) in BUSINESS_ERRORS:
        status, message = BUSINESS_ERRORS[int(code)]
        body = _text({"code": int(code), "message": message, "request_id": str(uuid.uuid4())})
    elif code == "1026":
        # Hailuo's DoResponse: TaskErrorWrapper(fmt.Errorf("hailuo api error: %s", status_msg), "1026", 400).
        return unified_error(400, "1026", "hailuo api error: video description contains sensitive content")
    elif code == "datainspectionfailed":
        status, body = 400, _text({"code": "DataInspectionFailed",
                                   "message": "Input data may contain inappropriate content.",
                                   "request_id": str(uuid.uuid4())})
    elif code == "inputtextsensitivecontentdetected":
        status, body = 400, _text({"error": {
            "code": "InputTextSensitiveContentDetected",
            "message": "The request failed because the input text may contain sensitive information. "
                       "Request id: 021761204877000emulated",
            "param": "", "type": "BadRequest"}})
    elif code == "moderation_blocked":
        status, body = 400, _text({"error": {"message": "Your request was blocked by our moderation system.",
                                             "type": "invalid_request_error", "param": None,
                                             "code": "moderation_blocked"}})
    else:
        return None
    return unified_error(status, "fail_to_fetch_task", SATURATED if status == 429 else body)
