"""The binding over the update calls: a task's view (state, progress, bytes, error, snapshot) is owned by the Task and
kept current from each update's values, never by reading the native task back; the event pump and the callback
bridge touch no private member of another class; the binding's modules import each other in no circle."""

from __future__ import annotations

import ast
import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE_MP4

import videogen
from videogen import State, _loader

PACKAGE = Path(videogen.__file__).resolve().parent

#: The getters that read a task back; the update calls make them unnecessary after a task object is made.
READ_BACKS = ("vg_task_snapshot_json", "vg_task_error_code", "vg_task_error_message", "vg_task_state",
              "vg_task_progress", "vg_task_queue_position", "vg_task_bytes_received", "vg_task_bytes_total")


@pytest.fixture
def read_backs(monkeypatch) -> Iterator[dict[str, int]]:
    """Counts every call of a read-back getter made through the binding's library object."""
    lib = _loader.lib()
    counts = dict.fromkeys(READ_BACKS, 0)
    for name in READ_BACKS:
        function = getattr(lib, name)

        def counting(*args, _function=function, _name=name):
            counts[_name] += 1
            return _function(*args)

        monkeypatch.setattr(lib, name, counting)
    yield counts


def test_a_wait_and_a_download_learn_everything_from_the_updates(client, read_backs, tmp_path):
    task = client.submit(model="sora-2", prompt="a fox")
    made = dict(read_backs)
    assert made["vg_task_snapshot_json"] == 1  # the new task object read its view once
    seen = []
    task.wait(timeout=30, on_progress=seen.append)
    video = task.download(tmp_path / "fox.mp4", on_progress=seen.append)
    task.poll()
    assert read_backs == made  # nothing read back after that
    statuses = [p for p in seen if p.kind == "status"]
    downloads = [p for p in seen if p.kind == "download"]
    assert statuses[0].state in (State.QUEUED, State.RUNNING) and statuses[-1].state is State.SUCCEEDED
    assert statuses[-1].percent == 100
    assert downloads and downloads[-1].bytes_received == downloads[-1].bytes_total == os.path.getsize(SAMPLE_MP4)
    assert task.state is State.SUCCEEDED and task.progress == 100 and task.video_url
    assert task.bytes_received == task.bytes_total == os.path.getsize(SAMPLE_MP4)
    assert video == task.file and video.path == tmp_path / "fox.mp4" and len(video.sha256) == 64


def test_a_failed_task_brings_its_error_in_the_update(client, read_backs):
    task = client.submit(model="emu-fail", prompt="a fox")
    made = dict(read_backs)
    with pytest.raises(videogen.ContentPolicyError) as caught:
        task.wait(timeout=30)
    assert read_backs == made
    assert task.state is State.FAILED
    assert isinstance(task.error, videogen.ContentPolicyError)
    assert task.error.provider_code == "content_policy_violation" and task.error.task is task
    assert caught.value.task is task and caught.value.provider_code == task.error.provider_code
    assert task.record()["error"]["provider_code"] == "content_policy_violation"


def test_asyncio_updates_reach_the_view_without_read_backs(client, read_backs, tmp_path):
    seen = []

    async def main():
        return await client.generate_async(model="sora-2", prompt="a fox", output=tmp_path / "a.mp4",
                                           on_progress=seen.append, timeout=30)

    task = asyncio.run(main())
    # One read when the task object was made (an asynchronous submit's task exists before it is answered).
    assert read_backs["vg_task_snapshot_json"] == 1
    assert sum(read_backs.values()) == read_backs["vg_task_snapshot_json"] + 3  # + error code and the two byte counts
    assert task.id.startswith("video_") and task.state is State.SUCCEEDED and task.file is not None
    assert [p.kind for p in seen][-1] == "download"
    assert any(p.kind == "status" and p.state is State.SUCCEEDED for p in seen)


# -- the shape of the package ---------------------------------------------------------------------------------------


def module_names() -> dict[str, Path]:
    """Every module of the binding (the emulator, a package of its own, left out), by dotted name."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "emulator" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The binding's modules that ``name`` imports anywhere: at the top, inside functions, or for type checkers."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            base = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
            for alias in node.names:  # `from . import _cabi` names a module; `from .task import Task` a member
                member = f"{base}.{alias.name}"
                found.add(member if member in modules else base)
    return {target for target in found if target in modules and target != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_the_binding_has_no_import_circle():
    modules = module_names()
    assert {"videogen.task", "videogen.client", "videogen._events", "videogen._callbacks"} <= set(modules)
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    assert "videogen._view" in graph["videogen.task"]  # the parse sees relative imports
    assert cycles(graph) == []


@pytest.mark.parametrize("module", ["_events.py", "_callbacks.py", "_view.py"])
def test_the_pump_and_the_bridge_touch_no_private_member_of_another_object(module):
    tree = ast.parse((PACKAGE / module).read_text())
    reached = [
        f"{ast.unparse(node.value)}.{node.attr} (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
    ]
    assert reached == []
