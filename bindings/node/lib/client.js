'use strict';
/**
 * The client: one provider configuration (the README's configuration document, as an object) and the operations
 * that make tasks: submit, generate (submit, wait, download), resume.
 * @module videogen/client
 */
const native = require('./native');
const { VideoGenError, TaskCancelledError, toError, native: call } = require('./errors');
const { runOperation } = require('./operation');
const { Task } = require('./task');
const webhook = require('./webhook');

/** Where the key is read from when a configuration object names neither `api_key` nor `api_key_env`. */
const DEFAULT_KEY_ENV = 'VIDEOGEN_API_KEY';

/** The JSON text of a document given as an object (or as JSON text already). */
function documentText(value, name) {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object (or its JSON text)`);
  }
  return JSON.stringify(value);
}

/** A client of one video-generation service. Thread rules need no care in Node: everything runs on the JS thread. */
class Client {
  /**
   * @param {object|string} config the configuration document (README: Configuration), e.g.
   *   {dialect: 'openai', base_url: 'https://gw.example.com', api_key_env: 'GW_KEY'}. Checked at once; the key is
   *   never kept by the JS object. Without `api_key` and `api_key_env`, the key is read from $VIDEOGEN_API_KEY.
   */
  constructor(config) {
    if (config !== null && typeof config === 'object' && !Array.isArray(config) && config.api_key === undefined &&
        config.api_key_env === undefined) {
      config = { ...config, api_key_env: DEFAULT_KEY_ENV };  // as the Python binding: the key from the environment
    }
    this._native = call(() => native.createClient(documentText(config, 'config')));
    this._closed = false;
  }

  _handle() {
    if (this._closed) throw new VideoGenError('the client is closed', { errno: 4 });
    return this._native;
  }

  /** Whether close() was called. */
  get closed() {
    return this._closed;
  }

  /** Operations in flight on this client. */
  get pending() {
    return this._closed ? 0 : native.pending(this._native);
  }

  /**
   * Submits a request (README: the request document, e.g. {model, prompt, duration}).
   * @param {object|string} request
   * @param {{signal?: AbortSignal}} [options]
   * @returns {Promise<Task>} the task, in its first reported state.
   */
  async submit(request, options) {
    const { signal } = options || {};
    const text = documentText(request, 'request');
    if (signal && signal.aborted) throw new TaskCancelledError('the operation was aborted', { cause: signal.reason });
    let task = null;
    let started = null;
    const start = (onUpdate) => {
      started = call(() => native.submit(this._handle(), text, onUpdate));
      task = new Task(this, started);
    };
    // The task object exists once the native submit started (its updates come from later dispatches): until
    // then the operation sees it through this stand-in.
    const holder = {
      _apply: (update) => task._apply(update),
      _handle: () => started,
      get id() { return task ? task.id : ''; },
    };
    try {
      await runOperation(holder, start, { signal });
    } catch (error) {
      if (task !== null) {
        error.task = null;  // the task never existed on the service as far as we know: free it
        task.close();
      }
      throw error;
    }
    return task;
  }

  /**
   * Submits, waits and downloads: the whole job.
   * @param {object|string} request the request document.
   * @param {{output: string, timeout?: number, onProgress?: Function, signal?: AbortSignal}} options
   * @returns {Promise<Task>} the finished task (`task.file` is the video); a failure carries `error.task` when the
   *   task exists (its `record()` lets the work be resumed).
   */
  async generate(request, options) {
    const { output, timeout, onProgress, signal } = options || {};
    if (typeof output !== 'string') throw new TypeError('options.output must be the destination path');
    const task = await this.submit(request, { signal });
    try {
      await task.wait({ timeout, onProgress, signal });
      await task.download(output, { onProgress, signal });
    } catch (error) {
      if (error instanceof VideoGenError) error.task = task;
      throw error;
    }
    return task;
  }

  /**
   * A task from its record (`task.record()`, in this process or another; it holds no secret). No network traffic.
   * @param {object|string} record
   * @returns {Promise<Task>}
   */
  async resume(record) {
    const text = documentText(record, 'record');
    return new Task(this, call(() => native.resume(this._handle(), text)));
  }

  /**
   * Closes the client: every operation in flight is cancelled and rejects with TaskCancelledError; tasks stay
   * readable. Idempotent.
   */
  /**
   * Verifies a provider's callback and applies it to the task it names: this client's waits on that task take it
   * as an update and end when it says the task ended (a hint, e.g. OpenAI's video.completed, makes them poll now).
   * Call it from your HTTP handler with the raw body.
   * @param {object|string} verifier the verifier document (README: Webhooks).
   * @param {{method?: string, target?: string, headers: string|string[]|object, body: Buffer}} callback
   * @returns {{accepted: boolean, reason: string, message: string, details: object}}
   */
  applyWebhook(verifier, callback) {
    return webhook.applyWebhook(this._handle(), verifier, callback);
  }

  close() {
    if (this._closed) return;
    this._closed = true;
    native.closeClient(this._native);
  }
}

module.exports = { Client, toError };
