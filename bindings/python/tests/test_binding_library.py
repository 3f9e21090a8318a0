"""The binding's contact with the native library: finding and loading it, the ABI check, and that the ctypes
declarations, codes and states match include/videogen.h."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import EMULATOR_DIR, ROOT

import videogen
from videogen import _cabi, _loader
from videogen.errors import ERROR_CLASSES, ErrorCode
from videogen.state import State

HEADER = os.path.join(ROOT, "include", "videogen.h")
PYTHON_DIR = os.path.join(ROOT, "bindings", "python")


def header_text() -> str:
    with open(HEADER) as f:
        return f.read()


def header_functions() -> dict[str, int]:
    """Every function the header declares, with its number of parameters."""
    text = re.sub(r"/\*.*?\*/", "", header_text(), flags=re.S)
    found = {}
    for match in re.finditer(r"^[a-z][\w \*]*?\b(vg_\w+)\s*\(([^)]*)\)\s*;", text, flags=re.M):
        params = match.group(2).strip()
        found[match.group(1)] = 0 if params in ("", "void") else params.count(",") + 1
    return found


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with the package on its path and ``env`` added."""
    environment = {**os.environ, "PYTHONPATH": PYTHON_DIR, **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=environment, cwd=PYTHON_DIR)


def test_every_header_function_is_declared_with_its_arity():
    functions = header_functions()
    assert len(functions) >= 36, functions  # the parse itself must find the whole header
    assert set(functions) == set(_cabi.SIGNATURES)
    for name, arity in functions.items():
        assert len(_cabi.SIGNATURES[name][1]) == arity, name


C_TYPES = {
    "void": None, "int": ctypes.c_int, "unsigned int": ctypes.c_uint, "double": ctypes.c_double,
    "size_t": ctypes.c_size_t, "uint64_t": ctypes.c_uint64, "int64_t": ctypes.c_int64,
    "vg_code": ctypes.c_int, "vg_state": ctypes.c_int, "const char *": ctypes.c_char_p, "char *": ctypes.c_void_p,
    "void *": ctypes.c_void_p, "vg_client *": ctypes.c_void_p, "vg_task *": ctypes.c_void_p,
    "vg_error *": ctypes.c_void_p, "const vg_error *": ctypes.c_void_p,
    "vg_client **": ctypes.POINTER(ctypes.c_void_p), "vg_task **": ctypes.POINTER(ctypes.c_void_p),
    "vg_error **": ctypes.POINTER(ctypes.c_void_p), "char **": ctypes.POINTER(ctypes.c_void_p),
    "int *": ctypes.POINTER(ctypes.c_int), "size_t *": ctypes.POINTER(ctypes.c_size_t),
    "const vg_image *": ctypes.POINTER(_cabi.Image), "vg_progress_fn": _cabi.PROGRESS_FN,
    "vg_transfer_fn": _cabi.TRANSFER_FN, "vg_event_fn": _cabi.EVENT_FN, "vg_update_fn": _cabi.UPDATE_FN,
    # A webhook's raw body: bytes passed as they are (the length travels beside them, so NULs inside are fine).
    "const uint8_t *": ctypes.c_char_p, "vg_webhook_verdict *": ctypes.POINTER(ctypes.c_int),
}


