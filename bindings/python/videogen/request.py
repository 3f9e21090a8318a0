"""The unified request, as keyword arguments, and its JSON form for the library."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

ImageInput = str | os.PathLike[str] | bytes | bytearray | memoryview
"""A reference image: a local file path, an http(s) URL, a ``data:`` URI, or the image's bytes."""

#: The request fields that hold images (``images`` holds a list of them).
IMAGE_FIELDS = ("image", "images", "image_tail", "input_reference")


class RequestFields(TypedDict, total=False):
    """Optional fields of a generation request (``model`` and ``prompt`` are separate, required arguments).

    They mirror the library's request document; a field the client's dialect cannot carry is refused by name
    (:class:`~videogen.VideoGenError` with code ``UNSUPPORTED``), never dropped. ``None`` means "not given".
    """

    negative_prompt: str | None
    """What the video should avoid."""
    image: ImageInput | None
    """The first frame / reference image: a local file (PNG, JPEG, WebP, GIF; at most 20 MiB), an http(s) URL, a
    ``data:`` URI, or the image's bytes."""
    images: Sequence[ImageInput] | None
    """Several reference images, as for ``image`` (bytes come after the URLs and paths, in order)."""
    input_reference: ImageInput | None
    """The reference image under OpenAI's name (services that carry it apart from ``image``)."""
    image_tail: ImageInput | None
    """The last frame (Kling)."""
    duration: int | None
    """Length of the video, whole seconds."""
    size: str | None
    """Frame size, e.g. ``"1280x720"`` (or give ``width`` and ``height``)."""
    width: int | None
    """Frame width in pixels (with ``height``)."""
    height: int | None
    """Frame height in pixels (with ``width``)."""
    aspect_ratio: str | None
    """e.g. ``"16:9"``."""
    resolution: str | None
    """e.g. ``"720p"``."""
    fps: int | None
    """Frames per second."""
    seed: int | None
    """Random seed."""
    n: int | None
    """Number of videos."""
    watermark: bool | None
    """Ask for (or against) a watermark."""
    mode: str | None
    """A service's generation mode, e.g. Kling's ``"std"`` or ``"pro"``."""
    cfg_scale: float | None
    """Prompt adherence, 0 to 1."""
    camera_control: Mapping[str, Any] | None
    """Camera movement (Kling), e.g. ``{"type": "simple", "config": {"zoom": 5}}``."""
    callback_url: str | None
    """An http(s) URL the service calls when the task ends."""
    external_task_id: str | None
    """Your own id for the task."""
    metadata: Mapping[str, Any] | None
    """Sent verbatim where the dialect has a metadata object."""
    extra: Mapping[str, Any] | None
    """Provider fields sent verbatim at the top level of the provider's request."""
    idempotency_key: str | None
    """The submit's ``Idempotency-Key`` (1-255 printable ASCII characters; default: a fresh UUID); see
    :func:`videogen.idempotency_key` for one derived from your job id."""


def _plain(value: Any) -> Any:
    """``value`` with paths turned into strings and mappings/sequences into dicts/lists, for ``json.dumps``."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if _is_bytes(value):
        return bytes(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def request_document(model: str, prompt: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The request as a JSON-ready dict: ``model``, ``prompt`` and every field that is not ``None``.

    Names are passed through unchecked: the library validates the whole request and names what it refuses.
    """
    document: dict[str, Any] = {"model": model, "prompt": prompt}
    for name, value in fields.items():
        if value is not None:
            document[name] = _plain(value)
    return document


def _is_bytes(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray, memoryview))


def split_images(document: dict[str, Any]) -> list[tuple[str, bytes]]:
    """Take the images given as bytes out of ``document`` (in place); returns ``(field, bytes)`` pairs in order."""
    images: list[tuple[str, bytes]] = []
    for name in IMAGE_FIELDS:
        value = document.get(name)
        if name == "images" and isinstance(value, list):
            kept = [item for item in value if not _is_bytes(item)]
            images += [(name, bytes(item)) for item in value if _is_bytes(item)]
            if len(kept) != len(value):
                if kept:
                    document[name] = kept
                else:
                    del document[name]
        elif isinstance(value, (bytes, bytearray, memoryview)):
            images.append((name, bytes(value)))
            del document[name]
    return images


def image_media_type(data: bytes) -> str:
    """The MIME type of an image from its magic bytes (PNG, JPEG, WebP, GIF); ``application/octet-stream``
    otherwise (the library then refuses it, naming the field)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return "application/octet-stream"


def data_uri(data: bytes) -> str:
    """``data:<type>;base64,...`` for an image's bytes."""
    return f"data:{image_media_type(data)};base64,{base64.b64encode(data).decode('ascii')}"


def inline_images(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with images given as bytes turned into ``data:`` URIs (for calls that take JSON only)."""
    for name, data in split_images(document):
        if name == "images":
            document.setdefault("images", []).append(data_uri(data))
        else:
            document[name] = data_uri(data)
    return document


def _not_utf8(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or member name) that cannot be encoded as UTF-8 (a lone surrogate, as
    ``surrogateescape`` makes of undecodable bytes in ``sys.argv`` or file names), or None."""
    def bad(text: str) -> bool:
        try:
            text.encode("utf-8")
            return False
        except UnicodeEncodeError:
            return True
    if isinstance(value, str):
        return path if bad(value) else None
    if isinstance(value, Mapping):
        for key in sorted(value, key=str):
            inner = f"{path}.{key}" if path else str(key)
            if bad(str(key)):
                return path or "(member name)"
            found = _not_utf8(value[key], inner)
            if found is not None:
                return found
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _not_utf8(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def dumps(document: Mapping[str, Any]) -> bytes:
    """Strict JSON (no NaN or infinities), UTF-8 encoded, for the C calls. A string that is not valid Unicode (a
    lone surrogate) is refused naming its field, never replaced."""
    from .errors import InvalidArgumentError
    try:
        return json.dumps(document, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        field = _not_utf8(document) or "(unknown)"
        raise InvalidArgumentError(f"field '{field}' is not valid UTF-8 (an undecodable byte or a lone surrogate); "
                                   "videogen never substitutes characters") from None
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"cannot encode as JSON: {exc}") from None
