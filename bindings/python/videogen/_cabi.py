"""The C declarations of ``include/videogen.h``, in one place.

Every function of the header is listed in :data:`SIGNATURES` with its return type and argument types, and
:func:`declare` applies them to a loaded library. Handles (``vg_client *``, ``vg_task *``, ``vg_error *``) are
opaque: they cross as ``c_void_p`` and are never dereferenced here.

Functions added to ABI 1 after it first shipped are *optional* (:data:`OPTIONAL`): a library that predates them
still loads, and :func:`declare` reports which ones it lacks. The update calls of 0.3.0 (``vg_update``,
``vg_update_fn``, the ``*_v2`` functions) are required: the binding reads every update's values from them.
"""

from __future__ import annotations

import ctypes
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_double, c_int, c_int64, c_size_t, c_uint, c_uint64, c_void_p
from typing import Any

#: The ABI number this binding is written for (``VG_ABI_VERSION`` in the header).
ABI_VERSION = 1

handle = c_void_p
handle_out = POINTER(c_void_p)
code = c_int  # vg_code: C enums are int-sized on every platform the library supports

#: ``int (*vg_progress_fn)(vg_task *task, void *user_data)``
PROGRESS_FN = CFUNCTYPE(c_int, c_void_p, c_void_p)
#: ``int (*vg_transfer_fn)(vg_task *task, uint64_t received, int64_t total, void *user_data)``
TRANSFER_FN = CFUNCTYPE(c_int, c_void_p, c_uint64, c_int64, c_void_p)
#: ``int (*vg_event_fn)(vg_task *task, vg_event_kind kind, vg_code code, const vg_error *error, void *user_data)``
EVENT_FN = CFUNCTYPE(c_int, c_void_p, c_int, c_int, c_void_p, c_void_p)


class Update(ctypes.Structure):
    """``vg_update``: one update of an operation with the values it changed (since 0.3.0). Valid only during the
    callback that receives it; its pointers are borrowed. Members are only ever appended: a member added after
    ``snapshot_json`` may be read only when it lies within ``size`` (the members below are all in ABI 1's layout)."""

    _fields_ = [
        ("size", c_size_t),             # sizeof(vg_update) in the library that filled it
        ("kind", c_int),                # vg_event_kind: EVENT_UPDATE, EVENT_TRANSFER or EVENT_DONE
        ("code", c_int),                # DONE: the operation's result; else VG_OK
        ("error", c_void_p),            # DONE that failed: the operation's vg_error (borrowed); else NULL
        ("state", c_int),               # vg_state after the update
        ("progress", c_int),            # 0-100, or -1 when not reported
        ("queue_position", c_int),      # 0 = next, or -1 when unknown
        ("bytes_received", c_uint64),   # bytes of the current or last download
        ("bytes_total", c_int64),       # the download's size, or -1 when unknown
        ("task_error", c_void_p),       # the task's failure as a vg_error (borrowed), or NULL
        ("snapshot_json", c_char_p),    # UPDATE and DONE: the task's snapshot after the update; NULL for TRANSFER
    ]


#: ``int (*vg_update_fn)(vg_task *task, const vg_update *update, void *user_data)``
UPDATE_FN = CFUNCTYPE(c_int, c_void_p, POINTER(Update), c_void_p)



class Image(ctypes.Structure):
    """``vg_image``: a reference image given as bytes to ``vg_client_submit_images`` (layout frozen for ABI 1)."""

    _fields_ = [
        ("field", c_char_p),      # "image", "images", "image_tail" or "input_reference"
        ("data", c_void_p),       # the bytes (copied by the library)
        ("size", c_size_t),       # their length
        ("mime_type", c_char_p),  # "image/png", ... or NULL
    ]


#: ``vg_cancel_flags``
CANCEL_LOCAL = 0
CANCEL_REMOTE = 1

#: ``vg_event_kind``
EVENT_UPDATE = 1
EVENT_TRANSFER = 2
EVENT_DONE = 3

