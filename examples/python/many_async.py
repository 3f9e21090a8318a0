"""Many videos at once from one asyncio loop (no thread per task), with a per-task status line.

Usage: VIDEOGEN_API_KEY=... python3 many_async.py BASE_URL OUTPUT_DIR [COUNT]
"""

import asyncio
import pathlib
import sys

import videogen


async def main(base_url: str, folder: pathlib.Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with videogen.Client(dialect="openai", base_url=base_url) as client:

        async def one(index: int) -> videogen.Task:
            def show(progress: videogen.Progress) -> None:
                if progress.kind == "status":
                    print(f"#{index}: {progress}")

            return await client.generate_async(model="sora-2", prompt=f"A paper boat, take {index}",
                                               output=folder / f"boat-{index}.mp4", on_progress=show)

        results = await asyncio.gather(*(one(i) for i in range(count)), return_exceptions=True)
    for index, result in enumerate(results):
        if isinstance(result, videogen.VideoGenError):
            print(f"#{index} failed: {result}")
        elif isinstance(result, BaseException):
            raise result
        else:
            print(f"#{index} saved {result.file.path}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 10))
