'use strict';
/**
 * Webhooks: verify a provider's callback (verifyWebhook) and apply it to the task it names (Client.applyWebhook).
 * The verifier document and the verdicts: README.md, "Webhooks".
 * @module videogen/webhook
 */
const native = require('./native');
const { native: call } = require('./errors');

/** The verdict names by vg_webhook_verdict value. */
const REASONS = ['accepted', 'bad_signature', 'timestamp_outside_tolerance', 'malformed_header', 'unknown_key_id',
  'body_too_large', 'unsigned', 'no_key', 'unreadable_payload'];

/** The raw header block of an http.IncomingMessage's rawHeaders, a {name: value} object, or a block already. */
function headerBlock(headers) {
  if (typeof headers === 'string') return headers;
  if (Array.isArray(headers)) {
    const lines = [];
    for (let i = 0; i + 1 < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`);
    return lines.join('\r\n');
  }
  if (headers !== null && typeof headers === 'object') {
    return Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\r\n');
  }
  throw new TypeError('headers must be a header block, rawHeaders or an object');
}

/** The arguments of the native calls from a callback description. */
function callArgs(verifier, callback) {
  if (callback === null || typeof callback !== 'object') throw new TypeError('the callback must be an object');
  const { method = 'POST', target = '/', headers, body } = callback;
  if (!Buffer.isBuffer(body)) throw new TypeError('body must be a Buffer (the raw bytes received)');
  const verifierText = typeof verifier === 'string' ? verifier : JSON.stringify(verifier);
  return [verifierText, method, target, headerBlock(headers), body];
}

/** {accepted, reason, message, details} of a native answer. */
function verdictOf({ verdict, result }) {
  const details = JSON.parse(result);
  const message = details.message || '';
  delete details.message;
  delete details.verdict;
  return { accepted: verdict === 0, reason: REASONS[verdict] || `verdict_${verdict}`, message, details };
}

/**
 * Verifies one callback without a client.
 * @param {object|string} verifier the verifier document, e.g. {scheme: 'standard_webhooks', secret: 'whsec_...'}.
 * @param {{method?: string, target?: string, headers: string|string[]|object, body: Buffer}} callback as received
 *   (headers: req.rawHeaders works; body: the raw bytes, never a re-serialized JSON).
 * @returns {{accepted: boolean, reason: string, message: string, details: object}}
 */
function verifyWebhook(verifier, callback) {
  return verdictOf(call(() => native.webhookVerify(...callArgs(verifier, callback))));
}

/** Client.applyWebhook's body (the client's native handle first). */
function applyWebhook(handle, verifier, callback) {
  return verdictOf(call(() => native.webhookApply(handle, ...callArgs(verifier, callback))));
}

module.exports = { verifyWebhook, applyWebhook, headerBlock };
