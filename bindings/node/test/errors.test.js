'use strict';
// Conformance scenarios "typed auth error", "not found", "task failed with the provider's reason", "wait deadline",
// and the mapping of the rest of the error model (retry hint, configuration and request errors).
const test = require('node:test');
const assert = require('node:assert/strict');
const videogen = require('..');
const { startEmulator } = require('./support/emulator');

let emu;
test.before(async () => { emu = await startEmulator(); });
test.after(async () => { await emu.stop(); });

test('typed auth error', async () => {
  const client = new videogen.Client(emu.config({ api_key: 'sk-wrong' }));
  await assert.rejects(client.submit({ model: 'sora-2', prompt: 'x' }), (error) => {
    assert.ok(error instanceof videogen.AuthenticationError);
    assert.ok(error instanceof videogen.VideoGenError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'AuthenticationError');
    assert.equal(error.code, 'VG_E_AUTH');
    assert.equal(error.errno, 6);
    assert.equal(error.httpStatus, 401);
    assert.equal(typeof error.message, 'string');
    assert.ok(error.message.length > 0);
    assert.equal(error.retryAfter, null);
    return true;
  });
  assert.equal(client.pending, 0);
  client.close();
});

test('not found', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.resume({ record_version: 1, id: 'video_does_not_exist', state: 'queued' });
  assert.equal(task.id, 'video_does_not_exist');
  await assert.rejects(task.wait(), (error) => {
    assert.ok(error instanceof videogen.NotFoundError);
    assert.equal(error.code, 'VG_E_NOT_FOUND');
    assert.equal(error.httpStatus, 404);
    assert.equal(error.taskId, 'video_does_not_exist');
    assert.equal(error.task, task);
    return true;
  });
  client.close();
});

test("task failed with the provider's reason", async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'emu-fail', prompt: 'x' });
  await assert.rejects(task.wait(), (error) => {
    // The emulator's emu-fail ends the task with OpenAI's content_policy_violation: the more specific class.
    assert.ok(error instanceof videogen.ContentPolicyError);
    assert.equal(error.code, 'VG_E_CONTENT_POLICY');
    assert.equal(error.providerCode, 'content_policy_violation');
    assert.match(error.message, /safety system/);
    assert.equal(error.taskId, task.id);
    return true;
  });
  assert.equal(task.state, 'failed');
  assert.ok(task.done);
  assert.ok(task.error instanceof videogen.ContentPolicyError);
  assert.equal(task.error.providerCode, 'content_policy_violation');
  // The record says the same, and a task resumed from it too.
  assert.equal(task.record().state, 'failed');
  const resumed = await client.resume(task.record());
  assert.equal(resumed.state, 'failed');
  assert.ok(resumed.error instanceof videogen.ContentPolicyError, String(resumed.error));
  assert.equal(resumed.error.providerCode, 'content_policy_violation');
  client.close();
});

test('wait deadline', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'emu-stuck', prompt: 'x' });
  for (let attempt = 0; attempt < 2; attempt++) {  // the task is still running: it can be waited on again
    await assert.rejects(task.wait({ timeout: 0.3 }), (error) => {
      assert.ok(error instanceof videogen.TimeoutError);
      assert.equal(error.code, 'VG_E_DEADLINE');
      return true;
    });
    assert.equal(task.state, 'running');
  }
  client.close();
});

// The library's 0 means "the client's wait_timeout": a timeout of 0 (a deadline already passed) used to be refused
// with a RangeError; it is a TimeoutError at once, however long the client's wait_timeout (an hour here; the test's
// own timeout bounds a wait that would run it).
test('an expired deadline fails at once', { timeout: 60000 }, async () => {
  const client = new videogen.Client(emu.config({ wait_timeout: 3600 }));
  try {
    const task = await client.submit({ model: 'emu-stuck', prompt: 'x' });
    await assert.rejects(task.wait({ timeout: 0 }), (error) => {
      assert.ok(error instanceof videogen.TimeoutError, String(error));
      assert.equal(error.code, 'VG_E_DEADLINE');
      return true;
    });
    assert.equal(task.done, false);
    await assert.rejects(task.wait({ timeout: -1 }), RangeError);
  } finally {
    client.close();
  }
});

test('rate limit carries the retry hint', async () => {
  await emu.control({ faults: [{ fault: 'retry-after:30', match: '/v1/videos', method: 'POST', count: 1 }] });
  const client = new videogen.Client(emu.config({ retry: { max_attempts: 1 } }));
  try {
    await assert.rejects(client.submit({ model: 'sora-2', prompt: 'x' }), (error) => {
      assert.ok(error instanceof videogen.RateLimitError);
      assert.equal(error.code, 'VG_E_RATE_LIMITED');
      assert.equal(error.httpStatus, 429);
      assert.equal(error.retryAfter, 30);
      return true;
    });
  } finally {
    await emu.control({ faults: [] });
    client.close();
  }
});

test('configuration and request errors are InvalidArgumentError, thrown or rejected at once', async () => {
  assert.throws(() => new videogen.Client({ dialect: 'openai', base_url: emu.url, api_key: 'k', bogus: 1 }),
    (error) => error instanceof videogen.InvalidArgumentError && /bogus/.test(error.message));
  assert.throws(() => new videogen.Client('{not json'), videogen.InvalidArgumentError);
  assert.throws(() => new videogen.Client(42), TypeError);
  assert.throws(() => new videogen.Client({ dialect: 'openai', base_url: 'http://example.com', api_key: 'k' }),
    (error) => error.code === 'VG_E_INSECURE');
  const client = new videogen.Client(emu.config());
  await assert.rejects(client.submit({ model: 'sora-2', prompt: 'x', colour: 'red' }),
    (error) => error instanceof videogen.InvalidArgumentError && /colour/.test(error.message));
  await assert.rejects(client.submit({ prompt: 'no model' }), videogen.InvalidArgumentError);
  await assert.rejects(client.resume({ record_version: 1, id: 'x', state: 'dancing' }), videogen.VideoGenError);
  assert.equal(client.pending, 0);
  client.close();
});

test('every code has a name', () => {
  assert.equal(videogen.codes.length, 28);
  assert.equal(videogen.codes[0], 'VG_OK');
  assert.equal(videogen.codes[27], 'VG_E_NOMEM');
  const error = new videogen.TaskFailedError('failed');
  assert.equal(error.code, 'VG_E_TASK_FAILED');
  assert.equal(error.httpStatus, null);
});
