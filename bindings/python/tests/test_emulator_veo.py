"""Veo models on the OpenAI-compatible multipart route, as gateways serve them."""

from __future__ import annotations

import pytest

from conftest import PNG, post_form
from test_emulator import assert_openai_error, create_video


@pytest.mark.parametrize("model", ["veo-3.1", "veo-3.1-fast", "veo-3.1-landscape-fast-fl", "VEO-3.1-FL"])
@pytest.mark.parametrize("size", ["16x9", "9x16"])
def test_veo_takes_ratio_sizes(emu, model, size):
    obj = create_video(emu, model=model, seconds="8", size=size, watermark="false")
    assert (obj["model"], obj["size"], obj["seconds"]) == (model, size, "8")


@pytest.mark.parametrize("size", ["1280x720", "720x1280", "4x3"])
def test_veo_refuses_pixel_sizes(emu, size):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p", "model": "veo-3.1", "size": size})
    error = assert_openai_error(reply, 400, "invalid_value", "size")
    assert "16x9" in error["message"]


def test_veo_default_size_is_refused_too(emu):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p", "model": "veo-3.1"})
    assert_openai_error(reply, 400, "invalid_value", "size")


@pytest.mark.parametrize("value", ["no", "False", "0", ""])
def test_watermark_must_be_true_or_false(emu, value):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "p", "model": "veo-3.1", "size": "16x9",
                                                    "watermark": value})
    assert_openai_error(reply, 400, "invalid_value", "watermark")


def test_veo_reference_as_file_or_url(emu):
    fields = {"prompt": "p", "model": "veo-3.1-fast", "size": "9x16", "seconds": "8", "watermark": "true"}
    by_file = post_form(f"{emu.base_url}/v1/videos", fields,
                        files={"input_reference": ("ref.png", PNG, "image/png")})
    assert by_file.status == 200, by_file.body
    by_url = post_form(f"{emu.base_url}/v1/videos", {**fields, "input_reference": "https://img.example/r.png"})
    assert by_url.status == 200, by_url.body


def test_other_models_keep_pixel_sizes(emu):
    assert create_video(emu, model="sora-2", size="1280x720")["size"] == "1280x720"
