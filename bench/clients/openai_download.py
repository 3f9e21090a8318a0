"""Benchmark client for scenario 3: the openai SDK's streamed ``videos.download_content`` to a file.

Usage: python openai_download.py BASE_URL VIDEO_ID OUT_PATH
Uses ``client.videos.with_streaming_response.download_content(...)`` and ``stream_to_file``, the SDK's way to
write a large body without holding it in memory. The key comes from $VIDEOGEN_API_KEY.
"""

from __future__ import annotations

import os
import sys
import warnings

import openai

warnings.simplefilter("ignore", DeprecationWarning)


def main(base_url: str, video_id: str, path: str) -> int:
    client = openai.OpenAI(base_url=base_url.rstrip("/") + "/v1", api_key=os.environ["VIDEOGEN_API_KEY"])
    with client.videos.with_streaming_response.download_content(video_id) as response:
        response.stream_to_file(path)
    print(os.path.getsize(path), "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
