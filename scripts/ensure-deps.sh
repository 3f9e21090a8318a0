#!/usr/bin/env bash
# Installs the system packages a step needs when they are missing, saying so:
#   ensure-deps.sh               the build: libcurl's headers (Debian's libcurl4-openssl-dev; the library itself,
#                                libcurl4, is a runtime dependency already present on Debian systems) and OpenSSL's
#                                libcrypto headers (libssl-dev: signatures for webhooks and for Kling's and Google's tokens);
#   ensure-deps.sh --dist-tests  the dist tests (make test-dist): pkg-config and cmake, which build the programs
#                                that link the installed library, and unshare and mount (util-linux, mount);
#   ensure-deps.sh --go          the Go binding's tests (make test-go): Debian's golang-go (cgo needs cc, present);
#   ensure-deps.sh --batch       the batch example's test (make test-batch): Debian's redis-server, and Celery with
#                                its Redis client from PyPI at the pinned versions below, into $PYTHON's environment.
set -euo pipefail

have_curl_headers() {
    echo '#include <curl/curl.h>' | ${CC:-cc} -E -x c - > /dev/null 2>&1
}

# apt_install PACKAGE...: installs Debian packages (with sudo when not root), updating the index if needed.
apt_install() {
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" > /dev/null 2>&1; then
        $sudo apt-get update -q > /dev/null
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" > /dev/null
    fi
}

if [ "${1:-}" = --go ]; then
    if ! command -v "${GO:-go}" > /dev/null; then
        echo "videogen: the Go binding's tests need Go; installing Debian's golang-go" >&2
        apt_install golang-go
    fi
    exit 0
fi

if [ "${1:-}" = --batch ]; then
    celery_version=5.7.0
    redis_py_version=8.1.0
    if ! command -v redis-server > /dev/null && [ ! -x /usr/bin/redis-server ]; then
        echo "videogen: the batch test needs redis-server; installing Debian's redis-server" >&2
        apt_install redis-server
    fi
    python="${PYTHON:-python3}"
    if ! "$python" -c "import celery, redis, sys; sys.exit(celery.__version__ != '$celery_version' or redis.__version__ != '$redis_py_version')" 2> /dev/null; then
        echo "videogen: the batch test needs celery $celery_version and redis $redis_py_version; installing them from PyPI" >&2
        "$python" -m pip install --quiet "celery==$celery_version" "redis==$redis_py_version"
    fi
    exit 0
fi

if [ "${1:-}" = --dist-tests ]; then
    missing=()
    command -v pkg-config > /dev/null || missing+=(pkg-config)
    command -v cmake > /dev/null || missing+=(cmake)
    command -v unshare > /dev/null || missing+=(util-linux)
    command -v mount > /dev/null || missing+=(mount)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "videogen: the dist tests need ${missing[*]}; installing them from Debian" >&2
        apt_install "${missing[@]}"
    fi
    exit 0
fi

have_crypto_headers() {
    echo '#include <openssl/evp.h>' | ${CC:-cc} -E -x c - > /dev/null 2>&1
}

if ! have_crypto_headers; then
    echo "videogen: OpenSSL's headers are missing; installing Debian's libssl-dev" >&2
    apt_install libssl-dev
    have_crypto_headers || { echo "videogen: OpenSSL's headers are still missing; install libssl-dev" >&2; exit 1; }
fi

if ! have_curl_headers; then
    echo "videogen: libcurl's headers are missing; installing Debian's libcurl4-openssl-dev" >&2
    apt_install libcurl4-openssl-dev
    have_curl_headers || { echo "videogen: libcurl's headers are still missing; install libcurl4-openssl-dev" >&2; exit 1; }
fi