def test_every_declaration_has_the_headers_types():
    text = re.sub(r"/\*.*?\*/", "", header_text(), flags=re.S)
    checked = 0
    for match in re.finditer(r"^([a-z][\w \*]*?)\b(vg_\w+)\s*\(([^)]*)\)\s*;", text, flags=re.M):
        restype, argtypes = _cabi.SIGNATURES[match.group(2)]
        assert C_TYPES[" ".join(match.group(1).split()).replace(" *", " *")] == restype, match.group(2)
        params = [p for p in (" ".join(x.split()) for x in match.group(3).split(",")) if p not in ("", "void")]
        declared = [re.sub(r"\s*(\**)\s*\w+$", r" \1", p).strip() for p in params]
        assert [C_TYPES[t] for t in declared] == argtypes, (match.group(2), declared)
        checked += 1
    assert checked == len(_cabi.SIGNATURES)
    layout = re.search(r"typedef struct vg_image \{(.*?)\} vg_image;", text, flags=re.S).group(1)
    fields = re.findall(r"(\w+);", layout)
    assert fields == [name for name, _ in _cabi.Image._fields_]
    layout = re.search(r"typedef struct vg_update \{(.*?)\} vg_update;", text, flags=re.S).group(1)
    members = re.findall(r"^\s*([\w ]+?\s*\*?)\s*(\w+);", layout, flags=re.M)
    assert [name for _, name in members] == [name for name, _ in _cabi.Update._fields_]
    member_types = {"size_t": ctypes.c_size_t, "vg_event_kind": ctypes.c_int, "vg_code": ctypes.c_int,
                    "vg_state": ctypes.c_int, "int": ctypes.c_int, "uint64_t": ctypes.c_uint64,
                    "int64_t": ctypes.c_int64, "const vg_error *": ctypes.c_void_p, "const char *": ctypes.c_char_p}
    assert [member_types[" ".join(kind.split())] for kind, _ in members] == [t for _, t in _cabi.Update._fields_]


def test_the_loaded_library_exports_every_declared_function():
    library = _loader.library()
    assert library.missing == frozenset()
    assert library.has_async
    for name, (restype, argtypes) in _cabi.SIGNATURES.items():
        function = getattr(library.cdll, name)
        assert function.argtypes == argtypes, name
        assert function.restype == restype, name


def test_error_codes_match_the_header():
    declared = {m.group(1): int(m.group(2)) for m in re.finditer(r"\bVG_(OK|E_\w+)\s*=\s*(\d+)", header_text())}
    ours = {("OK" if c is ErrorCode.OK else "E_" + c.name): c.value for c in ErrorCode}
    assert ours == declared


def test_states_match_the_header_and_the_library_names():
    declared = {m.group(1).lower(): int(m.group(2))
                for m in re.finditer(r"\bVG_STATE_(\w+)\s*=\s*(\d+)", header_text())}
    lib = _loader.lib()
    assert {s.value: i for i, s in enumerate(State.__members__.values())} == declared
    for name, number in declared.items():
        assert State.from_native(number) is State(name)
        assert lib.vg_state_str(number).decode() == name
    assert State.from_native(99) is State.FAILED
    assert [s.done for s in State] == [False, False, True, True, True, True]


def test_abi_and_version_checks():
    lib = _loader.lib()
    assert lib.vg_abi_version() == _cabi.ABI_VERSION
    assert re.search(r"#define VG_ABI_VERSION (\d+)", header_text()).group(1) == str(_cabi.ABI_VERSION)
    version = videogen.library_version()
    number = lib.vg_version_number()
    assert version == f"{number >> 16}.{(number >> 8) & 0xFF}.{number & 0xFF}"
    assert version == videogen.__version__
    assert os.path.samefile(videogen.library_path(), _loader.library().path)


def test_every_code_has_a_description_and_a_class():
    for code in ErrorCode:
        text = _loader.lib().vg_code_str(code).decode()
        assert text and text != "unknown error code", code
    assert _loader.lib().vg_code_str(12345).decode() == "unknown error code"
    assert ERROR_CLASSES[ErrorCode.RATE_LIMITED] is videogen.RateLimitError


def test_search_order_without_override(monkeypatch):
    monkeypatch.delenv("VIDEOGEN_LIBRARY", raising=False)
    paths = _loader.candidates()
    assert paths[0] == _loader._PACKAGE_DIR / "libvideogen.so"
    assert str(paths[1]) == os.path.join(ROOT, ".build", "release", "libvideogen.so")


