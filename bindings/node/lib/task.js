'use strict';
/**
 * A generation task: its view (state, progress, ... as last seen, kept current from each update's values) and its
 * operations (wait, download), each a promise or an async iterator of progress events.
 * @module videogen/task
 */
const native = require('./native');
const { VideoGenError, TaskCancelledError, toError, native: call } = require('./errors');
const { runOperation, iterateOperation } = require('./operation');

/** States a task never leaves. */
const FINAL_STATES = new Set(['succeeded', 'failed', 'cancelled', 'expired']);

/** The native error value of a task's failure as an error (or null). */
function taskError(raw, id) {
  return raw ? toError(raw, { taskId: id }) : null;
}

/** The snapshot's names of the codes: vg_code_str's text in snake_case ("refused_by_content_policy"). */
const RECORD_CODE_NAMES = native.codeTexts.map((text) => text.replaceAll(' ', '_').toLowerCase());

/** The vg_code a record's error names; VG_E_TASK_FAILED for a name this library does not know. */
function recordCode(name) {
  const index = RECORD_CODE_NAMES.indexOf(name);
  return index > 0 ? index : 19;
}

/**
 * Checks a wait timeout: undefined (the client's wait_timeout: 0 for the library) or a finite number of seconds >= 0.
 * 0 is a deadline that has already passed: the library's 0 means "the client's wait_timeout", so it gets the smallest
 * positive number instead, and the wait fails with VG_E_DEADLINE at once.
 */
function timeoutSeconds(timeout) {
  if (timeout === undefined || timeout === null) return 0;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
    throw new RangeError('timeout must be a number of seconds >= 0');
  }
  return timeout === 0 ? Number.MIN_VALUE : timeout;
}

/** One generation task on a provider, as this process last saw it. */
class Task {
  /** Made by Client.submit and Client.resume; not meant to be called directly. */
  constructor(client, handle) {
    Object.defineProperty(this, 'client', { value: client, enumerable: false });
    this._native = handle;
    this._closed = false;
    this._snapshotText = null;
    this._document = {};
    this.state = 'queued';
    this.progress = null;
    this.queuePosition = null;
    this.bytesReceived = 0;
    this.bytesTotal = null;
    this.error = null;
    this._load();
  }

  /** The native handle; throws once the task is closed. */
  _handle() {
    if (this._closed) throw new VideoGenError('the task is closed', { errno: 4 });
    return this._native;
  }

  /** Reads the whole task from the native side (a new task object, or `record()`). */
  _load() {
    const text = call(() => native.snapshot(this._handle()));
    this._setDocument(JSON.parse(text), text);
  }

  _setDocument(document, text) {
    this._document = document;
    this._snapshotText = text;
    this.state = typeof document.state === 'string' ? document.state : this.state;
    this.progress = Number.isInteger(document.progress) ? document.progress : null;
    this.queuePosition = Number.isInteger(document.queue_position) ? document.queue_position : null;
    const error = document.error;
    this.error = error && typeof error === 'object' && FINAL_STATES.has(this.state) && this.state !== 'succeeded'
      ? toError({ vgCode: recordCode(error.code), message: String(error.message || 'task failed'),
        httpStatus: error.http_status ?? null, providerCode: error.provider_code ?? null,
        retryAfter: error.retry_after ?? null }, { taskId: this.id })
      : null;
  }

  /** Takes the values of one update (called by the operation for every update, DONE included). */
  _apply(update) {
    if (update.state === undefined) return;  // a DONE made by the binding (close): nothing new about the task
    this.state = update.state;
    this.progress = update.progress;
    this.queuePosition = update.queuePosition;
    this.bytesReceived = update.bytesReceived;
    this.bytesTotal = update.bytesTotal;
    if (update.snapshot !== null && update.snapshot !== this._snapshotText) {
      this._snapshotText = update.snapshot;
      this._document = null;  // parsed when first read
    }
    this.error = taskError(update.taskError, this.id);
  }

  /** The snapshot document as last seen (parsed on first use after an update). */
  get _doc() {
    if (this._document === null) this._document = JSON.parse(this._snapshotText);
    return this._document;
  }

  /** The task's id on the provider ('' until an asynchronous submit is answered). */
  get id() {
    return String(this._doc.id || '');
  }

  /** True once the task reached a state it never leaves. */
  get done() {
    return FINAL_STATES.has(this.state);
  }

  /** The URL the video is downloaded from, once succeeded (sensitive: signed URLs carry secrets), or null. */
  get videoUrl() {
    return this._doc.video_url || null;
  }

  /** The last download: {path, size, sha256}, or null. */
  get file() {
    const download = this._doc.download;
    if (!download || typeof download.path !== 'string') return null;
    return { path: download.path, size: Number(download.bytes || 0), sha256: String(download.sha256 || '') };
  }

  /**
   * Every video of a task that made several (Vidu, OpenRouter, ...), in the service's order, the first being
   * `videoUrl`; [] for a task with one video. Download one with `downloadOutput(index, path)`.
   */
  get outputs() {
    const outputs = this._doc.outputs;
    return Array.isArray(outputs) ? outputs.filter((url) => typeof url === 'string') : [];
  }

