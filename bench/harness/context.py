"""Where the benchmark finds its programs: the built libraries (development and dist), the compiled C clients and the
Python with openai."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import procs
from .emulator import API_KEY, REPO

C_CLIENTS = ("vg_tasks", "vg_download", "vg_overhead", "vg_polls", "curl_multi_loop", "measure")


@dataclass
class Context:
    """Paths and environment shared by the scenarios."""

    library: Path          # libvideogen.so
    build: Path            # where the C clients and the download files go
    python: str            # an interpreter with openai installed (the binding comes from the repository)
    dist_library: Path | None = None   # the self-contained libvideogen.so of `make dist` (scenario 4 loads both)

    @property
    def client_env(self) -> dict[str, str]:
        """Environment of every client process: the emulator's key, the binding and the library."""
        return dict(os.environ, VIDEOGEN_API_KEY=API_KEY, VIDEOGEN_LIBRARY=str(self.library),
                    PYTHONPATH=str(REPO / "bindings" / "python") + os.pathsep + str(REPO / "bench" / "clients"))

    def c_client(self, name: str) -> str:
        return str(self.build / name)

    def py_client(self, name: str) -> list[str]:
        return [self.python, str(REPO / "bench" / "clients" / name)]

    def compile_clients(self) -> None:
        """Build the C clients against the header and the built library (-O2 -g, warnings are errors), plus
        vg_tasks_callgrind: vg_tasks that switches callgrind's instrumentation on after the client is created."""
        self.build.mkdir(parents=True, exist_ok=True)
        videogen = [f"-L{self.library.parent}", "-lvideogen", f"-Wl,-rpath,{self.library.parent}"]
        links = {"vg_overhead": ["-ldl"], "curl_multi_loop": ["-lcurl"], "measure": []}
        builds = [(name, name, []) for name in C_CLIENTS] + [("vg_tasks", "vg_tasks_callgrind", ["-DVG_CALLGRIND"])]
        for source, name, defines in builds:
            subprocess.run(["gcc", "-std=c11", "-O2", "-g", "-Wall", "-Wextra", "-Werror", *defines,
                            f"-I{REPO / 'include'}", str(REPO / "bench" / "clients" / f"{source}.c"),
                            *links.get(source, videogen), "-o", str(self.build / name)], check=True)
        procs.LAUNCHER = str(self.build / "measure")


def default_context() -> Context:
    """The repository's release build, .build/bench, and $BENCH_PYTHON (default: this interpreter)."""
    return Context(library=REPO / ".build" / "release" / "libvideogen.so", build=REPO / ".build" / "bench",
                   python=os.environ.get("BENCH_PYTHON", sys.executable),
                   dist_library=REPO / ".build" / "dist" / "lib" / "libvideogen.so")
