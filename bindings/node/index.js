'use strict';
/**
 * videogen for Node.js: a thin N-API binding of libvideogen. Promise-based `Client.submit`, `Client.generate`,
 * `Client.resume`, `Task.wait`, `Task.download`; AbortSignal cancellation; progress as a callback or an async
 * iterator (`Task.events`); errors as `VideoGenError` subclasses. The event loop never blocks: operations run on the
 * library's threads and report through the client's event descriptor, watched by a libuv poll handle.
 * @module videogen
 */
const native = require('./lib/native');
const errors = require('./lib/errors');
const { Client } = require('./lib/client');
const { Task } = require('./lib/task');
const { verifyWebhook } = require('./lib/webhook');
const { idempotencyKey } = require('./lib/idempotency');

module.exports = {
  Client,
  Task,
  verifyWebhook,
  idempotencyKey,
  VideoGenError: errors.VideoGenError,
  AuthenticationError: errors.AuthenticationError,
  PermissionDeniedError: errors.PermissionDeniedError,
  RateLimitError: errors.RateLimitError,
  QuotaExceededError: errors.QuotaExceededError,
  NotFoundError: errors.NotFoundError,
  ContentPolicyError: errors.ContentPolicyError,
  TaskFailedError: errors.TaskFailedError,
  TimeoutError: errors.TimeoutError,
  TaskCancelledError: errors.TaskCancelledError,
  NetworkError: errors.NetworkError,
  InvalidArgumentError: errors.InvalidArgumentError,
  /** The header's code names, indexed by vg_code value. */
  codes: Object.freeze([...errors.CODE_NAMES]),
  /** The loaded library's version ({library, libraryNumber, abi, header}). */
  version: Object.freeze({ ...native.version }),
};
