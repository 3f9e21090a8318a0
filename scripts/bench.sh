#!/usr/bin/env bash
# make bench: install what the benchmarks need (nginx, wrk, curl and valgrind from Debian, libcurl's headers through
# `make deps`, openai from PyPI in a virtualenv under .build), build the release library and the dist one (scenario 4
# loads both), run every scenario and write BENCHMARKS.md and bench/results.json.
# Arguments are passed to bench/run.py (e.g. BENCH_ARGS="--scenarios 1 --tasks 200").
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v valgrind >/dev/null || missing+=(valgrind)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "bench: installing ${missing[*]} from Debian"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

venv=.build/bench-venv
openai_version="${OPENAI_VERSION:-3.54.0}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c "import openai, sys; sys.exit(openai.__version__ != '$openai_version')" 2>/dev/null; then
    echo "bench: installing openai==$openai_version from PyPI into $venv"
    "$venv/bin/pip" install -q "openai==$openai_version"
fi

make --no-print-directory build dist
BENCH_PYTHON="$venv/bin/python" exec "$venv/bin/python" bench/run.py "$@"
