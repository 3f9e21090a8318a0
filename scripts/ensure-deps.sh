#!/usr/bin/env bash
# Installs the system packages the build needs when they are missing: libcurl's headers (Debian's
# libcurl4-openssl-dev; the library itself, libcurl4, is a runtime dependency already present on Debian systems).
set -euo pipefail

have_curl_headers() {
    echo '#include <curl/curl.h>' | ${CC:-cc} -E -x c - > /dev/null 2>&1
}

if ! have_curl_headers; then
    echo "videogen: libcurl's headers are missing; installing Debian's libcurl4-openssl-dev" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    if ! $SUDO apt-get install -y -q libcurl4-openssl-dev > /dev/null 2>&1; then
        $SUDO apt-get update -q > /dev/null
        $SUDO apt-get install -y -q libcurl4-openssl-dev > /dev/null
    fi
    have_curl_headers || { echo "videogen: libcurl's headers are still missing; install libcurl4-openssl-dev" >&2; exit 1; }
fi
