'use strict';
/**
 * The native addon (build/Release/videogen.node, built by build.sh), or the one named by $VIDEOGEN_NODE_ADDON.
 * Loading it checks the library's ABI and version (the addon refuses a library it cannot serve).
 * @module videogen/native
 */
const path = require('node:path');

const file = process.env.VIDEOGEN_NODE_ADDON || path.join(__dirname, '..', 'build', 'Release', 'videogen.node');

/** The addon's functions and constants. */
module.exports = require(file);
