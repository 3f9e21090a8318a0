'use strict';
// Conformance scenarios "whole job byte-exact" and "progress events in order", and the event loop never blocking.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const videogen = require('..');
const { startEmulator, SAMPLE } = require('./support/emulator');

const STATE_ORDER = ['queued', 'running', 'succeeded'];

let emu;
let dir;
test.before(async () => {
  emu = await startEmulator();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-node-job-'));
});
test.after(async () => {
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Checks that status events go forward: states in order, progress never back. */
function assertInOrder(events) {
  let rank = 0;
  let progress = -1;
  for (const event of events) {
    const r = STATE_ORDER.indexOf(event.state);
    assert.ok(r >= rank, `state ${event.state} after ${STATE_ORDER[rank]}`);
    rank = r;
    if (event.progress !== null) {
      assert.ok(event.progress >= progress, `progress ${event.progress} after ${progress}`);
      progress = event.progress;
    }
  }
  assert.equal(events.at(-1).state, 'succeeded');
  assert.equal(events.at(-1).progress, 100);
}

test('whole job byte-exact', async () => {
  const client = new videogen.Client(emu.config());
  const output = path.join(dir, 'whole.mp4');
  const task = await client.generate({ model: 'sora-2', prompt: 'a red fox in the snow', duration: 4 }, { output });
  assert.equal(task.state, 'succeeded');
  assert.ok(task.done);
  assert.match(task.id, /^video_/);
  assert.deepEqual(fs.readFileSync(output), fs.readFileSync(SAMPLE));
  const file = task.file;
  assert.equal(file.path, output);
  assert.equal(file.size, fs.statSync(SAMPLE).size);
  assert.match(file.sha256, /^[0-9a-f]{64}$/);
  assert.ok(!fs.existsSync(`${output}.part`));
  assert.equal(client.pending, 0);
  client.close();
});

test('progress events in order (callback)', async () => {
  const client = new videogen.Client(emu.config());
  const events = [];
  const output = path.join(dir, 'callback.mp4');
  await client.generate({ model: 'sora-2', prompt: 'progress' }, { output, onProgress: (e) => events.push(e) });
  const status = events.filter((e) => e.kind === 'status');
  const download = events.filter((e) => e.kind === 'download');
  assert.ok(status.length >= 2, `${status.length} status events`);
  assert.equal(status[0].state, 'queued');  // the wait reports the state it starts from
  assertInOrder(status);
  assert.ok(download.length >= 1);
  for (let i = 1; i < download.length; i++) assert.ok(download[i].bytesReceived >= download[i - 1].bytesReceived);
  assert.equal(download.at(-1).bytesReceived, fs.statSync(SAMPLE).size);
  assert.equal(download.at(-1).bytesTotal, fs.statSync(SAMPLE).size);
  // Every status event came before every download event.
  assert.ok(events.findIndex((e) => e.kind === 'download') > events.findLastIndex((e) => e.kind === 'status'));
  client.close();
});

test('progress events in order (async iterator)', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'sora-2', prompt: 'iterator' });
  const status = [];
  for await (const event of task.events()) status.push(event);
  assertInOrder(status);
  assert.equal(task.state, 'succeeded');
  const output = path.join(dir, 'iterator.mp4');
  const bytes = [];
  for await (const event of task.events({ download: output })) bytes.push(event.bytesReceived);
  assert.equal(bytes.at(-1), fs.statSync(SAMPLE).size);
  assert.deepEqual(fs.readFileSync(output), fs.readFileSync(SAMPLE));
  assert.equal(task.file.path, output);
  client.close();
});

test('a wait keeps the event loop running (counted turns, not time)', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'sora-2', prompt: 'loop' });
  let turns = 0;
  let spinning = true;
  const spin = () => {
    turns++;
    if (spinning) setImmediate(spin);
  };
  setImmediate(spin);
  const updatesSeen = [];
  await task.wait({ onProgress: () => updatesSeen.push(turns) });
  spinning = false;
  // The loop turned between updates: a blocked loop would have delivered every update at the same turn count.
  assert.ok(updatesSeen.length >= 2);
  assert.ok(updatesSeen.at(-1) > updatesSeen[0], `turns at updates: ${updatesSeen}`);
  client.close();
});

test('a progress callback that throws stops the operation and rejects with its error', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'emu-stuck', prompt: 'throws' });
  const boom = new Error('boom');
  let calls = 0;
  await assert.rejects(task.wait({ onProgress: () => { calls++; throw boom; } }), (error) => error === boom);
  assert.equal(calls, 1);
  assert.equal(client.pending, 0);
  client.close();
});
