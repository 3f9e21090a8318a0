'use strict';
/**
 * One asynchronous operation of a task, as a promise: started by the addon (which routes the operation's updates
 * to one callback on the JS thread), fed to the task's view and to the progress callback, ended by its DONE.
 * An AbortSignal cancels it locally (vg_task_cancel); a progress callback that throws stops it.
 * @module videogen/operation
 */
const native = require('./native');
const { TaskCancelledError, toError } = require('./errors');

/** The progress event a callback or an iterator gets for an update. */
function progressEvent(update) {
  return {
    kind: update.kind === 'transfer' ? 'download' : 'status',
    state: update.state,
    progress: update.progress,
    queuePosition: update.queuePosition,
    bytesReceived: update.bytesReceived,
    bytesTotal: update.bytesTotal,
  };
}

/** The rejection of an operation stopped by `signal`. */
function abortError(signal, task) {
  return new TaskCancelledError('the operation was aborted', {
    cause: signal.reason, taskId: task ? task.id : null, task,
  });
}

/**
 * Runs one operation on `task`.
 * @param {import('./task').Task} task the task (its view takes every update).
 * @param {(onUpdate: Function) => void} start starts the native operation with the update callback.
 * @param {{onProgress?: Function, signal?: AbortSignal}} options
 * @returns {Promise<void>} resolved by a successful DONE; rejected with the operation's error.
 */
function runOperation(task, start, { onProgress, signal } = {}) {
  if (onProgress != null && typeof onProgress !== 'function') {
    return Promise.reject(new TypeError('onProgress must be a function'));
  }
  if (signal != null && typeof signal.aborted !== 'boolean') {
    return Promise.reject(new TypeError('signal must be an AbortSignal'));
  }
  if (signal && signal.aborted) return Promise.reject(abortError(signal, task));
  return new Promise((resolve, reject) => {
    let failure = null;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      try {
        native.cancel(task._handle());
      } catch {
        // Closed meanwhile: the close ended the operation already.
      }
    };
    const onUpdate = (update) => {
      task._apply(update);
      if (update.kind !== 'done') {
        if (onProgress == null || failure !== null) return failure !== null;
        try {
          onProgress(progressEvent(update));
          return false;
        } catch (error) {
          failure = error;  // stops the operation (VG_E_ABORTED_BY_CALLBACK); re-thrown to the caller below
          return true;
        }
      }
      if (signal) signal.removeEventListener('abort', onAbort);
      if (failure !== null) reject(failure);
      else if (update.code === 0) resolve();
      else if (aborted && update.code === 17) reject(abortError(signal, task));
      else reject(toError(update.error, { taskId: task.id, task }));
      return false;
    };
    try {
      start(onUpdate);
    } catch (raw) {
      reject(toError(raw, { taskId: task.id, task }));
      return;
    }
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The operation as an async iterator of its progress events (started on the first `next()`); it ends when the
 * operation succeeds and throws its error otherwise. Leaving the loop early cancels the operation locally.
 */
async function* iterateOperation(task, start, { signal } = {}) {
  const queue = [];
  let wake = null;
  let finished = false;
  let failure = null;
  const done = runOperation(task, start, {
    signal,
    onProgress: (event) => {
      queue.push(event);
      if (wake) wake();
    },
  }).then(
    () => { finished = true; if (wake) wake(); },
    (error) => { failure = error; finished = true; if (wake) wake(); },
  );
  try {
    for (;;) {
      if (queue.length > 0) {
        yield queue.shift();
      } else if (finished) {
        if (failure !== null) throw failure;
        return;
      } else {
        await new Promise((resolve) => { wake = resolve; });
        wake = null;
      }
    }
  } finally {
    if (!finished) {
      try {
        native.cancel(task._handle());
      } catch {
        // closed meanwhile
      }
      await done;
    }
  }
}

module.exports = { runOperation, iterateOperation, progressEvent };
