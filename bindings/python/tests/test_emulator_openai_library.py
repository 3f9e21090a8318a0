"""The emulator's /v1/videos list, delete, remix and content variants over raw HTTP (both server engines)."""

from __future__ import annotations

from pathlib import Path

from conftest import AUTH, EMULATOR_ASSETS, call, get, post_form, post_json

ASSETS = Path(EMULATOR_ASSETS)
JPEG_START, JPEG_END = b"\xff\xd8\xff", b"\xff\xd9"


def create(emu, model="veo-3.1", size="16x9"):
    reply = post_form(f"{emu.base_url}/v1/videos", {"prompt": "a cat", "model": model, "size": size})
    assert reply.status == 200, reply.body
    return reply.json()["id"]


def listing(emu, query=""):
    reply = get(f"{emu.base_url}/v1/videos{query}")
    assert reply.status == 200, reply.body
    return reply.json()


def error_of(reply, status, code, param=None):
    assert reply.status == status, reply.body
    error = reply.json()["error"]
    assert error["code"] == code and error["param"] == param, error
    return error["message"]


# --- list ---------------------------------------------------------------------------------------------------------

def test_list_pages_newest_first_by_default(make_emu):
    emu = make_emu(task_seconds=0)
    ids = [create(emu) for _ in range(5)]
    post_json(f"{emu.base_url}/v1/video/generations", {"model": "kling-v1", "prompt": "not listed"})
    page = listing(emu, "?limit=2")
    assert set(page) == {"object", "data", "first_id", "last_id", "has_more"}
    assert page["object"] == "list" and page["has_more"] is True
    assert [v["id"] for v in page["data"]] == [ids[4], ids[3]]
    assert page["first_id"] == ids[4] and page["last_id"] == ids[3]
    assert all(v["object"] == "video" and v["status"] == "completed" for v in page["data"])
    second = listing(emu, f"?limit=2&after={page['last_id']}")
    assert [v["id"] for v in second["data"]] == [ids[2], ids[1]] and second["has_more"] is True
    last = listing(emu, f"?limit=2&after={second['last_id']}")
    assert [v["id"] for v in last["data"]] == [ids[0]] and last["has_more"] is False
    assert listing(emu, f"?after={ids[0]}") == {"object": "list", "data": [], "first_id": None,
                                                  "last_id": None, "has_more": False}


def test_list_ascending_and_default_limit(make_emu):
    emu = make_emu(task_seconds=0)
    ids = [create(emu) for _ in range(23)]
    page = listing(emu, "?order=asc")
    assert [v["id"] for v in page["data"]] == ids[:20] and page["has_more"] is True
    rest = listing(emu, f"?order=asc&after={page['last_id']}&limit=100")
    assert [v["id"] for v in rest["data"]] == ids[20:] and rest["has_more"] is False


def test_list_cursor_survives_deleting_its_video(make_emu):
    emu = make_emu(task_seconds=0)
    ids = [create(emu) for _ in range(3)]
    assert call("DELETE", f"{emu.base_url}/v1/videos/{ids[1]}", headers=AUTH).status == 200
    assert [v["id"] for v in listing(emu, f"?after={ids[1]}")["data"]] == [ids[0]]
    assert [v["id"] for v in listing(emu)["data"]] == [ids[2], ids[0]]


def test_list_refuses_bad_queries(emu):
    for query, param in (("?limit=0", "limit"), ("?limit=101", "limit"), ("?limit=x", "limit"),
                         ("?order=up", "order"), ("?after=video_nope", "after")):
        error_of(get(f"{emu.base_url}/v1/videos{query}"), 400, "invalid_value", param)
    error_of(get(f"{emu.base_url}/v1/videos?page=2"), 400, "unknown_parameter", "page")
    assert get(f"{emu.base_url}/v1/videos", headers={}).status == 401


# --- delete -------------------------------------------------------------------------------------------------------

def test_delete_a_finished_video_then_it_is_gone(make_emu):
    emu = make_emu(task_seconds=0)
    vid = create(emu)
    reply = call("DELETE", f"{emu.base_url}/v1/videos/{vid}", headers=AUTH)
    assert reply.status == 200 and reply.json() == {"id": vid, "object": "video.deleted", "deleted": True}
    error_of(get(f"{emu.base_url}/v1/videos/{vid}"), 404, "video_not_found")
    error_of(get(f"{emu.base_url}/v1/videos/{vid}/content"), 404, "video_not_found")
    error_of(call("DELETE", f"{emu.base_url}/v1/videos/{vid}", headers=AUTH), 404, "video_not_found")


