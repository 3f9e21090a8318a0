"""Unit tests of the emulator's pure parts: lifecycle clock, parsers, signing, blobs."""

from __future__ import annotations

import time

import pytest

from conftest import form
from videogen_emulator import media, multipart, shapes
from videogen_emulator.cdn import UrlSigner
from videogen_emulator.inputs import data_uri_image, image_kind, is_http_url
from videogen_emulator.settings import Settings
from videogen_emulator.store import FAIL_CODE, TaskStore, scenario_for


def make_task(duration=10.0, scenario="success"):
    return TaskStore().create(id_="task_x", dialect="unified", model="m", prompt="p",
                              scenario=scenario, duration=duration)


# --- lifecycle --------------------------------------------------------------------------------

def test_lifecycle_phases_and_progress():
    task = make_task(10.0)
    at = lambda e: task.state(task.started + e)       # noqa: E731
    assert (at(0).phase, at(0).progress, at(0).queue_position) == ("queued", 0, 3)
    assert at(1.99).phase == "queued" and at(1.99).queue_position == 0
    assert [at(e).queue_position for e in (0.2, 0.6, 1.1, 1.6)] == [3, 2, 1, 0]
    # Just past the phase boundaries: (started + e) - started is not always exactly e in floating point.
    assert (at(2.001).phase, at(2.001).progress) == ("running", 1)     # clamped up from 0
    assert at(6.0).progress == 50
    assert at(9.99).progress == 99
    assert at(2.001).started_at == int(task.created_at + 2.0) and at(2.001).finished_at is None
    done = at(10.001)
    assert (done.phase, done.progress, done.has_video, done.error) == ("completed", 100, True, None)
    assert done.finished_at == int(task.created_at + 10.0) and done.terminal
    progress = [at(e / 10).progress for e in range(20, 100)]
    assert progress == sorted(progress)


def test_lifecycle_zero_duration_and_scenarios():
    assert make_task(0).state().phase == "completed"
    failed = make_task(0, "fail").state()
    assert failed.phase == "failed" and failed.error["code"] == FAIL_CODE and not failed.has_video
    stuck = make_task(0, "stuck")
    assert (stuck.state().phase, stuck.state().progress) == ("running", 50)
    assert stuck.state(stuck.started + 1e9).phase == "running"
    slow_stuck = make_task(10, "stuck")
    assert slow_stuck.state(slow_stuck.started).phase == "queued"
    assert slow_stuck.state(slow_stuck.started + 5).progress == 50
    empty = make_task(0, "empty").state()
    assert empty.phase == "completed" and not empty.has_video
    assert make_task(0, "redirect").state().has_video
    assert make_task(5, "fail").state().phase == "queued"


def test_submitted_state_is_always_queued():
    state = make_task(0).submitted_state()
    assert (state.phase, state.progress, state.queue_position) == ("queued", 0, 3)


def test_internal_status_thresholds():
    task = make_task(10.0)
    at = lambda e: shapes.internal_status(task.state(task.started + e))   # noqa: E731
    assert [at(e) for e in (0, 0.49, 0.5, 0.99, 1.0, 1.99, 2.0, 9.9, 10)] == [
        "NOT_START", "NOT_START", "SUBMITTED", "SUBMITTED", "QUEUED", "QUEUED",
        "IN_PROGRESS", "IN_PROGRESS", "SUCCESS"]
    assert shapes.internal_status(make_task(0, "fail").state()) == "FAILURE"


@pytest.mark.parametrize("model, header, expected", [
    ("sora-2", None, "success"), ("x-emu-fail-y", None, "fail"), ("EMU-STUCK", None, "stuck"),
    ("emu-empty", None, "empty"), ("veo-emu-redirect", None, "redirect"),
    ("emu-fail", "success", "success"), ("sora-2", "emu-empty", "empty"), ("sora-2", " ", "success"),
])
def test_scenario_for(model, header, expected):
    assert scenario_for(model, header) == expected


def test_scenario_for_rejects_unknown_override():
    with pytest.raises(ValueError):
        scenario_for("m", "explode")


def test_store_is_per_instance():
    a, b = TaskStore(), TaskStore()
    task = a.create(id_="t1", dialect="openai", model="m", prompt="p", scenario="success",
                    duration=1.0)
    assert a.get("t1") is task and b.get("t1") is None and len(a) == 1
    assert a.create(id_="t2", dialect="openai", model="m", prompt="p", scenario="success",
                    duration=1.0).row_id == task.row_id + 1
    a.clear()
    assert a.get("t1") is None and len(a) == 0


# --- settings ---------------------------------------------------------------------------------

def test_settings_update_is_atomic():
    settings = Settings(task_seconds=1)
    with pytest.raises(ValueError):
        settings.update({"unified_shape": "flat", "task_seconds": float("nan")})
    with pytest.raises(KeyError):
        settings.update({"unified_shape": "flat", "nope": 1})
    assert settings.snapshot()["unified_shape"] == "envelope"
    assert settings.update({"task_seconds": 2})["task_seconds"] == 2.0


# --- multipart --------------------------------------------------------------------------------

def test_multipart_roundtrip():
    body, ctype = form({"prompt": "héllo\r\nworld", "seconds": "8"},
                       {"input_reference": ("a b.png", b"\x89PNG\r\n\x1a\n--x\r\n", "image/png")})
    parts = multipart.parse(body, ctype)
    assert [(p.name, p.filename) for p in parts] == [("prompt", None), ("seconds", None),
                                                      ("input_reference", "a b.png")]
    assert parts[0].text() == "héllo\r\nworld"
    assert parts[2].data == b"\x89PNG\r\n\x1a\n--x\r\n" and parts[2].content_type == "image/png"


