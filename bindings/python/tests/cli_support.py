"""Shared by the command-line tests: run ``videogen.cli.main`` in-process, with the key in the environment."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from conftest import API_KEY

from videogen.cli import main

FAST = ["--option", 'poll={"interval": 0.1, "max_interval": 0.3}']


@dataclass
class Run:
    status: int
    out: str
    err: str


def videogen(*argv: str) -> Run:
    """Run the command line in-process."""
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return Run(int(status), out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True)
def key_in_environment(monkeypatch):
    """The key in ``$VIDEOGEN_API_KEY``, and no service chosen through the environment."""
    monkeypatch.setenv("VIDEOGEN_API_KEY", API_KEY)
    for name in ("VIDEOGEN_PROVIDER", "VIDEOGEN_DIALECT", "VIDEOGEN_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def service(emu, dialect: str = "openai") -> list[str]:
    """The arguments that point the command line at ``emu``."""
    return ["--dialect", dialect, "--base-url", emu.base_url, *FAST]
