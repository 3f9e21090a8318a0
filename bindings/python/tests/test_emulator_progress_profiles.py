"""The emulator's progress curves: tasks whose progress rate varies, for clients that estimate the end from it."""

from __future__ import annotations

import pytest

from conftest import AUTH, get, post_json
from test_emulator import assert_openai_error, set_control
from videogen_emulator.progress_profiles import NAMES, PROFILES, progress_at
from videogen_emulator.store import TaskStore


@pytest.mark.parametrize("name", NAMES)
def test_curves_rise_from_0_to_100(name):
    values = [progress_at(name, i / 1000) for i in range(1001)]
    assert values[0] == 0 and values[-1] == 100
    assert values == sorted(values)
    for share, progress in PROFILES[name]:
        assert progress_at(name, share) == pytest.approx(progress)
    assert progress_at(name, -1) == 0 and progress_at(name, 2) == 100


def make_task(profile: str, duration: float = 10.0):
    store = TaskStore(progress_profile=lambda: profile)
    return store.create(id_="task_p", dialect="openai", model="m", prompt="p", scenario="success", duration=duration)


def test_variable_curve_in_a_task():
    # 10 s: queued for 2 s, then 8 s running: 10 % at 30 % of it, 60 % half-way, 62 % at 70 %, done at 10 s.
    task = make_task("variable")
    at = lambda e: task.state(task.started + e)       # noqa: E731
    assert task.progress_profile == "variable"
    assert (at(1.0).phase, at(1.0).progress) == ("queued", 0)
    assert at(2.0 + 0.3 * 8 + 1e-6).progress == 10
    assert at(2.0 + 0.5 * 8 + 1e-6).progress == 60
    assert at(2.0 + 0.7 * 8 + 1e-6).progress == 62
    assert at(9.99).progress == 99
    assert at(10.001).phase == "completed" and task.completes_at == task.created_at + 10.0


def test_linear_is_unchanged_and_the_default():
    task = TaskStore().create(id_="t", dialect="openai", model="m", prompt="p", scenario="success", duration=10.0)
    assert task.progress_profile == "linear"
    assert task.state(task.started + 6.0).progress == 50


def test_setting_applies_to_new_tasks(emu):
    assert get(f"{emu.base_url}/_emulator/control", headers={}).json()["progress_profile"] == "linear"
    first = post_json(f"{emu.base_url}/v1/videos", {"model": "sora-2", "prompt": "a"}, headers=AUTH).json()["id"]
    assert set_control(emu, progress_profile="stall")["progress_profile"] == "stall"
    second = post_json(f"{emu.base_url}/v1/videos", {"model": "sora-2", "prompt": "b"}, headers=AUTH).json()["id"]
    assert emu.store.get(first).progress_profile == "linear"
    assert emu.store.get(second).progress_profile == "stall"


@pytest.mark.parametrize("value", ["quadratic", None, 3])
def test_bad_profiles_are_refused(emu, value):
    reply = post_json(f"{emu.base_url}/_emulator/control", {"progress_profile": value}, headers={})
    assert_openai_error(reply, 400, "invalid_value")
    assert emu.settings.get("progress_profile") == "linear"
