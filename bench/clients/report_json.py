"""What the Python benchmark clients share: reading /proc/self/status and writing the result file."""

from __future__ import annotations

import json
from typing import Any


def proc_status_kb(field: str) -> int:
    """A field of /proc/self/status in kB (VmRSS, VmHWM) or as a count (Threads); -1 when absent."""
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name == field:
                return int(value.split()[0])
    return -1


def write_result(path: str, **fields: Any) -> None:
    """Write one client's result with its peak RSS, in the format vg_tasks.c writes (threads are sampled by the
    harness)."""
    fields["peak_rss_kb"] = proc_status_kb("VmHWM")
    with open(path, "w") as out:
        json.dump(fields, out)
