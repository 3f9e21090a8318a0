"""Reading a callgrind profile: instructions per function (self and inclusive) and per layer of the stack.

Parses callgrind's output format (name compression, `calls=` lines, several threads in one file) without
callgrind_annotate, demangles Swift names with `swift demangle` when it is on the PATH, and sorts every function
into one layer (libcurl, the Swift runtime, allocations, JSON, our engine, ...) by its object and name.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

_COMPRESSED = re.compile(r"^\((\d+)\)(?: (.*))?$")


@dataclass
class Profile:
    """Instruction counts (Ir) of one run: per (object, function) self and inclusive, and the total."""

    total: int = 0
    self_cost: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    inclusive: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    #: (caller, callee) -> the inclusive cost of the caller's calls to the callee
    calls: dict[tuple[tuple[str, str], tuple[str, str]], int] = field(default_factory=lambda: defaultdict(int))


def _name(table: dict[str, str], value: str) -> str:
    """A possibly compressed name: '(12) text' defines id 12, '(12)' refers to it."""
    match = _COMPRESSED.match(value.strip())
    if not match:
        return value.strip()
    key, text = match.groups()
    if text is not None:
        table[key] = text
    return table.get(key, f"({key})")


def parse(path: Path) -> Profile:
    """The profile in callgrind output file `path` (first event column: Ir)."""
    profile = Profile()
    objects: dict[str, str] = {}
    files: dict[str, str] = {}
    functions: dict[str, str] = {}
    ob = fn = cob = ""
    callee: tuple[str, str] | None = None
    call_pending = False
    with open(path, errors="replace") as lines:
        for raw in lines:
            line = raw.rstrip("\n")
            if not line:
                continue
            head = line[0]
            if head.isdigit() or head in "+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
                key = (ob, fn)
                if call_pending:
                    # The cost line after `calls=` is the call's inclusive cost: it counts towards the caller's
                    # inclusive cost only (a direct recursive call is not counted twice).
                    if callee != key:
                        profile.inclusive[key] += cost
                    if callee is not None:
                        profile.calls[(key, callee)] += cost
                    call_pending, callee, cob = False, None, ob
                else:
                    profile.self_cost[key] += cost
                    profile.inclusive[key] += cost
                    profile.total += cost
                continue
            name, _, value = line.partition("=")
            if name == "ob":
                ob = cob = _name(objects, value)
            elif name in ("fl", "fi", "fe", "cfi", "cfl"):
                _name(files, value)
            elif name == "fn":
                fn = _name(functions, value)
                cob, callee = ob, None
            elif name == "cob":
                cob = _name(objects, value)
            elif name == "cfn":
                callee = (cob, _name(functions, value))
            elif name == "calls":
                call_pending = True
    return profile


def demangle(names: list[str]) -> dict[str, str]:
    """Swift names demangled (simplified) by `swift demangle`; names it does not know stay as they are."""
    tool = shutil.which("swift-demangle") or shutil.which("swift")
    if not tool or not names:
        return {n: n for n in names}
    command = [tool] if tool.endswith("swift-demangle") else [tool, "demangle"]
    done = subprocess.run(command + ["--simplified"], input="\n".join(names) + "\n", capture_output=True,
                          text=True, timeout=120)
    out = done.stdout.splitlines()
    if done.returncode != 0 or len(out) != len(names):
        return {n: n for n in names}
    return dict(zip(names, out))


#: Layers, first match wins: (label, object pattern, name pattern). Patterns are regular expressions searched in the
#: object's path and the demangled function name.
LAYERS: list[tuple[str, str, str]] = [
    ("JSON code itself (JSONDecoder, JSONValue, FieldReader; self cost only)", r"libvideogen|libFoundation",
     r"JSON|FieldReader|Decod|Encod|Scanner"),
    ("libcurl (and its TLS, compression, IDN libraries)",
     r"libcurl|libssl|libcrypto|libnghttp2|libz\.|libbrotli|libzstd|libidn2|libpsl|libgnutls|libnettle", r""),
    ("allocations (malloc/free in libc, swift_allocObject/dealloc)", r"libc\.so|libc-|libswiftCore",
     r"malloc|free|calloc|realloc|_int_|tcache|arena|memalign|swift_allocObject|swift_deallocObject|"
     r"swift_slowAlloc|swift_slowDealloc|swift_allocBox|swift_deallocClassInstance|swift_release_dealloc"),
    ("Swift runtime: reference counting", r"libswiftCore", r"swift_retain|swift_release|swift_bridgeObject|"
     r"swift_unknownObject|swift_weak|swift_isUniquely|RefCount"),
    ("Swift runtime: generics, metadata, casts, strings, collections", r"libswiftCore|libswift_StringProcessing|"
     r"libswiftSynchronization|libswiftGlibc", r""),
    ("Swift concurrency and Dispatch (tasks, continuations, executors, thread wake-ups)",
     r"libswift_Concurrency|libdispatch|libswiftDispatch|libBlocksRuntime", r""),
    ("Foundation (other than JSON: Data, URL, Date, String bridging)", r"libFoundation|FoundationICU", r""),
    ("videogen: transport (libcurl glue, loop, transfers, head parsing, redirects)", r"libvideogen",
     r"Curl|Transport|ResponseHead|Redirect|OriginPolicy|HTTPRequest|HTTPResponse|videogen_curl|MonotonicTime"),
    ("videogen: C shims and dispatch queue", r"libvideogen", r"VideoGenC|vg_|TaskBox|Exports|Operation|Event"),
    ("videogen: engine and providers (polling, retry, adapters, snapshots)", r"libvideogen", r""),
    ("libc (other: memcpy, strings, syscall wrappers, locks)", r"libc\.so|libc-|libm\.|libpthread", r""),
    ("dynamic loader, valgrind preload", r"ld-linux|vgpreload|valgrind", r""),
    ("the benchmark client", r"vg_tasks|curl_multi_loop", r""),
]


def layer_of(obj: str, name: str) -> str:
    """The label of the first layer whose object and name patterns both match."""
    for label, obj_pattern, name_pattern in LAYERS:
        if re.search(obj_pattern, obj) and (not name_pattern or re.search(name_pattern, name)):
            return label
    return "other"


#: Inclusive costs at a boundary: (label, callee object, callee name, caller object, caller name) patterns; the cost of
#: every call whose callee matches and whose caller does not match both of the caller patterns (so a recursive or
#: internal call is not counted twice). A label starting with '-' is subtracted from the label after the '-'.
BOUNDARIES: list[tuple[str, str, str, str, str]] = [
    ("JSON parsing: JSONValue.parse (JSONDecoder into [String: JSONValue])", r"", r"static JSONValue\.parse",
     r"", r"static JSONValue\.parse"),
    ("JSON encoding: JSONEncoder.encode (snapshots, records, request bodies)", r"", r"JSONEncoder\.encode",
     r"libFoundation", r"JSONEncoder"),
    ("libcurl: calls into libcurl (perform, poll, easy setup), less its callbacks into us", r"libcurl",
     r"", r"libcurl", r""),
    ("-libcurl: calls into libcurl (perform, poll, easy setup), less its callbacks into us", r"libvideogen", r"",
     r"^((?!libcurl).)*$", r""),
    ("Foundation (libFoundation, not Essentials) called from videogen: NSString-backed String methods",
     r"libFoundation\.so", r"", r"^((?!libvideogen).)*$", r""),
    ("Swift tasks: creation (one Task per C call)", r"libswift_Concurrency", r"swift_task_create",
     r"libswift_Concurrency", r""),
    ("Swift tasks: continuation resumes and enqueues (hops between threads)", r"libswift_Concurrency",
     r"swift_continuation_resume|swift_continuation_throwingResume|swift_task_enqueueGlobal",
     r"libswift_Concurrency", r""),
]


def boundaries(profile: Profile, names: dict[str, str]) -> dict[str, int]:
    """The inclusive cost of each boundary of BOUNDARIES (total instructions, all threads)."""
    totals: dict[str, int] = defaultdict(int)
    for (caller, callee), cost in profile.calls.items():
        caller_name, callee_name = names.get(caller[1], caller[1]), names.get(callee[1], callee[1])
        for label, callee_obj, callee_pat, caller_obj, caller_pat in BOUNDARIES:
            if not (re.search(callee_obj, callee[0]) and re.search(callee_pat, callee_name)):
                continue
            if re.search(caller_obj, caller[0]) and re.search(caller_pat, caller_name):
                continue
            if label.startswith("-"):
                totals[label[1:]] -= cost
            else:
                totals[label] += cost
    return totals


def summarise(path: Path, requests: int, top: int = 20) -> dict:
    """Instructions per request by layer (self cost, sums to the total) and the top functions by inclusive and by
    self cost, from the profile in `path` of a run that served `requests` HTTP requests."""
    profile = parse(path)
    keys = set(profile.self_cost) | set(profile.inclusive)
    names = demangle(sorted({fn for _, fn in keys}))
    layers: dict[str, int] = defaultdict(int)
    for (obj, fn), cost in profile.self_cost.items():
        layers[layer_of(obj, names.get(fn, fn))] += cost
    per = max(requests, 1)

    def row(key: tuple[str, str], cost: int) -> dict:
        obj, fn = key
        return {"function": names.get(fn, fn)[:200], "object": Path(obj).name if obj else "?",
                "ir_per_request": cost / per, "share": cost / profile.total if profile.total else 0.0}

    plumbing = re.compile(r"^(start_thread|clone|main|_dispatch_|__swift_run_job|jobInvoke|swift_job_run|"
                          r"swift::runJobInEstablishedExecutorContext|swift_task_switch|0x0)")
    # Specialisations demangle to the same simplified name: one row per (object, name), the largest.
    merged: dict[tuple[str, str], int] = {}
    for (obj, fn), cost in profile.inclusive.items():
        name = names.get(fn, fn)
        if cost <= profile.total and not plumbing.search(name):
            merged[(obj, name)] = max(merged.get((obj, name), 0), cost)
    by_inclusive = sorted(merged.items(), key=lambda kv: kv[1], reverse=True)[:top]
    by_self = sorted(profile.self_cost.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return {
        "total_ir": profile.total, "requests": requests, "ir_per_request": profile.total / per,
        "layers": [{"layer": label, "ir_per_request": cost / per,
                    "share": cost / profile.total if profile.total else 0.0}
                   for label, cost in sorted(layers.items(), key=lambda kv: kv[1], reverse=True)],
        "boundaries": [{"boundary": label, "ir_per_request": cost / per,
                        "share": cost / profile.total if profile.total else 0.0}
                       for label, cost in boundaries(profile, names).items()],
        "top_inclusive": [row(k, c) for k, c in by_inclusive],
        "top_self": [row(k, c) for k, c in by_self],
    }
