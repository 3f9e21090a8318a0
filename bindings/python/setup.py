"""Packaging shim (pyproject.toml has the metadata): the wheel carries libvideogen.so, so it is platform-specific
but not tied to a Python version or ABI (the binding is ctypes): tag it ``py3-none-<platform>``. Without the library
inside the package, building stops with one line saying what to run, so that no package that cannot load is ever
installed."""

from pathlib import Path

from setuptools import setup
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

LIBRARY = Path(__file__).resolve().parent / "videogen" / "libvideogen.so"

if not LIBRARY.is_file():
    raise SystemExit("videogen: no native library in this source tree; at the repository's root run `make wheel`, "
                     "then `pip install .build/wheel/videogen-*.whl` (see README.md, Install)")


class PlatformDistribution(Distribution):
    """A distribution that installs into platlib (it carries a shared library), as auditwheel requires."""

    def has_ext_modules(self) -> bool:
        return True


class PlatformWheel(bdist_wheel):
    """A wheel for this platform (it ships a shared library) and for every Python 3 (it has no extension module)."""

    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(distclass=PlatformDistribution, cmdclass={"bdist_wheel": PlatformWheel})
