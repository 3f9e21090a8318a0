#!/usr/bin/env bash
# Builds the addon (build/Release/videogen.node) with node-gyp, offline: Node's headers come from the system
# (--nodedir, where include/node/node_api.h lives), never from a download. node-gyp is Debian's (`node-gyp` on PATH)
# or, where the installed nodejs package cannot take Debian's node-gyp, the copy that package bundles with npm.
set -euo pipefail
cd "$(dirname "$0")"
nodedir="${NODE_DIR:-/usr}"
if [ ! -f "$nodedir/include/node/node_api.h" ]; then
    echo "build.sh: no $nodedir/include/node/node_api.h: install Node's headers (Debian: nodejs / libnode-dev)" >&2
    exit 1
fi
gyp=()
if command -v node-gyp > /dev/null; then
    gyp=(node-gyp)
else
    bundled="$(dirname "$(readlink -f "$(command -v node)")")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
    if [ -f "$bundled" ]; then
        gyp=(node "$bundled")
    else
        echo "build.sh: node-gyp not found: install it (Debian: apt-get install node-gyp)" >&2
        exit 1
    fi
fi
# No network: the headers are local and npm's registry settings are never consulted.
export npm_config_offline=true
"${gyp[@]}" rebuild --nodedir="$nodedir" --loglevel=warn "$@"
