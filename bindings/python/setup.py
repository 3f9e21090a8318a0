"""Packaging shim: a wheel that carries libvideogen.so is platform-specific, so say so (pyproject.toml has the
rest). Without the library inside (a plain checkout) the wheel stays pure Python and finds the library elsewhere."""

from pathlib import Path

from setuptools import setup
from setuptools.dist import Distribution

HAS_LIBRARY = (Path(__file__).resolve().parent / "videogen" / "libvideogen.so").is_file()


class BinaryDistribution(Distribution):
    """A distribution whose wheel is tagged for this platform when it ships the native library."""

    def has_ext_modules(self) -> bool:
        return HAS_LIBRARY


setup(distclass=BinaryDistribution)