def test_override_is_the_only_candidate(monkeypatch, tmp_path):
    monkeypatch.setenv("VIDEOGEN_LIBRARY", str(tmp_path / "nowhere.so"))
    assert _loader.candidates() == [tmp_path / "nowhere.so"]
    with pytest.raises(_loader.LibraryError, match="nowhere.so.*check VIDEOGEN_LIBRARY"):
        _loader.load()


def test_import_works_without_the_library():
    result = run_python(
        "import sys, videogen\n"
        "assert videogen._loader._library is None\n"
        "try:\n"
        "    videogen.Client(dialect='openai', base_url='http://127.0.0.1:9', api_key='k')\n"
        "except videogen.LibraryError as exc:\n"
        "    print('refused:', exc)\n",
        VIDEOGEN_LIBRARY="/nonexistent/libvideogen.so")
    assert result.returncode == 0, result.stderr
    assert "refused: libvideogen not found (looked at /nonexistent/libvideogen.so)" in result.stdout


def test_the_binding_never_imports_the_emulator():
    """Every module of the binding and its CLI imports with the emulator on the path but never loads it: the
    emulator is a product of its own (emulator/), which only ``videogen emulator`` imports, when run."""
    result = run_python(
        "import importlib, pkgutil, sys, videogen\n"
        "names = [m.name for m in pkgutil.walk_packages(videogen.__path__, 'videogen.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(' '.join(names))\n"
        "print(' '.join(sorted(m for m in sys.modules if 'emulator' in m)))\n",
        PYTHONPATH=os.pathsep.join([PYTHON_DIR, EMULATOR_DIR]))
    assert result.returncode == 0, result.stderr
    imported, emulator_modules = result.stdout.split("\n")[:2]
    assert {"videogen.client", "videogen.cli", "videogen.cli.commands", "videogen.cli.parser"} <= set(imported.split())
    assert emulator_modules == ""


def test_the_emulator_runs_without_the_binding():
    """``python -m videogen_emulator`` serves with the binding unimportable (``videogen`` blocked in sys.modules)
    and no library: it needs the standard library only."""
    code = ("import runpy, sys\n"
            "sys.modules['videogen'] = None\n"
            "sys.argv = ['videogen-emulator', '--port', '0', '--api-key', 'sk-x']\n"
            "runpy.run_module('videogen_emulator', run_name='__main__')\n")
    emulator = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=EMULATOR_DIR,
                                env=dict(os.environ, PYTHONPATH=EMULATOR_DIR, VIDEOGEN_LIBRARY="/nonexistent"))
    try:
        base_url = emulator.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), emulator.stderr.read()
        assert emulator.stdout.readline().startswith("cdn: http://")
    finally:
        emulator.terminate()
        _, err = emulator.communicate(timeout=10)
    assert emulator.returncode == 0, err


def test_override_loads_that_file(tmp_path):
    copy = tmp_path / "libvideogen-copy.so"
    shutil.copy(_loader.library().path, copy)
    result = run_python("import videogen; print(videogen.library_path())", VIDEOGEN_LIBRARY=str(copy))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(copy)


def _compile(tmp_path, source: str, name: str):
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc, "a C compiler is needed (the C test suite uses one too)"
    c_file = tmp_path / f"{name}.c"
    c_file.write_text(source)
    library = tmp_path / f"{name}.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(library), str(c_file)], check=True, timeout=60)
    return library


def test_abi_mismatch_is_refused_with_a_clear_message(tmp_path):
    fake = _compile(tmp_path, "unsigned int vg_abi_version(void) { return 999; }\n", "abi999")
    result = run_python("import videogen\nvideogen.library_path()", VIDEOGEN_LIBRARY=str(fake))
    assert result.returncode != 0
    assert f"{fake} has ABI 999 but this binding needs ABI 1" in result.stderr
    assert "LibraryError" in result.stderr


def test_a_library_that_is_not_libvideogen_is_refused(tmp_path):
    other = _compile(tmp_path, "int something_else(void) { return 1; }\n", "other")
    with pytest.raises(_loader.LibraryError, match="is not libvideogen"):
        _loader._open(other)
