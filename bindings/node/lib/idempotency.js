'use strict';
/**
 * The Idempotency-Key of a submit derived from the caller's own job id (the library's vg_idempotency_key).
 * @module videogen/idempotency
 */
const native = require('./native');
const { native: call } = require('./errors');

/**
 * The same job id and scope give the same key in every process, on every machine and in every version of the
 * library: give it as the request's `idempotency_key` and a job re-run after a crash (or after an
 * 'VG_E_UNKNOWN_OUTCOME') re-sends the key of its first attempt. No network traffic.
 * @param {string} jobId your job's id (1 to 4096 bytes of UTF-8).
 * @param {string} [scope] a batch, tenant or revision name ('' or omitted for none): the same job id in another
 *   scope is another task.
 * @returns {string} a version-8 UUID (36 characters).
 */
function idempotencyKey(jobId, scope = '') {
  if (typeof jobId !== 'string') throw new TypeError('jobId must be a string');
  if (scope !== null && typeof scope !== 'string') throw new TypeError('scope must be a string');
  return call(() => native.idempotencyKey(jobId, scope));
}

module.exports = { idempotencyKey };
