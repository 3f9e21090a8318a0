"""The main job from Python: submit a text-to-video request, show its progress, download the MP4.

Usage: VIDEOGEN_API_KEY=... python3 generate.py BASE_URL OUTPUT.mp4 [DIALECT] [MODEL]
(try it offline against the emulator, the repository's emulator/ package:
videogen-emulator --api-key "$VIDEOGEN_API_KEY", or from a checkout without installing it:
PYTHONPATH=emulator python3 -m videogen_emulator --api-key "$VIDEOGEN_API_KEY")
"""

import sys

import videogen

if len(sys.argv) < 3:
    sys.exit(__doc__)
base_url, output = sys.argv[1], sys.argv[2]
dialect = sys.argv[3] if len(sys.argv) > 3 else "openai"
model = sys.argv[4] if len(sys.argv) > 4 else "sora-2"

with videogen.Client(dialect=dialect, base_url=base_url) as client:  # the key comes from $VIDEOGEN_API_KEY
    task = client.generate(model=model, prompt="A paper boat drifting down a rainy street, cinematic",
                           duration=4, size="1280x720", output=output, on_progress=print)
print(f"saved {task.file.path} ({task.file.size} bytes, sha256 {task.file.sha256})")
