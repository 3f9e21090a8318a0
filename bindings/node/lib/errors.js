'use strict';
/**
 * The errors of videogen: `VideoGenError` (an `Error`) and a subclass per cause worth catching. Every one carries
 * `code` (the header's constant as a string, e.g. 'VG_E_RATE_LIMITED'), `errno` (its number), `httpStatus`,
 * `providerCode`, `retryAfter` (seconds, or null) and, when known, `taskId` and `task`.
 * @module videogen/errors
 */

/** The header's vg_code names, indexed by value (append only, as the header's codes). */
const CODE_NAMES = [
  'VG_OK', 'VG_E_INVALID_ARGUMENT', 'VG_E_INVALID_JSON', 'VG_E_UNSUPPORTED', 'VG_E_INVALID_HANDLE', 'VG_E_INSECURE',
  'VG_E_AUTH', 'VG_E_PERMISSION', 'VG_E_NOT_FOUND', 'VG_E_BAD_REQUEST', 'VG_E_RATE_LIMITED', 'VG_E_QUOTA',
  'VG_E_CONTENT_POLICY', 'VG_E_SERVER', 'VG_E_NETWORK', 'VG_E_TIMEOUT', 'VG_E_DEADLINE', 'VG_E_CANCELLED',
  'VG_E_ABORTED_BY_CALLBACK', 'VG_E_TASK_FAILED', 'VG_E_NOT_READY', 'VG_E_PROTOCOL', 'VG_E_TOO_LARGE', 'VG_E_IO',
  'VG_E_UNKNOWN_OUTCOME', 'VG_E_INTERNAL', 'VG_E_BUSY', 'VG_E_NOMEM',
];

/** The name of code `errno` ('VG_E_<n>' for a code newer than this binding). */
function codeName(errno) {
  return CODE_NAMES[errno] || `VG_E_${errno}`;
}

/** An error reported by libvideogen (or by this binding, for misuse such as a closed client). */
class VideoGenError extends Error {
  /**
   * @param {string} message what went wrong; never contains the API key.
   * @param {object} [details] errno, httpStatus, providerCode, retryAfter, taskId, cause.
   */
  constructor(message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    const errno = details.errno ?? new.target.defaultErrno;
    this.name = new.target.name;
    /** The header's constant, e.g. 'VG_E_AUTH'. */
    this.code = codeName(errno);
    /** The code's number (vg_code). */
    this.errno = errno;
    /** HTTP status of the answer that caused it, or null. */
    this.httpStatus = details.httpStatus ?? null;
    /** The provider's own error code (e.g. 'invalid_api_key'), or null. */
    this.providerCode = details.providerCode ?? null;
    /** Seconds the service asked to wait before retrying, or null. */
    this.retryAfter = details.retryAfter ?? null;
    /** The id of the task it is about, or null. */
    this.taskId = details.taskId || null;
    // The task (when the binding has one) is kept out of enumeration: logging an error never walks a task.
    Object.defineProperty(this, 'task', { value: details.task ?? null, writable: true, enumerable: false });
  }
}
VideoGenError.defaultErrno = 25;

/** The service rejected the credentials (HTTP 401), or no API key was available. */
class AuthenticationError extends VideoGenError {}
AuthenticationError.defaultErrno = 6;
/** The credentials lack permission (HTTP 403). */
class PermissionDeniedError extends AuthenticationError {}
PermissionDeniedError.defaultErrno = 7;
/** Too many requests (HTTP 429); see `retryAfter`. */
class RateLimitError extends VideoGenError {}
RateLimitError.defaultErrno = 10;
/** Out of balance, credits or quota. */
class QuotaExceededError extends VideoGenError {}
QuotaExceededError.defaultErrno = 11;
/** Unknown task or resource. */
class NotFoundError extends VideoGenError {}
NotFoundError.defaultErrno = 8;
/** Refused for its content (at submit, or as the task's end). */
class ContentPolicyError extends VideoGenError {}
ContentPolicyError.defaultErrno = 12;
/** The task ended failed, cancelled or expired on the service; `message` is the provider's reason. */
class TaskFailedError extends VideoGenError {}
TaskFailedError.defaultErrno = 19;
/** A request stalled ('VG_E_TIMEOUT') or a wait's deadline passed ('VG_E_DEADLINE': wait again). */
class TimeoutError extends VideoGenError {}
TimeoutError.defaultErrno = 15;
/** The operation was cancelled: an AbortSignal fired (`cause` is its reason), `task.cancel()`, or a close. */
class TaskCancelledError extends VideoGenError {}
TaskCancelledError.defaultErrno = 17;
/** Connection refused, reset or lost, or the host name did not resolve. */
class NetworkError extends VideoGenError {}
NetworkError.defaultErrno = 14;
/** A bad configuration, request or record (the message names the field). */
class InvalidArgumentError extends VideoGenError {}
InvalidArgumentError.defaultErrno = 1;

/** The class for each code; codes not listed give VideoGenError. */
const CLASSES = new Map([
  [6, AuthenticationError], [7, PermissionDeniedError], [10, RateLimitError], [11, QuotaExceededError],
  [8, NotFoundError], [12, ContentPolicyError], [19, TaskFailedError], [15, TimeoutError], [16, TimeoutError],
  [17, TaskCancelledError], [14, NetworkError], [1, InvalidArgumentError], [2, InvalidArgumentError],
]);

/**
 * The error for a native error value ({vgCode, message, httpStatus, providerCode, retryAfter}); any other thrown
 * value (a TypeError of the addon) is returned as it is.
 */
function toError(raw, extra = {}, cutoff = toError) {
  if (raw === null || typeof raw !== 'object' || typeof raw.vgCode !== 'number') return raw;
  const Class = CLASSES.get(raw.vgCode) || VideoGenError;
  const error = new Class(raw.message, {
    errno: raw.vgCode, httpStatus: raw.httpStatus, providerCode: raw.providerCode, retryAfter: raw.retryAfter,
    ...extra,
  });
  Error.captureStackTrace(error, cutoff);  // the stack starts at the binding's caller, not in this module
  return error;
}

/** Calls `fn` and converts what the addon throws (see toError). */
function native(fn, extra) {
  try {
    return fn();
  } catch (raw) {
    throw toError(raw, extra, native);
  }
}

module.exports = {
  CODE_NAMES, codeName, toError, native, VideoGenError, AuthenticationError, PermissionDeniedError, RateLimitError,
  QuotaExceededError, NotFoundError, ContentPolicyError, TaskFailedError, TimeoutError, TaskCancelledError,
  NetworkError, InvalidArgumentError,
};
