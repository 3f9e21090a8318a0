'use strict';
// The direct providers end to end (Kling's own API with its secret key and JWT; Replicate with prefer_wait 0 and a
// server deadline), outputs downloaded by index (OpenRouter's emu-outputs-<n>), the task's usage and outputs, and
// idempotencyKey's known answers.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const videogen = require('..');
const { startEmulator, SAMPLE } = require('./support/emulator');

/** The secret key the emulator checks Kling's JWT with (emulator/videogen_emulator/kling_official_routes.py). */
const KLING_SECRET = 'emulator-kling-secret-key-0123456789';
/** How long the emulator's tasks last here, seconds (Replicate's metrics follow it). */
const TASK_SECONDS = 1;

/** Known answers computed apart from the library by Python's hashlib + uuid (bindings/python/tests/test_binding_jobs.py). */
const KNOWN = [
  ['order-42', '', 'e2489364-9895-8ee0-8db3-7ffd4e039868'],
  ['order-42', 'batch-2026-12', 'be18f1c0-9ac7-8dea-a32a-3fae0141c839'],
  ['é/ü 漢', '', 'b1f3028a-46f2-886f-a2d8-9d3c26f0223a'],
];

/** The header's construction redone with node:crypto: SHA-256(namespace || scope || 0 || job), version 8. */
function rfc9562Key(job, scope) {
  const hash = crypto.createHash('sha256');
  hash.update(Buffer.from('33ff1169419f45f29c2a14dd7fcf6f7c', 'hex'));
  hash.update(Buffer.from(scope, 'utf8'));
  hash.update(Buffer.from([0]));
  hash.update(Buffer.from(job, 'utf8'));
  const b = hash.digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

let emu;
let dir;
test.before(async () => {
  emu = await startEmulator({ taskSeconds: TASK_SECONDS });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-node-providers-'));
});
test.after(async () => {
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Submits, waits and downloads byte-exact; returns the task (closed by the caller). */
async function wholeJob(client, model) {
  const output = path.join(dir, `${crypto.randomUUID()}.mp4`);
  const task = await client.generate({ model, prompt: 'a paper boat' }, { output, timeout: 30 });
  assert.equal(task.state, 'succeeded');
  assert.deepEqual(fs.readFileSync(output), fs.readFileSync(SAMPLE));
  return task;
}

test('idempotencyKey: known answers, the same as node:crypto computes', () => {
  for (const [job, scope, key] of KNOWN) {
    assert.equal(videogen.idempotencyKey(job, scope), key);
    assert.equal(rfc9562Key(job, scope), key);
  }
  assert.equal(videogen.idempotencyKey('order-42'), KNOWN[0][2]);
  assert.equal(videogen.idempotencyKey('order-42', null), KNOWN[0][2]);
  assert.equal(videogen.idempotencyKey('order-42', 'other'), rfc9562Key('order-42', 'other'));
});

test('idempotencyKey: bad job ids refused', () => {
  for (const job of ['', 'x'.repeat(4097)]) {
    assert.throws(() => videogen.idempotencyKey(job), (e) => e instanceof videogen.InvalidArgumentError);
  }
  assert.throws(() => videogen.idempotencyKey('a\0b'), TypeError);
  assert.throws(() => videogen.idempotencyKey(42), TypeError);
  assert.throws(() => videogen.idempotencyKey('job', 7), TypeError);
});

test('kling_official with secret_key end to end: the JWT accepted, usage read, no secret anywhere', async () => {
  const client = new videogen.Client(emu.config({ dialect: 'kling_official', secret_key: KLING_SECRET }));
  const task = await wholeJob(client, 'kling-v1');
  assert.deepEqual(task.usage, { final_unit_deduction: '1' });
  assert.deepEqual(task.outputs, []);
  const shown = [JSON.stringify(task.record()), util.inspect(client, { depth: 5 }), util.inspect(task, { depth: 5 }),
    String(task)].join('\n');
  assert.ok(!shown.includes(KLING_SECRET) && !shown.includes(emu.key));
  task.close();
  client.close();
});

test('kling_official without a secret key is an AuthenticationError; secret_key elsewhere refused by name', () => {
  assert.throws(() => new videogen.Client(emu.config({ dialect: 'kling_official' })),
    (e) => e instanceof videogen.AuthenticationError && /secret_key/.test(e.message));
  assert.throws(() => new videogen.Client(emu.config({ secret_key: 's-1234567890' })),
    (e) => e.code === 'VG_E_UNSUPPORTED' && e.message.includes("'secret_key'") && !e.message.includes('s-1234567890'));
});

test('replicate with prefer_wait 0 and server_deadline end to end: usage from its metrics', async () => {
  const client = new videogen.Client(emu.config({ dialect: 'replicate', prefer_wait: 0, server_deadline: true,
    wait_timeout: 30 }));
  const task = await wholeJob(client, 'kwaivgi/kling-v2.1');
  assert.deepEqual(task.usage, { predict_time: 0.8 * TASK_SECONDS, total_time: TASK_SECONDS });
  assert.ok(task.record().links.get.endsWith(`/v1/predictions/${task.id}`));
  task.close();
  client.close();
});

test('outputs downloaded by index (OpenRouter emu-outputs-3)', async () => {
  const client = new videogen.Client(emu.config({ dialect: 'openrouter' }));
  const task = await client.submit({ model: 'm emu-outputs-3', prompt: 'three' });
  await task.wait({ timeout: 30 });
  assert.equal(task.outputs.length, 3);
  assert.equal(task.outputs[0], task.videoUrl);
  assert.equal(typeof task.usage.cost, 'number');
  const second = path.join(dir, 'second.mp4');
  const file = await task.downloadOutput(1, second);
  assert.deepEqual(fs.readFileSync(second), fs.readFileSync(SAMPLE));
  assert.equal(file.path, second);
  assert.equal(file.output, 1);
  assert.equal(file.sha256, crypto.createHash('sha256').update(fs.readFileSync(SAMPLE)).digest('hex'));
  assert.equal(task.record().download.output, 1);
  await assert.rejects(task.downloadOutput(3, path.join(dir, 'fourth.mp4')),
    (e) => e instanceof videogen.InvalidArgumentError && /3/.test(e.message) && e.taskId === task.id);
  await assert.rejects(task.downloadOutput(-1, second), RangeError);
  await assert.rejects(task.downloadOutput(1.5, second), RangeError);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(task.downloadOutput(1, second, { signal: controller.signal }), videogen.TaskCancelledError);
  task.close();
  await assert.rejects(task.downloadOutput(1, second), (e) => e.code === 'VG_E_INVALID_HANDLE');
  client.close();
});

test('downloadOutput before the task succeeded is VG_E_NOT_READY', async () => {
  const client = new videogen.Client(emu.config({ dialect: 'openrouter' }));
  const task = await client.submit({ model: 'm emu-outputs-2 emu-stuck', prompt: 'never' });
  await assert.rejects(task.downloadOutput(1, path.join(dir, 'never.mp4')), (e) => e.code === 'VG_E_NOT_READY');
  task.close();
  client.close();
});

/** Resolves once the emulator has fired its one fault rule (the download is then blocked in the C call). */
async function faultFired(url) {
  for (;;) {
    const rules = await (await fetch(`${url}/_emulator/faults`)).json();
    if (rules.faults[0].fired > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('downloadOutput aborted, then closed, while blocked on a stalled answer', async () => {
  const stalled = await startEmulator({ taskSeconds: TASK_SECONDS });
  try {
    await stalled.control({ faults: [{ fault: 'stall-after:64:3600', match: '/content', method: 'GET' }] });
    const client = new videogen.Client(stalled.config({ dialect: 'openrouter' }));
    const task = await client.submit({ model: 'm emu-outputs-2', prompt: 'two' });
    await task.wait({ timeout: 30 });
    const target = path.join(dir, 'stalled.mp4');
    const controller = new AbortController();
    const running = task.downloadOutput(1, target, { signal: controller.signal });
    await faultFired(stalled.url);
    controller.abort();
    await assert.rejects(running, (e) => e instanceof videogen.TaskCancelledError && e.taskId === task.id);
    assert.ok(!fs.existsSync(target));
    // A second task, closed (its native task freed) while its output download is blocked on the pool thread.
    const other = await client.submit({ model: 'm emu-outputs-2', prompt: 'two' });
    await other.wait({ timeout: 30 });
    await stalled.control({ faults: [{ fault: 'stall-after:64:3600', match: '/content', method: 'GET' }] });
    const closing = other.downloadOutput(1, path.join(dir, 'closed.mp4'));
    await faultFired(stalled.url);
    other.close();
    await assert.rejects(closing, (e) => e.code === 'VG_E_CANCELLED' || e.code === 'VG_E_INVALID_HANDLE');
    task.close();
    client.close();
  } finally {
    await stalled.stop();
  }
});
