'use strict';
// Conformance scenario "200 tasks at once": one client, one thread, no thread per task.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const videogen = require('..');
const { startEmulator, SAMPLE } = require('./support/emulator');

const TASKS = 200;

/** The process's thread count (Linux). */
function threads() {
  return Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
}

test('200 tasks at once', async (t) => {
  const emu = await startEmulator({ taskSeconds: 1 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-node-many-'));
  const before = threads();
  let most = before;
  const client = new videogen.Client(emu.config({ poll: { interval: 0.25, min_interval: 0.1, max_interval: 0.5 } }));
  try {
    const updates = new Array(TASKS).fill(0);
    const jobs = Array.from({ length: TASKS }, (_, i) => client.generate(
      { model: 'sora-2', prompt: `task ${i}` },
      { output: path.join(dir, `${i}.mp4`), onProgress: () => { updates[i]++; most = Math.max(most, threads()); } },
    ));
    const tasks = await Promise.all(jobs);
    const sample = fs.readFileSync(SAMPLE);
    assert.equal(new Set(tasks.map((t) => t.id)).size, TASKS);
    for (let i = 0; i < TASKS; i++) {
      assert.equal(tasks[i].state, 'succeeded');
      assert.ok(updates[i] >= 2, `task ${i}: ${updates[i]} updates`);
      assert.deepEqual(fs.readFileSync(path.join(dir, `${i}.mp4`)), sample);
    }
    assert.equal(client.pending, 0);
    // No thread per task: the library's loop threads and libuv's pool, whatever the number of tasks.
    assert.ok(most - before < 32, `threads: ${before} before, ${most} at most`);
    t.diagnostic(`threads: ${before} before the client, ${most} at most with ${TASKS} tasks in flight`);
  } finally {
    client.close();
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
