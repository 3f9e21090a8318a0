"""Assistant messages of the chat-completions video route: the video link in each
of the forms gateways use, and the replies that carry no video."""

from __future__ import annotations

from typing import Any

FAIL_TEXT = "I can't generate that video: the request was rejected by the safety system (emulated)."
EMPTY_TEXT = "The video could not be generated this time. Please try again later."


def with_link(form: str, url: str) -> Any:
    """The message content carrying ``url`` in ``form``.

    ``plain``: the URL alone; ``markdown``: text and a ``[Download video](url)``
    link; ``part``: a text part and a ``video_url`` part; ``html``: a
    ``<video src>`` tag.
    """
    if form == "plain":
        return url
    if form == "markdown":
        return f"Your video is ready.\n\n[Download video]({url})\n"
    if form == "part":
        return [{"type": "text", "text": "Your video is ready."},
                {"type": "video_url", "video_url": {"url": url}}]
    if form == "html":
        return f'Your video is ready:\n<video src="{url}" controls></video>'
    raise ValueError(f"unknown chat form {form!r}")


def completion(completion_id: str, model: str, created: int, content: Any,
               finish_reason: str) -> dict[str, Any]:
    """A ``chat.completion`` object with one assistant choice."""
    text = content if isinstance(content, str) else " ".join(
        p.get("text", "") for p in content if isinstance(p, dict))
    completion_tokens = max(1, len(text.split()))
    return {
        "id": completion_id, "object": "chat.completion", "created": created, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                     "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 12, "completion_tokens": completion_tokens,
                  "total_tokens": 12 + completion_tokens},
    }
