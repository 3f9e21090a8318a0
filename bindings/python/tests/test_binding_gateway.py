"""Gateway answers as new-api writes them, through the binding and the C library against the emulator's gateway
scenarios: a unified task without a URL downloads through the content proxy, the gateway's proxy URL under another
address downloads from the base URL with the key, relayed refusals raise ContentPolicyError."""

from __future__ import annotations

import pytest
from conftest import make_client

import videogen
from test_emulator import SAMPLE


def test_a_unified_task_without_url_downloads_through_the_content_proxy(emu, unified_client, tmp_path):
    task = unified_client.submit(model="veo-3.0-emu-inline", prompt="a fox").wait(timeout=20)
    assert task.state is videogen.State.SUCCEEDED
    assert task.video_url == f"{emu.base_url}/v1/videos/{task.id}/content"
    assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    proxied = [r for r in emu.requests() if r["path"] == f"/v1/videos/{task.id}/content"]
    assert [r["authorization"] for r in proxied] == ["valid", "valid"]   # the probe, then the download


def test_the_gateways_proxy_url_under_another_address_is_fetched_from_base_url(emu, unified_client, tmp_path):
    task = unified_client.submit(model="kling-v1-emu-proxy", prompt="a fox").wait(timeout=20)
    assert task.video_url.startswith("http://localhost:") and task.video_url.endswith(f"/{task.id}/content")
    assert task.download(tmp_path / "v.mp4").path.read_bytes() == SAMPLE
    plain = unified_client.submit(model="kling-v1", prompt="a fox").wait(timeout=20)
    plain.download(tmp_path / "cdn.mp4")
    log = emu.requests()
    assert all(r["authorization"] == "valid" for r in log if r["origin"] == "api")
    assert [r["authorization"] for r in log if r["origin"] == "cdn"] == ["none"]


def test_a_blank_model_keeps_the_tasks_model(emu):
    with make_client(emu, "unified", status_route="videos") as client:
        task = client.submit(model="kling-v2-emu-blank-model", prompt="a fox").wait(timeout=20)
    assert task.state is videogen.State.SUCCEEDED and task.model == "kling-v2-emu-blank-model"
    assert task.record()["model"] == "kling-v2-emu-blank-model"


def test_a_relayed_kling_refusal_of_the_submit_is_a_content_policy_error(unified_client):
    with pytest.raises(videogen.ContentPolicyError) as caught:
        unified_client.submit(model="kling-v1-emu-error-1301", prompt="a fox")
    assert caught.value.provider_code == "1301" and caught.value.http_status == 400
    assert caught.value.message == "Trigger content security policy"


@pytest.mark.parametrize("model, provider_code", [
    ("seedance-emu-refused-doubao", None), ("wan-emu-refused-ali", "DataInspectionFailed"),
])
def test_a_refused_task_is_a_content_policy_error(unified_client, model, provider_code):
    task = unified_client.submit(model=model, prompt="a fox")
    with pytest.raises(videogen.ContentPolicyError) as caught:
        task.wait(timeout=20)
    assert caught.value.provider_code == provider_code
    assert task.state is videogen.State.FAILED
