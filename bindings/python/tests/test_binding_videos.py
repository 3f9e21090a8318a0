"""The binding's calls on the videos a service keeps: Client.list_tasks / iter_tasks, Task.delete_remote,
Task.remix and Task.download(variant=...), against the emulator."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

import videogen
from conftest import EMULATOR_ASSETS, make_client
from videogen import _loader

ASSETS = Path(EMULATOR_ASSETS)


def finished(client, count=1, model="veo-3.1"):
    tasks = [client.submit(model=model, prompt="a lighthouse at dusk", aspect_ratio="16:9", duration=8)
             for _ in range(count)]
    for task in tasks:
        task.wait(timeout=30)
    return tasks


def test_list_tasks_pages_with_after_limit_and_order(client):
    made = [task.id for task in finished(client, 5)]
    first = client.list_tasks(limit=2, order="asc")
    assert isinstance(first, videogen.VideoPage)
    assert first.ids == made[:2] and first.first_id == made[0] and first.last_id == made[1] and first.has_more
    second = client.list_tasks(limit=2, order="asc", after=first.last_id)
    assert second.ids == made[2:4] and second.has_more
    last = client.list_tasks(limit=2, order="asc", after=second.last_id)
    assert last.ids == [made[4]] and not last.has_more
    newest = client.list_tasks(limit=3, order="desc")
    assert newest.ids == made[::-1][:3]
    record = newest.records[0]
    assert record["state"] == "succeeded" and record["dialect"] == "openai" and record["model"] == "veo-3.1"
    assert client.list_tasks().ids == made[::-1]                  # the service's defaults: newest first
    assert [r["id"] for r in client.iter_tasks(order="asc", page_size=2)] == made


def test_a_listed_record_resumes_into_a_task(client, tmp_path):
    made = finished(client)[0]
    record = client.list_tasks(limit=1).records[0]
    with client.resume(record) as task:
        assert task.id == made.id and task.state is videogen.State.SUCCEEDED
        assert task.download(tmp_path / "v.mp4").path.read_bytes() == (ASSETS / "sample.mp4").read_bytes()


def test_list_arguments_are_checked(client):
    for kwargs in ({"limit": 0}, {"limit": 101}, {"order": "up"}, {"after": ""}):
        with pytest.raises(videogen.InvalidArgumentError):
            client.list_tasks(**kwargs)
    with pytest.raises(videogen.VideoGenError) as caught:
        client.list_tasks(after="video_unknown")
    assert caught.value.code == videogen.ErrorCode.BAD_REQUEST and caught.value.http_status == 400


def test_delete_remote_then_the_task_is_gone(client):
    task = finished(client)[0]
    task.delete_remote()
    assert task.state is videogen.State.SUCCEEDED                 # the last snapshot stays
    with pytest.raises(videogen.NotFoundError):
        task.poll()
    with pytest.raises(videogen.NotFoundError):
        task.delete_remote()
    assert task.id not in client.list_tasks().ids


def test_delete_remote_of_a_running_video_is_refused(client):
    with client.submit(model="veo-3.1-emu-stuck", prompt="p", aspect_ratio="16:9") as task:
        with pytest.raises(videogen.VideoGenError) as caught:
            task.delete_remote()
        assert caught.value.code == videogen.ErrorCode.BAD_REQUEST
        assert "only completed or failed videos" in caught.value.message


def test_remix_is_a_new_task_to_wait_for_and_download(client, tmp_path):
    source = finished(client)[0]
    with source.remix("the same lighthouse in a storm", idempotency_key="py-remix-1") as remix:
        assert remix.id != source.id and remix.remixed_from == source.id
        assert remix.record()["idempotency_key"] == "py-remix-1"
        remix.wait(timeout=30)
        file = remix.download(tmp_path / "remix.mp4")
        assert file.path.read_bytes() == (ASSETS / "sample.mp4").read_bytes() and file.variant == "video"
        assert remix.record()["remixed_from"] == source.id
    assert source.remixed_from is None


def test_remix_refusals(client):
    source = finished(client)[0]
    with pytest.raises(videogen.InvalidArgumentError):
        source.remix("")
    with pytest.raises(videogen.InvalidArgumentError):
        source.remix("p", extra={"prompt": "again"})
    with client.submit(model="veo-3.1-emu-stuck", prompt="p", aspect_ratio="16:9") as stuck:
        with pytest.raises(videogen.VideoGenError) as caught:
            stuck.remix("p")
        assert caught.value.code == videogen.ErrorCode.BAD_REQUEST and caught.value.task is stuck


@pytest.mark.parametrize("variant", ["thumbnail", "spritesheet"])
def test_download_variants(client, tmp_path, variant):
    task = finished(client)[0]
    seen = []
    file = task.download(tmp_path / f"{variant}.jpg", on_progress=seen.append, variant=variant)
    expected = (ASSETS / f"{variant}.jpg").read_bytes()
    assert file.path.read_bytes() == expected and file.variant == variant
    assert file.size == len(expected) and file.sha256 == hashlib.sha256(expected).hexdigest()
    assert seen and seen[-1].kind == "download" and seen[-1].bytes_received == len(expected)
    assert task.file == file and task.video_url.endswith("/content")


def test_download_variant_refusals(client, tmp_path):
    task = finished(client)[0]
    with pytest.raises(videogen.InvalidArgumentError) as caught:
        task.download(tmp_path / "x.gif", variant="gif")  # type: ignore[arg-type]
    assert "video, thumbnail, spritesheet" in caught.value.message
    with client.submit(model="veo-3.1", prompt="p", aspect_ratio="16:9") as running:
        with pytest.raises(videogen.VideoGenError) as not_ready:
            running.download(tmp_path / "t.jpg", variant="thumbnail")
        assert not_ready.value.code == videogen.ErrorCode.NOT_READY
    assert not (tmp_path / "t.jpg").exists()


def test_other_dialects_refuse_by_name(emu, tmp_path):
    with make_client(emu, "unified") as unified:
        with pytest.raises(videogen.VideoGenError) as caught:
            unified.list_tasks()
        assert caught.value.code == videogen.ErrorCode.UNSUPPORTED and "no list operation" in caught.value.message
        task = unified.submit(model="kling-v1", prompt="p")
        task.wait(timeout=30)
        for call, words in ((task.delete_remote, "no delete operation"), (lambda: task.remix("p"), "no remix operation"),
                            (lambda: task.download(tmp_path / "t.jpg", variant="thumbnail"),
                             "no thumbnail download operation")):
            with pytest.raises(videogen.VideoGenError) as caught:
                call()
            assert caught.value.code == videogen.ErrorCode.UNSUPPORTED and words in caught.value.message
        assert task.download(tmp_path / "v.mp4", variant="video").variant == "video"


def test_an_older_library_is_refused_by_name(client, monkeypatch):
    library = _loader.library()
    older = dataclasses.replace(library, missing=library.missing | {"vg_client_list_tasks", "vg_task_remix"})
    monkeypatch.setattr(_loader, "_library", older)
    with pytest.raises(videogen.VideoGenError) as caught:
        client.list_tasks()
    assert caught.value.code == videogen.ErrorCode.UNSUPPORTED and "vg_client_list_tasks" in caught.value.message
