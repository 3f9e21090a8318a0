'use strict';
// Conformance scenario "canary key never in any output": the key appears in no error, no inspected object, no
// progress event, no record, no file, and neither on stdout nor on stderr.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { startEmulator } = require('./support/emulator');

test('canary key never in any output', async () => {
  const canary = `sk-CANARY-${crypto.randomUUID()}`;
  const emu = await startEmulator({ apiKey: canary, taskSeconds: 0.3 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-node-canary-'));
  try {
    const child = path.join(__dirname, 'support', 'canary-child.js');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [child, canary, emu.url, dir],
      { maxBuffer: 64 * 1024 * 1024 });
    // The child went through every path (so the check below looked at something).
    for (const label of ['client', 'progress', 'task', 'failed-task', 'deadline', 'not-found', 'auth', 'config',
      'closed', 'done']) {
      assert.ok(stdout.includes(`${label} `) || stdout.includes(`${label}\n`), `no ${label} output`);
    }
    assert.match(stdout, /AuthenticationError/);
    assert.match(stdout, /ContentPolicyError/);
    assert.ok(!stdout.includes(canary), 'canary on stdout');
    assert.ok(!stderr.includes(canary), 'canary on stderr');
    const files = fs.readdirSync(dir);
    assert.ok(files.includes('video.mp4') && files.includes('record.json'), files.join(', '));
    for (const name of files) {
      assert.ok(!fs.readFileSync(path.join(dir, name)).includes(canary), `canary in ${name}`);
    }
  } finally {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