  /** What the task cost as the service reported it, under the service's own names (e.g. {cost: 0.32}), or null. */
  get usage() {
    const usage = this._doc.usage;
    return usage && typeof usage === 'object' && !Array.isArray(usage) ? { ...usage } : null;
  }

  /** Whether close() was called. */
  get closed() {
    return this._closed;
  }

  /** The task's record (its snapshot, read afresh): save it, and `client.resume(record)` follows the task again. */
  record() {
    this._load();
    return JSON.parse(this._snapshotText);
  }

  /**
   * Polls on the client's schedule until the task ends or the deadline passes.
   * @param {{timeout?: number, onProgress?: Function, signal?: AbortSignal}} [options]
   * @returns {Promise<Task>} this task, succeeded; rejects with the task's failure, a TimeoutError
   *   ('VG_E_DEADLINE'), a TaskCancelledError, or the error that stopped polling.
   */
  async wait(options) {
    const { timeout, onProgress, signal } = options || {};
    const seconds = timeoutSeconds(timeout);
    await runOperation(this, (onUpdate) => native.wait(this._handle(), seconds, onUpdate), { onProgress, signal });
    return this;
  }

  /**
   * Downloads the succeeded task's video to `path` (through `<path>.part`; `path` never holds a partial file).
   * @param {string} path the destination file.
   * @param {{onProgress?: Function, signal?: AbortSignal}} [options]
   * @returns {Promise<{path: string, size: number, sha256: string}>} the file written.
   */
  async download(path, options) {
    const { onProgress, signal } = options || {};
    await runOperation(this, (onUpdate) => native.download(this._handle(), path, onUpdate), { onProgress, signal });
    return this.file;
  }

  /**
   * Downloads output `index` (0-based, in `outputs` order; 0 is the video `download` fetches) of the succeeded task
   * to `path`, through `<path>.part` like `download`; the record's `download` names the output. The native call
   * blocks, so it runs on libuv's thread pool; it reports no progress events. An `AbortSignal` cancels the task
   * locally, as for `download`.
   * @param {number} index the output (an integer >= 0; an index the task does not have rejects with an
   *   InvalidArgumentError saying how many it has).
   * @param {string} path the destination file.
   * @param {{signal?: AbortSignal}} [options]
   * @returns {Promise<{path: string, size: number, sha256: string, output: number}>} the file written.
   */
  async downloadOutput(index, path, options) {
    const { signal } = options || {};
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('index must be an integer >= 0');
    if (signal != null && typeof signal.aborted !== 'boolean') throw new TypeError('signal must be an AbortSignal');
    if (signal && signal.aborted) {
      throw new TaskCancelledError('the operation was aborted', { cause: signal.reason, taskId: this.id, task: this });
    }
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      try {
        native.cancel(this._handle());
      } catch {
        // Closed meanwhile: the close cancelled the download already.
      }
    };
    let running;
    try {
      running = native.downloadOutput(this._handle(), index, path);
    } catch (raw) {
      throw toError(raw, { taskId: this.id, task: this });
    }
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    try {
      await running;
    } catch (raw) {
      if (aborted && raw && raw.vgCode === 17) {
        throw new TaskCancelledError('the operation was aborted', { cause: signal.reason, taskId: this.id, task: this });
      }
      throw toError(raw, { taskId: this.id, task: this });
    } finally {
      if (signal) signal.removeEventListener('abort', onAbort);
      if (!this._closed) this._load();
    }
    return { ...this.file, output: index };
  }

  /**
   * The wait (or, with `download: path`, the download) as an async iterator of progress events:
   * `for await (const event of task.events()) ...`. Breaking out of the loop cancels the operation locally.
   * @param {{timeout?: number, download?: string, signal?: AbortSignal}} [options]
   */
  events(options) {
    const { timeout, download, signal } = options || {};
    if (download !== undefined) {
      return iterateOperation(this, (onUpdate) => native.download(this._handle(), download, onUpdate), { signal });
    }
    const seconds = timeoutSeconds(timeout);
    return iterateOperation(this, (onUpdate) => native.wait(this._handle(), seconds, onUpdate), { signal });
  }

  /**
   * Cancels locally, now: the operation in flight rejects with TaskCancelledError and later operations are refused;
   * the service keeps generating (resume the task from its record).
   */
  cancel() {
    call(() => native.cancel(this._handle()));
  }

  /** Cancels locally at once, then asks the service to cancel the generation (a request, off the JS thread). */
  async cancelRemote() {
    const handle = this._handle();
    try {
      await native.cancelRemote(handle);
    } catch (raw) {
      throw toError(raw, { taskId: this.id, task: this });
    }
  }

  /** Frees the native task (an operation in flight rejects with TaskCancelledError). Idempotent. */
  close() {
    if (this._closed) return;
    this._closed = true;
    native.closeTask(this._native);
  }

  /** A short description (never the snapshot, which names URLs). */
  toString() {
    return `Task(${this.id || '<submitting>'}, ${this.state})`;
  }
}

module.exports = { Task };
