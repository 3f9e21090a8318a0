"""``videogen list``, ``delete``, ``remix`` and ``download --variant``, run in-process against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import API_KEY, EMULATOR_ASSETS, make_client

from cli_support import FAST, Run, key_in_environment, service, videogen  # noqa: F401 (the fixture is autouse)

from videogen.cli import ExitStatus

ASSETS = Path(EMULATOR_ASSETS)
def finished_ids(emu, count: int) -> list[str]:
    with make_client(emu) as client:
        tasks = [client.submit(model="veo-3.1", prompt="a lighthouse", aspect_ratio="16:9") for _ in range(count)]
        for task in tasks:
            task.wait(timeout=30)
        return [task.id for task in tasks]


def test_list_one_page_and_the_hint_for_the_next(emu):
    ids = finished_ids(emu, 3)
    run = videogen("list", *service(emu), "--limit", "2", "--order", "asc")
    assert run.status == ExitStatus.OK, run.err
    lines = run.out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ids[:2]
    assert lines[0].split("\t")[1:] == ["succeeded", "100%", "veo-3.1"]
    assert f"--after {ids[1]}" in run.err
    rest = videogen("list", *service(emu), "--order", "asc", "--after", ids[1])
    assert [line.split("\t")[0] for line in rest.out.splitlines()] == [ids[2]] and rest.err == ""


def test_list_all_pages_as_json(emu):
    ids = finished_ids(emu, 5)
    run = videogen("list", *service(emu), "--limit", "2", "--order", "desc", "--all", "--json")
    assert run.status == ExitStatus.OK, run.err
    records = [json.loads(line) for line in run.out.splitlines()]
    assert [r["id"] for r in records] == ids[::-1]
    assert all(r["dialect"] == "openai" and r["state"] == "succeeded" for r in records)


def test_list_refusals(emu):
    run = videogen("list", *service(emu, "unified"))
    assert run.status == ExitStatus.USAGE and "no list operation" in run.err
    run = videogen("list", *service(emu), "--limit", "0")
    assert run.status == ExitStatus.USAGE and "'limit'" in run.err


def test_delete_prints_what_it_deleted_and_reports_the_rest(emu):
    [kept, gone] = finished_ids(emu, 2)
    run = videogen("delete", *service(emu), gone, "video_nope")
    assert run.status == ExitStatus.NOT_FOUND
    assert run.out.splitlines() == [gone] and "video_nope" in run.err
    assert videogen("status", *service(emu), gone).status == ExitStatus.NOT_FOUND
    assert videogen("status", *service(emu), kept).status == ExitStatus.OK


def test_remix_prints_the_new_task_or_waits_and_downloads(emu, tmp_path):
    [source] = finished_ids(emu, 1)
    started = videogen("remix", *service(emu), source, "-p", "the same lighthouse in a storm")
    assert started.status == ExitStatus.OK, started.err
    new_id = started.out.strip()
    assert new_id.startswith("video_") and new_id != source
    output = tmp_path / "remix.mp4"
    # with a preset: the record names only the id, the preset gives the dialect
    done = videogen("remix", "--provider", "openai", "--base-url", emu.base_url, *FAST, source, "-p", "again",
                    "-o", str(output), "--json", "-q", "--record", str(tmp_path / "remix.json"))
    assert done.status == ExitStatus.OK, done.err
    record = json.loads(done.out)
    assert record["remixed_from"] == source and record["state"] == "succeeded"
    assert output.read_bytes() == (ASSETS / "sample.mp4").read_bytes()
    assert json.loads((tmp_path / "remix.json").read_text())["id"] == record["id"]


def test_remix_of_an_unfinished_video_is_refused(emu):
    with make_client(emu) as client:
        stuck = client.submit(model="veo-3.1-emu-stuck", prompt="p", aspect_ratio="16:9")
    run = videogen("remix", *service(emu), stuck.id, "-p", "again")
    assert run.status == ExitStatus.ERROR and "only completed videos can be remixed" in run.err


@pytest.mark.parametrize("variant", ["thumbnail", "spritesheet"])
def test_download_a_variant(emu, tmp_path, variant):
    [task_id] = finished_ids(emu, 1)
    target = tmp_path / f"{variant}.jpg"
    run = videogen("download", *service(emu), task_id, "-o", str(target), "--variant", variant, "-q")
    assert run.status == ExitStatus.OK, run.err
    assert run.out.strip() == str(target)
    assert target.read_bytes() == (ASSETS / f"{variant}.jpg").read_bytes()


def test_download_variant_choices_are_checked(emu, tmp_path, capsys):
    run = videogen("download", *service(emu), "video_x", "-o", str(tmp_path / "x"), "--variant", "gif")
    assert run.status == ExitStatus.USAGE and "invalid choice: 'gif'" in capsys.readouterr().err
