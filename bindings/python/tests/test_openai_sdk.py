"""The official openai Python SDK, unchanged, against the emulator's /v1/videos routes: list with after / limit /
order pagination, delete, remix and download_content with each variant.

The SDK is a test dependency pinned at openai==3.54.0 (pyproject.toml's ``test`` extra; .ci/run installs it). The
SDK marks its video methods deprecated (OpenAI's own Sora API shut down on 2026-09-24); the gateways that copy the
shape are what these calls reach now, so the warnings are silenced here.
"""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

import pytest

try:
    import openai
except ImportError as exc:  # never skipped: a missing SDK is a broken test environment
    raise ImportError("the openai SDK is a test dependency: python3 -m pip install openai==3.54.0 "
                      "(installed by .ci/run)") from exc

from conftest import API_KEY, EMULATOR_ASSETS
from videogen_emulator import Emulator

PINNED = "3.54.0"
ASSETS = Path(EMULATOR_ASSETS)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def emu():
    """An emulator whose tasks finish at once and that asks pollers to come back after 20 ms."""
    with Emulator(api_key=API_KEY, task_seconds=0, poll_after_ms=20) as instance:
        yield instance


@pytest.fixture
def sdk(emu):
    with openai.OpenAI(api_key=API_KEY, base_url=f"{emu.base_url}/v1", max_retries=0, timeout=10) as client:
        yield client


def create(sdk, prompt="a red fox in the snow"):
    return sdk.videos.create(model="veo-3.1", prompt=prompt, seconds="8", size="16x9")  # type: ignore[arg-type]


def test_the_sdk_is_the_pinned_version():
    assert openai.__version__ == PINNED, f"the tests were written against openai {PINNED}; update PINNED"


def test_list_pages_with_after_limit_and_order(sdk):
    ids = [create(sdk).id for _ in range(5)]
    first = sdk.videos.list(limit=2, order="asc")
    assert [v.id for v in first.data] == ids[:2]
    assert first.has_more is True and first.last_id == ids[1]
    assert first.has_next_page()
    second = first.get_next_page()                       # the SDK sends after=<last_id>
    assert [v.id for v in second.data] == ids[2:4]
    explicit = sdk.videos.list(limit=2, order="asc", after=ids[3])
    assert [v.id for v in explicit.data] == [ids[4]] and explicit.has_more is False
    assert not explicit.has_next_page()
    # auto-pagination walks every page
    assert [v.id for v in sdk.videos.list(limit=2, order="asc")] == ids
    newest = sdk.videos.list(limit=3, order="desc")
    assert [v.id for v in newest.data] == ids[::-1][:3]
    assert all(v.status == "completed" and v.model == "veo-3.1" for v in newest.data)
    assert [v.id for v in sdk.videos.list()] == ids[::-1]   # the defaults: newest first


def test_list_refusal_is_the_sdks_bad_request(sdk):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.list(after="video_unknown")
    assert caught.value.status_code == 400 and caught.value.param == "after"


def test_delete_then_retrieve_is_not_found(sdk):
    video = create(sdk)
    deleted = sdk.videos.delete(video.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (video.id, "video.deleted", True)
    with pytest.raises(openai.NotFoundError):
        sdk.videos.retrieve(video.id)
    with pytest.raises(openai.NotFoundError):
        sdk.videos.delete(video.id)
    assert video.id not in [v.id for v in sdk.videos.list()]


def test_remix_makes_a_new_video(sdk):
    source = create(sdk)
    remix = sdk.videos.remix(source.id, prompt="the same fox, at night")
    assert remix.id != source.id and remix.remixed_from_video_id == source.id
    assert remix.status == "queued" and remix.prompt == "the same fox, at night"
    done = sdk.videos.poll(remix.id)
    assert done.status == "completed" and done.remixed_from_video_id == source.id
    assert done.size == source.size and done.seconds == source.seconds


@pytest.mark.parametrize("variant, asset", [("thumbnail", "thumbnail.jpg"), ("spritesheet", "spritesheet.jpg"),
                                            ("video", "sample.mp4")])
def test_download_content_variants(sdk, tmp_path, variant, asset):
    video = create(sdk)
    expected = (ASSETS / asset).read_bytes()
    assert sdk.videos.download_content(video.id, variant=variant).read() == expected
    target = tmp_path / asset
    with sdk.videos.with_streaming_response.download_content(video.id, variant=variant) as response:
        response.stream_to_file(target)
    assert target.read_bytes() == expected


def test_download_content_default_is_the_video(sdk):
    video = create(sdk)
    assert sdk.videos.download_content(video.id).read() == (ASSETS / "sample.mp4").read_bytes()


def test_async_client_pages_and_remixes(emu):
    async def run() -> tuple[list[str], list[str], str | None]:
        async with openai.AsyncOpenAI(api_key=API_KEY, base_url=f"{emu.base_url}/v1", max_retries=0) as client:
            made = [(await client.videos.create(model="veo-3.1", prompt="p", size="16x9")).id  # type: ignore[arg-type]
                    for _ in range(3)]
            seen = [v.id async for v in client.videos.list(limit=1, order="asc")]
            remix = await client.videos.remix(made[0], prompt="again")
            return made, seen, remix.remixed_from_video_id

    made, seen, remixed_from = asyncio.run(run())
    assert seen == made and remixed_from == made[0]
