'use strict';
// Conformance scenario "misuse after close / free refused cleanly", and hostile arguments: every misuse is an
// error naming it, never a crash.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');
const { promisify } = require('node:util');
const videogen = require('..');
const native = require('../lib/native');
const { startEmulator } = require('./support/emulator');

let emu;
test.before(async () => { emu = await startEmulator(); });
test.after(async () => { await emu.stop(); });

const closedHandle = (error) => error instanceof videogen.VideoGenError && error.code === 'VG_E_INVALID_HANDLE';

test('misuse after close refused (client)', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'sora-2', prompt: 'x' });
  client.close();
  client.close();  // idempotent
  assert.equal(client.closed, true);
  await assert.rejects(client.submit({ model: 'sora-2', prompt: 'x' }), closedHandle);
  await assert.rejects(client.resume(task.record()), closedHandle);
  await assert.rejects(client.generate({ model: 'sora-2', prompt: 'x' }, { output: 'x.mp4' }), closedHandle);
  await assert.rejects(task.wait(), closedHandle);  // its client is closed
  await assert.rejects(task.download('x.mp4'), closedHandle);
  assert.equal(task.record().id, task.id);  // still readable
  assert.equal(client.pending, 0);
});

test('misuse after free refused (task)', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'sora-2', prompt: 'x' });
  const id = task.id;
  task.close();
  task.close();  // idempotent
  assert.equal(task.closed, true);
  await assert.rejects(task.wait(), closedHandle);
  await assert.rejects(task.download('x.mp4'), closedHandle);
  await assert.rejects(task.cancelRemote(), closedHandle);
  assert.throws(() => task.cancel(), closedHandle);
  assert.throws(() => task.record(), closedHandle);
  await assert.rejects(task.events().next(), closedHandle);
  assert.equal(task.id, id);  // the last view stays
  client.close();
});

test('closing from inside a progress callback is deferred past the dispatch', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'emu-stuck', prompt: 'x' });
  await assert.rejects(task.wait({ onProgress: () => task.close() }), videogen.TaskCancelledError);
  const other = await client.submit({ model: 'emu-stuck', prompt: 'x' });
  await assert.rejects(other.wait({ onProgress: () => client.close() }), videogen.TaskCancelledError);
  assert.equal(client.closed, true);
  assert.equal(client.pending, 0);
});

test('one operation at a time per task; download needs a succeeded task', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'sora-2', prompt: 'x' });
  await assert.rejects(task.download('never.mp4'), (error) => error.code === 'VG_E_NOT_READY');
  const first = task.wait();
  await assert.rejects(task.wait(), (error) => error.code === 'VG_E_BUSY');
  await first;
  assert.equal(task.state, 'succeeded');
  client.close();
});

test('hostile arguments are refused by name', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'sora-2', prompt: 'x' });
  await task.wait();
  await assert.rejects(client.submit(null), TypeError);
  await assert.rejects(client.submit([1, 2]), TypeError);
  await assert.rejects(task.download('a\u0000b.mp4'), (error) => error instanceof TypeError && /NUL/.test(error.message));
  await assert.rejects(task.download(42), TypeError);
  await assert.rejects(task.wait({ timeout: -1 }), RangeError);
  await assert.rejects(task.wait({ timeout: Number.NaN }), RangeError);
  await assert.rejects(task.wait({ timeout: '5' }), RangeError);
  await assert.rejects(task.wait({ onProgress: 'print' }), TypeError);
  await assert.rejects(task.wait({ signal: {} }), TypeError);
  await assert.rejects(client.generate({ model: 'sora-2', prompt: 'x' }), TypeError);  // no output
  // The addon itself checks every argument: wrong kinds of objects, missing arguments, NaN.
  const nativeClient = client._native;
  const nativeTask = task._native;
  const noop = () => false;
  assert.throws(() => native.wait(nativeClient, 1, noop), TypeError);
  assert.throws(() => native.wait({}, 1, noop), TypeError);
  assert.throws(() => native.wait(nativeTask, Number.NaN, noop), RangeError);
  assert.throws(() => native.wait(nativeTask, 1, 'noop'), TypeError);
  assert.throws(() => native.wait(nativeTask), TypeError);
  assert.throws(() => native.submit(nativeTask, '{}', noop), TypeError);
  assert.throws(() => native.submit(nativeClient, '{}'), TypeError);
  assert.throws(() => native.closeClient(nativeTask), TypeError);
  assert.throws(() => native.closeTask(nativeClient), TypeError);
  assert.throws(() => native.createClient(), TypeError);
  assert.throws(() => native.createClient('{"dialect": "openai"\u0000}'), TypeError);
  assert.throws(() => native.snapshot(null), TypeError);
  assert.throws(() => native.cancel(Object.create(nativeTask)), TypeError);
  assert.equal(client.pending, 0);
  client.close();
});

test('forgotten clients and tasks are freed by the garbage collector', async () => {
  const script = `
    const videogen = require(${JSON.stringify(path.join(__dirname, '..'))});
    (async () => {
      for (let round = 0; round < 20; round++) {
        const client = new videogen.Client(${JSON.stringify(emu.config())});
        const task = await client.resume({ record_version: 1, id: 'video_' + round, state: 'queued' });
        if (round % 2) client.close();
      }
      for (let i = 0; i < 5; i++) { global.gc(); await new Promise((r) => setImmediate(r)); }
      const client = new videogen.Client(${JSON.stringify(emu.config())});
      const task = await client.submit({ model: 'sora-2', prompt: 'after gc' });
      await task.wait();
      global.gc();
      process.stdout.write(task.state);
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '-e', script]);
  assert.equal(stdout, 'succeeded');
});