#: name -> (restype, argtypes), in the header's order.
SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    # Versions, codes and strings
    "vg_version_number": (c_uint, []),
    "vg_version_string": (c_char_p, []),
    "vg_abi_version": (c_uint, []),
    "vg_code_str": (c_char_p, [code]),
    "vg_state_str": (c_char_p, [c_int]),
    "vg_string_free": (None, [c_void_p]),
    "vg_idempotency_key": (code, [c_char_p, c_char_p, POINTER(c_void_p), handle_out]),
    # Errors
    "vg_error_code": (code, [handle]),
    "vg_error_message": (c_char_p, [handle]),
    "vg_error_http_status": (c_int, [handle]),
    "vg_error_provider_code": (c_char_p, [handle]),
    "vg_error_retry_after": (c_double, [handle]),
    "vg_error_free": (None, [handle]),
    # Clients
    "vg_client_create": (code, [c_char_p, handle_out, handle_out]),
    "vg_client_free": (None, [handle]),
    # Tasks
    "vg_client_submit": (code, [handle, c_char_p, handle_out, handle_out]),
    "vg_client_submit_images": (code, [handle, c_char_p, POINTER(Image), c_size_t, handle_out, handle_out]),
    "vg_client_resume": (code, [handle, c_char_p, handle_out, handle_out]),
    "vg_task_poll": (code, [handle, handle_out]),
    "vg_task_wait": (code, [handle, c_double, PROGRESS_FN, c_void_p, handle_out]),
    "vg_task_download": (code, [handle, c_char_p, TRANSFER_FN, c_void_p, handle_out]),
    "vg_task_cancel": (code, [handle, c_int, handle_out]),
    "vg_task_free": (None, [handle]),
    "vg_task_id": (c_char_p, [handle]),
    "vg_task_state": (c_int, [handle]),
    "vg_task_progress": (c_int, [handle]),
    "vg_task_queue_position": (c_int, [handle]),
    "vg_task_video_url": (c_char_p, [handle]),
    "vg_task_error_code": (code, [handle]),
    "vg_task_error_message": (c_char_p, [handle]),
    "vg_task_snapshot_json": (code, [handle, POINTER(c_void_p)]),
    "vg_task_bytes_received": (c_uint64, [handle]),
    "vg_task_bytes_total": (c_int64, [handle]),
    # Asynchronous operations and event dispatch
    "vg_client_submit_async": (code, [handle, c_char_p, handle_out, handle_out]),
    "vg_task_wait_async": (code, [handle, c_double, handle_out]),
    "vg_task_download_async": (code, [handle, c_char_p, handle_out]),
    "vg_client_event_fd": (code, [handle, POINTER(c_int)]),
    "vg_client_dispatch": (code, [handle, c_double, EVENT_FN, c_void_p, POINTER(c_size_t)]),
    # Videos kept by the service: list, delete, remix, other assets (0.2.0)
    "vg_client_list_tasks": (code, [handle, c_char_p, POINTER(c_void_p), handle_out]),
    "vg_task_delete_remote": (code, [handle, handle_out]),
    "vg_task_remix": (code, [handle, c_char_p, handle_out, handle_out]),
    "vg_task_download_variant": (code, [handle, c_char_p, c_char_p, TRANSFER_FN, c_void_p, handle_out]),
    # Updates with their values (0.3.0)
    "vg_task_poll_v2": (code, [handle, UPDATE_FN, c_void_p, handle_out]),
    "vg_task_wait_v2": (code, [handle, c_double, UPDATE_FN, c_void_p, handle_out]),
    "vg_task_download_v2": (code, [handle, c_char_p, c_char_p, UPDATE_FN, c_void_p, handle_out]),
    "vg_client_dispatch_v2": (code, [handle, c_double, UPDATE_FN, c_void_p, POINTER(c_size_t)]),
    # Webhooks: verify a callback, apply it to the task it names
    "vg_webhook_verify": (code, [c_char_p, c_char_p, c_char_p, c_char_p, c_char_p, c_size_t, POINTER(c_int),
                                 POINTER(c_void_p), handle_out]),
    "vg_client_webhook_apply": (code, [handle, c_char_p, c_char_p, c_char_p, c_char_p, c_char_p, c_size_t,
                                       POINTER(c_int), POINTER(c_void_p), handle_out]),
    # Several outputs (0.4.0)
    "vg_task_download_output": (code, [handle, c_size_t, c_char_p, UPDATE_FN, c_void_p, handle_out]),
}

#: Functions a library may lack and still load (added to ABI 1 after it first shipped).
OPTIONAL = frozenset({
    "vg_client_submit_images",
    "vg_task_bytes_received", "vg_task_bytes_total",
    "vg_client_submit_async", "vg_task_wait_async", "vg_task_download_async",
    "vg_client_event_fd", "vg_client_dispatch",
    "vg_client_list_tasks", "vg_task_delete_remote", "vg_task_remix", "vg_task_download_variant",
    "vg_idempotency_key",
    "vg_webhook_verify", "vg_client_webhook_apply",
    "vg_task_download_output",
})


def declare(lib: ctypes.CDLL) -> frozenset[str]:
    """Set ``restype`` and ``argtypes`` of every function of :data:`SIGNATURES` found in ``lib``.

    Returns the names of the optional functions the library does not export. Raises ``AttributeError`` naming a
    required function that is missing.
    """
    missing = set()
    for name, (restype, argtypes) in SIGNATURES.items():
        try:
            function = getattr(lib, name)
        except AttributeError:
            if name in OPTIONAL:
                missing.add(name)
                continue
            since = " (added in 0.3.0: this binding needs libvideogen 0.3.0 or later)" if name.endswith("_v2") else ""
            raise AttributeError(f"the library does not export {name}{since}") from None
        function.restype = restype
        function.argtypes = argtypes
    return frozenset(missing)
