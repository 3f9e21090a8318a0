"""Settings and command-line options of the Kling and chat routes."""

from __future__ import annotations

import pytest

from conftest import get, post_json
from test_emulator import assert_openai_error, set_control
from videogen_emulator.__main__ import parse_args
from videogen_emulator.store import error_scenario


def test_defaults_and_updates(emu):
    settings = get(f"{emu.base_url}/_emulator/control", headers={}).json()
    assert settings["kling_shape"] == "envelope" and settings["chat_form"] == "markdown"
    new = set_control(emu, kling_shape="flat", chat_form="part")
    assert new["kling_shape"] == "flat" and new["chat_form"] == "part"


@pytest.mark.parametrize("changes", [{"kling_shape": "openai"}, {"chat_form": "gif"}, {"chat_form": None}])
def test_bad_values_are_refused_atomically(emu, changes):
    reply = post_json(f"{emu.base_url}/_emulator/control", {"kling_shape": "flat", **changes}, headers={})
    assert_openai_error(reply, 400, "invalid_value")
    assert emu.settings.get("kling_shape") == "envelope"


def test_constructor_options(make_emu):
    emu = make_emu(kling_shape="flat", chat_form="html")
    assert emu.settings.get("kling_shape") == "flat" and emu.settings.get("chat_form") == "html"
    with pytest.raises(ValueError):
        make_emu(kling_shape="xml")


def test_command_line_options():
    args = parse_args(["--kling-shape", "flat", "--chat-form", "plain"])
    assert (args.kling_shape, args.chat_form) == ("flat", "plain")
    defaults = parse_args([])
    assert (defaults.kling_shape, defaults.chat_form) == ("envelope", "markdown")
    with pytest.raises(SystemExit):
        parse_args(["--chat-form", "gif"])


@pytest.mark.parametrize("model, code", [
    ("kling-v1-emu-error-1102", "1102"), ("EMU-ERROR-insufficient_balance", "insufficient_balance"),
    ("emu-error-", None), ("kling-v1", None), ("emu-fail", None),
])
def test_error_scenario_names(model, code):
    assert error_scenario(model) == code
