'use strict';
// Conformance scenario "resume from a record in a new process".
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const videogen = require('..');
const { startEmulator, SAMPLE } = require('./support/emulator');

let emu;
test.before(async () => { emu = await startEmulator({ taskSeconds: 1 }); });
test.after(async () => { await emu.stop(); });

test('resume from a record in a new process', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-node-resume-'));
  try {
    const client = new videogen.Client(emu.config());
    const task = await client.submit({ model: 'sora-2', prompt: 'resumed elsewhere' });
    const record = task.record();
    assert.equal(record.id, task.id);
    assert.ok(!task.done);
    const text = JSON.stringify(record);
    assert.ok(!text.includes(emu.key));  // a record holds no secret
    task.close();
    client.close();

    const output = path.join(dir, 'resumed.mp4');
    const child = path.join(__dirname, 'support', 'resume-child.js');
    const { stdout } = await promisify(execFile)(process.execPath, [child, JSON.stringify(emu.config()), text, output]);
    const final = JSON.parse(stdout);
    assert.equal(final.id, record.id);
    assert.equal(final.state, 'succeeded');
    assert.deepEqual(fs.readFileSync(output), fs.readFileSync(SAMPLE));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('resume takes the record as an object or as its JSON text', async () => {
  const client = new videogen.Client(emu.config());
  const task = await client.submit({ model: 'sora-2', prompt: 'x' });
  const again = await client.resume(JSON.stringify(task.record()));
  const third = await client.resume(task.record());
  assert.equal(again.id, task.id);
  assert.equal(third.id, task.id);
  await again.wait();
  assert.equal(again.state, 'succeeded');
  client.close();
});
