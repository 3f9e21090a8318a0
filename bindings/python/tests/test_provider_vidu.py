"""Vidu through the binding, the C library and the command line against the emulator: ``Authorization: Token``,
the four generation routes, several creations downloaded by index, the cover as the thumbnail variant, remote
cancel, Vidu's error reasons. Vidu publishes no official Python SDK on PyPI (none found as of 2026-12), so there is
no SDK fidelity test."""

from __future__ import annotations

import pytest
from cli_support import key_in_environment  # noqa: F401  (autouse: the key in $VIDEOGEN_API_KEY)
from cli_support import service, videogen
from conftest import API_KEY, EMULATOR_ASSETS, PNG, make_client
from provider_cases import SAMPLE, canary_key, cli_generate, resume_in_new_process, whole_job

import videogen as vg
from videogen_emulator import Emulator

DIALECT = "vidu"
COVER = (__import__("pathlib").Path(EMULATOR_ASSETS) / "thumbnail.jpg").read_bytes()


def test_a_whole_job_with_its_credits(emu, tmp_path):
    task = whole_job(emu, DIALECT, tmp_path, "credits", model="viduq2", duration=5, resolution="720p", image=PNG)
    assert task.usage == {"credits": 4}
    submit = next(r for r in emu.requests() if r["method"] == "POST")
    assert submit["path"] == "/ent/v2/img2video"


@pytest.mark.parametrize("fields, route", [
    ({}, "/ent/v2/text2video"),
    ({"image": "https://img.example.com/1.png", "image_tail": "https://img.example.com/2.png"}, "/ent/v2/start-end2video"),
    ({"images": ["https://img.example.com/1.png", "https://img.example.com/2.png"]}, "/ent/v2/reference2video"),
])
def test_the_route_follows_the_images(emu, fields, route):
    with make_client(emu, DIALECT) as client:
        task = client.submit(model="viduq2", prompt="a lantern", extra={"movement_amplitude": "small"}, **fields)
        assert task.wait(timeout=30).state is vg.State.SUCCEEDED
    assert [r["path"] for r in emu.requests() if r["method"] == "POST"] == [route]


def test_several_creations_by_index_and_the_cover(emu, tmp_path):
    with make_client(emu, DIALECT) as client:
        task = client.submit(model="viduq2 emu-outputs-3", prompt="three lanterns").wait(timeout=30)
        assert len(task.outputs) == 3 and task.outputs[0] == task.video_url
        second = task.download(tmp_path / "second.mp4", output=2)
        assert second.output == 2 and second.path.read_bytes() == SAMPLE
        assert task.record()["download"]["output"] == 2
        cover = task.download(tmp_path / "cover.jpg", variant="thumbnail")
        assert cover.variant == "thumbnail" and cover.path.read_bytes() == COVER
        with pytest.raises(vg.InvalidArgumentError, match="3 outputs"):
            task.download(tmp_path / "none.mp4", output=3)
        with pytest.raises(ValueError):
            task.download(tmp_path / "none.mp4", output=-1)
        with pytest.raises(ValueError):
            task.download(tmp_path / "none.mp4", output=1, variant="thumbnail")
    cdn = [r["path"] for r in emu.requests() if r["origin"] == "cdn"]
    assert cdn == [f"/files/{task.id}-2.mp4", f"/files/{task.id}-cover.jpg"]


def test_the_command_line_downloads_an_output_and_the_cover(emu, tmp_path, capsys):
    cli_generate(emu, DIALECT, tmp_path)
    with make_client(emu, DIALECT) as client:
        task = client.submit(model="viduq2 emu-outputs-2", prompt="two").wait(timeout=30)
    out = tmp_path / "one.mp4"
    run = videogen("download", *service(emu, DIALECT), task.id, "--output", str(out), "--output-index", "1", "--quiet")
    assert run.status == 0, run.err
    assert out.read_bytes() == SAMPLE
    cover = tmp_path / "cover.jpg"
    run = videogen("download", *service(emu, DIALECT), task.id, "--output", str(cover), "--variant", "thumbnail",
                   "--quiet")
    assert run.status == 0, run.err
    assert cover.read_bytes() == COVER
    capsys.readouterr()
    bad = videogen("download", *service(emu, DIALECT), task.id, "--output", str(out), "--output-index", "-1")
    assert bad.status == 2 and "expected an output index of 0 or more" in capsys.readouterr().err


def test_a_record_resumes_in_a_new_process(emu, tmp_path):
    final = resume_in_new_process(emu, DIALECT, tmp_path, model="viduq2 emu-outputs-2")
    assert len(final["outputs"]) == 2 and "cover_url" in final["links"]


def test_the_key_appears_nowhere(emu):
    canary_key(emu, DIALECT)
    assert all(r["authorization"] != "valid" or r["origin"] == "api" for r in emu.requests())


def test_remote_cancel_reads_cancelled():
    with Emulator(api_key=API_KEY, task_seconds=600) as slow, make_client(slow, DIALECT) as client:
        task = client.submit(model="viduq2", prompt="p")
        task.cancel(remote=True)
        with make_client(slow, DIALECT) as other:
            again = other.resume(task.record())
            again.poll()
            assert again.state is vg.State.CANCELLED and again.error.provider_code == "UserCancelled"


@pytest.mark.parametrize("model, error, provider_code", [
    ("m emu-error-creditinsufficient", vg.QuotaExceededError, "CreditInsufficient"),
    ("m emu-error-taskpromptpolicyviolation", vg.ContentPolicyError, "TaskPromptPolicyViolation"),
    ("m emu-error-toomanyrequests", vg.RateLimitError, "TooManyRequests"),
])
def test_vidu_error_reasons(emu, model, error, provider_code):
    with make_client(emu, DIALECT, retry={"max_attempts": 1}) as client:
        with pytest.raises(error) as caught:
            client.submit(model=model, prompt="p")
    assert caught.value.provider_code == provider_code


def test_refused_fields_and_failures(emu):
    with make_client(emu, DIALECT) as client:
        with pytest.raises(vg.VideoGenError, match="'negative_prompt'"):
            client.submit(model="m", prompt="p", negative_prompt="blur")
        with pytest.raises(vg.ContentPolicyError):
            client.submit(model="m emu-fail", prompt="p").wait(timeout=30)
        with pytest.raises(vg.TaskFailedError) as caught:
            client.submit(model="m emu-failed-ModelUnavailable", prompt="p").wait(timeout=30)
        assert caught.value.provider_code == "ModelUnavailable"
