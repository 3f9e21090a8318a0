'use strict';
// Conformance scenario "cancel from another thread / AbortSignal within 1 s", and the other ways to stop an
// operation: task.cancel(), leaving an iterator early, closing the task or the client.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const videogen = require('..');
const { startEmulator } = require('./support/emulator');

let emu;
test.before(async () => { emu = await startEmulator(); });
test.after(async () => { await emu.stop(); });

/** A task that never finishes, with its first status update already seen (so the wait is under way). */
async function stuckWait(client, options = {}) {
  const task = await client.submit({ model: 'emu-stuck', prompt: 'x' });
  let first;
  const seen = new Promise((resolve) => { first = resolve; });
  const after = [];
  let aborted = false;
  const waiting = task.wait({ ...options, onProgress: (event) => { if (aborted) after.push(event); first(event); } });
  await seen;
  return { task, waiting, after, markAborted: () => { aborted = true; } };
}

test('cancel with AbortSignal within 1 s', async () => {
  const client = new videogen.Client(emu.config());
  const controller = new AbortController();
  const { task, waiting, after, markAborted } = await stuckWait(client, { signal: controller.signal });
  const reason = new Error('user pressed stop');
  const started = performance.now();
  markAborted();
  controller.abort(reason);
  await assert.rejects(waiting, (error) => {
    assert.ok(error instanceof videogen.TaskCancelledError);
    assert.equal(error.code, 'VG_E_CANCELLED');
    assert.equal(error.cause, reason);
    assert.equal(error.task, task);
    return true;
  });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `cancelled after ${elapsed} ms`);  // the scenario's own bound
  assert.deepEqual(after, []);  // no progress callback after the abort
  assert.equal(client.pending, 0);
  // Cancelled for good in this process: a new wait is refused; the record resumes it elsewhere.
  await assert.rejects(task.wait(), (error) => error.code === 'VG_E_CANCELLED');
  assert.equal(task.record().id, task.id);
  client.close();
});

test('an already aborted signal starts nothing', async () => {
  const client = new videogen.Client(emu.config());
  const reason = new Error('too late');
  await assert.rejects(client.submit({ model: 'sora-2', prompt: 'x' }, { signal: AbortSignal.abort(reason) }),
    (error) => error instanceof videogen.TaskCancelledError && error.cause === reason);
  assert.equal(client.pending, 0);
  await assert.rejects(client.generate({ model: 'sora-2', prompt: 'x' }, { output: '/nonexistent/x.mp4',
    signal: AbortSignal.abort() }), videogen.TaskCancelledError);
  client.close();
});

test('an AbortSignal stops a submit in flight', async () => {
  // The service holds the submit's answer back for 30 s: only the abort can end it.
  await emu.control({ faults: [{ fault: 'stall:30', match: '/v1/videos', method: 'POST', count: 1 }] });
  const client = new videogen.Client(emu.config());
  try {
    const controller = new AbortController();
    const submit = client.submit({ model: 'sora-2', prompt: 'x' }, { signal: controller.signal });
    assert.equal(client.pending, 1);  // the native submit started before submit() returned
    controller.abort();
    await assert.rejects(submit, (error) => error instanceof videogen.TaskCancelledError && error.task === null);
    assert.equal(client.pending, 0);
  } finally {
    await emu.control({ faults: [] });
    client.close();
  }
});

test('cancel with task.cancel()', async () => {
  const client = new videogen.Client(emu.config());
  const { task, waiting } = await stuckWait(client);
  task.cancel();
  task.cancel();  // any number of times
  await assert.rejects(waiting, (error) => error instanceof videogen.TaskCancelledError && error.cause === undefined);
  client.close();
});

test('leaving an events() loop early cancels the wait', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'emu-stuck', prompt: 'x' });
  let seen = 0;
  for await (const event of task.events()) {
    assert.equal(typeof event.state, 'string');
    seen++;
    break;
  }
  assert.equal(seen, 1);
  assert.equal(client.pending, 0);
  await assert.rejects(task.wait(), (error) => error.code === 'VG_E_CANCELLED');
  client.close();
});

test('an AbortSignal stops an events() loop with TaskCancelledError', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'emu-stuck', prompt: 'x' });
  const controller = new AbortController();
  await assert.rejects((async () => {
    for await (const event of task.events({ signal: controller.signal })) {
      assert.ok(event);
      controller.abort();
    }
  })(), videogen.TaskCancelledError);
  assert.equal(client.pending, 0);
  client.close();
});

test('an AbortSignal stops a download and leaves no file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-node-cancel-'));
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'sora-2', prompt: 'x' });
  await task.wait();
  const controller = new AbortController();
  controller.abort();
  const output = path.join(dir, 'never.mp4');
  await assert.rejects(task.download(output, { signal: controller.signal }), videogen.TaskCancelledError);
  assert.ok(!fs.existsSync(output));
  // Aborted during the transfer: the drip fault keeps it in flight until the signal fires.
  await emu.control({ faults: [{ fault: 'drip:2000', match: '/content' }] });
  try {
    const slow = new AbortController();
    const download = task.download(output, { signal: slow.signal, onProgress: () => slow.abort() });
    await assert.rejects(download, videogen.TaskCancelledError);
    assert.ok(!fs.existsSync(output));
  } finally {
    await emu.control({ faults: [] });
    client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('closing the task or the client rejects what runs on it', async () => {
  const client = new videogen.Client(emu.config());
  const one = await stuckWait(client);
  one.task.close();
  await assert.rejects(one.waiting, (error) => error instanceof videogen.TaskCancelledError);
  const two = await stuckWait(client);
  const three = await stuckWait(client);
  assert.equal(client.pending, 2);
  client.close();
  await assert.rejects(two.waiting, videogen.TaskCancelledError);
  await assert.rejects(three.waiting, videogen.TaskCancelledError);
  assert.equal(client.pending, 0);
  // Tasks stay readable after their client closed.
  assert.ok(['queued', 'running'].includes(two.task.state), two.task.state);
  assert.equal(two.task.done, false);
  assert.equal(typeof two.task.record().id, 'string');
});

test('cancelRemote cancels locally at once and reports the service answer', async () => {
  const client = new videogen.Client(emu.config());
  const { task, waiting } = await stuckWait(client);
  const remote = task.cancelRemote();
  await assert.rejects(waiting, videogen.TaskCancelledError);
  // The openai dialect has no remote cancel: the library says so (local cancellation happened anyway).
  await assert.rejects(remote, (error) => error instanceof videogen.VideoGenError && error.code === 'VG_E_UNSUPPORTED');
  client.close();
});