def test_multipart_quoted_boundary_preamble_and_params():
    body = (b"preamble\r\n--b\"q\r\n"
            b"Content-Disposition: form-data; name=\"a\\\"b\"; filename*=UTF-8''%C3%A9.png\r\n\r\n"
            b"x\r\n--b\"q--\r\nepilogue")
    parts = multipart.parse(body, 'multipart/form-data; boundary="b\\"q"')
    assert parts[0].name == 'a"b' and parts[0].filename == "é.png" and parts[0].data == b"x"


def test_multipart_empty_form():
    assert multipart.parse(b"--zz--\r\n", "multipart/form-data; boundary=zz") == []


@pytest.mark.parametrize("body, ctype", [
    (b"--zz\r\nContent-Disposition: form-data; name=a\r\n\r\nx", "multipart/form-data; boundary=zz"),
    (b"no boundary here", "multipart/form-data; boundary=zz"),
    (b"--zz\r\n\r\nx\r\n--zz--", "multipart/form-data; boundary=zz"),
    (b"--zz\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--zz--",
     "multipart/form-data; boundary=zz"),
    (b"--zz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--zz--", "multipart/form-data; boundary=zz"),
    (b"--zz\r\nbroken header\r\n\r\nx\r\n--zz--", "multipart/form-data; boundary=zz"),
    (b"--zzjunk\r\n", "multipart/form-data; boundary=zz"),
    (b"--zz--", "multipart/form-data"),
    (b"--zz--", "text/plain; boundary=zz"),
    (b"--zz--", 'multipart/form-data; boundary="zz'),
])
def test_multipart_errors(body, ctype):
    with pytest.raises(multipart.MultipartError):
        multipart.parse(body, ctype)


def test_multipart_part_limit():
    body, ctype = form({f"f{i}": "v" for i in range(multipart.MAX_PARTS + 1)})
    with pytest.raises(multipart.MultipartError):
        multipart.parse(body, ctype)


# --- ranges, media, inputs ----------------------------------------------------------------------

@pytest.mark.parametrize("header, size, expected", [
    (None, 10, None), ("bytes=0-4", 10, (0, 5)), ("bytes=5-", 10, (5, 10)),
    ("bytes=-3", 10, (7, 10)), ("bytes=-30", 10, (0, 10)), ("bytes=2-200", 10, (2, 10)),
    ("bytes=10-", 10, "unsatisfiable"), ("bytes=-0", 10, "unsatisfiable"),
    ("bytes=0-", 0, "unsatisfiable"), ("bytes=-1", 0, "unsatisfiable"),
    ("bytes=5-4", 10, None), ("bytes=-", 10, None), ("bytes=0-1,3-4", 10, None),
    ("pages=0-1", 10, None), (" BYTES = 1 - 2 ", 10, (1, 3)),
])
def test_parse_range(header, size, expected):
    assert media.parse_range(header, size) == expected


def test_blob_bytes_is_offset_consistent():
    whole = media.blob_bytes(0, 3 * media.CHUNK + 17)
    assert len(whole) == 3 * media.CHUNK + 17
    for offset in (0, 1, media.PERIOD - 1, media.PERIOD, media.CHUNK - 3, 2 * media.CHUNK + 5):
        assert media.blob_bytes(offset, 100) == whole[offset:offset + 100]
    assert whole[:media.PERIOD] == whole[media.PERIOD:2 * media.PERIOD]
    assert len(set(whole[:4096])) > 200          # not a trivial pattern
    source = media.blob_source(5 * media.CHUNK, time.time())
    assert b"".join(source.read(10, 3 * media.CHUNK)) == whole[10:3 * media.CHUNK]


def test_sample_is_small_h264_mp4():
    data = media.SAMPLE_PATH.read_bytes()
    assert data[4:8] == b"ftyp" and b"avc1" in data and len(data) <= 20_000
    assert data.find(b"moov") < data.find(b"mdat")       # faststart


def test_inputs():
    assert image_kind(b"\x89PNG\r\n\x1a\nxx") == "png" and image_kind(b"hello") is None
    assert image_kind(b"RIFF1234WEBP") == "webp" and image_kind(b"RIFF1234WAVE") is None
    assert is_http_url("https://a.b/c") and is_http_url("http://a") and not is_http_url("https://")
    assert not is_http_url("ftp://a/b") and not is_http_url("http://[::1")
    assert data_uri_image("data:image/gif;base64,R0lGODlhAQ==") == b"GIF89a\x01"
    assert data_uri_image("data:text/plain;base64,R0lGODlhAQ==") is None
    assert data_uri_image("data:image/png,rawtext") is None


# --- signing ----------------------------------------------------------------------------------

def test_url_signer():
    import urllib.parse
    signer, other = UrlSigner(), UrlSigner()
    url = signer.sign("http://cdn", "task_a.mp4", 60)
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert parts.path == "/files/task_a.mp4" and len(query["sig"]) == 64
    assert signer.verify(parts.path, query)
    assert not other.verify(parts.path, query)
    assert not signer.verify("/files/task_b.mp4", query)
    assert not signer.verify(parts.path, {**query, "expires": str(int(query["expires"]) - 1)})
    assert not signer.verify(parts.path, {**query, "sig": "é"})
    expired = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
        signer.sign("http://cdn", "task_a.mp4", -1)).query))
    assert not signer.verify(parts.path, expired)