def test_delete_refuses_unfinished_and_foreign_tasks(make_emu):
    emu = make_emu(task_seconds=100)
    vid = create(emu)
    message = error_of(call("DELETE", f"{emu.base_url}/v1/videos/{vid}", headers=AUTH), 400,
                       "invalid_video_status")
    assert "queued" in message and get(f"{emu.base_url}/v1/videos/{vid}").status == 200
    task_id = post_json(f"{emu.base_url}/v1/video/generations", {"model": "kling-v1", "prompt": "p"}).json()["id"]
    error_of(call("DELETE", f"{emu.base_url}/v1/videos/{task_id}", headers=AUTH), 404, "video_not_found")


# --- remix --------------------------------------------------------------------------------------------------------

def test_remix_creates_a_new_video_of_the_same_shape(make_emu):
    emu = make_emu(task_seconds=0)
    source = create(emu, model="veo-3.1-fast", size="9x16")
    reply = post_json(f"{emu.base_url}/v1/videos/{source}/remix", {"prompt": "the same cat, at night"})
    assert reply.status == 200, reply.body
    remix = reply.json()
    assert remix["id"] != source and remix["id"].startswith("video_")
    assert remix["remixed_from_video_id"] == source and remix["status"] == "queued"
    assert (remix["model"], remix["size"], remix["prompt"]) == ("veo-3.1-fast", "9x16", "the same cat, at night")
    done = get(f"{emu.base_url}/v1/videos/{remix['id']}").json()
    assert done["status"] == "completed" and done["remixed_from_video_id"] == source
    assert get(f"{emu.base_url}/v1/videos/{remix['id']}/content").status == 200


def test_remix_refusals(make_emu):
    emu = make_emu(task_seconds=0)
    source = create(emu)
    url = f"{emu.base_url}/v1/videos/{source}/remix"
    error_of(post_json(url, {}), 400, "missing_required_parameter", "prompt")
    error_of(post_json(url, {"prompt": "  "}), 400, "missing_required_parameter", "prompt")
    error_of(post_json(url, {"prompt": 3}), 400, "invalid_type", "prompt")
    error_of(post_json(url, {"prompt": "p", "seconds": "8"}), 400, "unknown_parameter", "seconds")
    error_of(post_form(url, {"prompt": "p"}), 400, "unsupported_content_type")
    error_of(post_json(f"{emu.base_url}/v1/videos/video_nope/remix", {"prompt": "p"}), 404, "video_not_found")
    failed = create(emu, model="veo-3.1-emu-fail")
    error_of(post_json(f"{emu.base_url}/v1/videos/{failed}/remix", {"prompt": "p"}), 400, "invalid_video_status")


def test_remix_refuses_a_running_source(make_emu):
    emu = make_emu(task_seconds=100)
    source = create(emu)
    message = error_of(post_json(f"{emu.base_url}/v1/videos/{source}/remix", {"prompt": "p"}), 400,
                       "invalid_video_status")
    assert "only completed videos can be remixed" in message


# --- content variants ---------------------------------------------------------------------------------------------

def test_variants_are_real_jpegs_with_ranges(make_emu):
    emu = make_emu(task_seconds=0)
    vid = create(emu)
    for variant in ("thumbnail", "spritesheet"):
        expected = (ASSETS / f"{variant}.jpg").read_bytes()
        assert expected.startswith(JPEG_START) and expected.endswith(JPEG_END)
        whole = get(f"{emu.base_url}/v1/videos/{vid}/content?variant={variant}")
        assert whole.status == 200 and whole.body == expected
        assert whole.headers["Content-Type"] == "image/jpeg" and whole.headers["ETag"]
        part = get(f"{emu.base_url}/v1/videos/{vid}/content?variant={variant}",
                   headers={**AUTH, "Range": "bytes=100-"})
        assert part.status == 206 and part.body == expected[100:]
    thumb, sprite = (get(f"{emu.base_url}/v1/videos/{vid}/content?variant={v}").headers["ETag"]
                     for v in ("thumbnail", "spritesheet"))
    assert thumb != sprite


def test_variants_need_a_finished_video(make_emu):
    emu = make_emu(task_seconds=100)
    vid = create(emu)
    error_of(get(f"{emu.base_url}/v1/videos/{vid}/content?variant=thumbnail"), 404, "video_not_ready")
    task_id = post_json(f"{emu.base_url}/v1/video/generations", {"model": "kling-v1", "prompt": "p"}).json()["id"]
    error_of(get(f"{emu.base_url}/v1/videos/{task_id}/content?variant=spritesheet"), 400, "unsupported_value",
             "variant")
