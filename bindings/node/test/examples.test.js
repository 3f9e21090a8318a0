'use strict';
// The examples in examples/node run as documented against the emulator.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { startEmulator, ROOT, SAMPLE } = require('./support/emulator');

const EXAMPLES = path.join(ROOT, 'examples', 'node');
let emu;
let dir;
test.before(async () => {
  emu = await startEmulator();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-node-examples-'));
});
test.after(async () => {
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(name, ...args) {
  return promisify(execFile)(process.execPath, [path.join(EXAMPLES, name), ...args],
    { env: { ...process.env, VIDEOGEN_API_KEY: emu.key } });
}

test('examples/node/generate.js', async () => {
  const output = path.join(dir, 'boat.mp4');
  const { stdout } = await run('generate.js', emu.url, output);
  const lines = stdout.trim().split('\n');
  assert.match(lines[0], /^queued /);
  assert.ok(lines.includes('succeeded 100%'), stdout);
  assert.ok(lines.at(-1).startsWith(`saved ${output} (${fs.statSync(SAMPLE).size} bytes, sha256 `), stdout);
  assert.deepEqual(fs.readFileSync(output), fs.readFileSync(SAMPLE));
});

test('examples/node/generate.js without arguments prints its usage', async () => {
  await assert.rejects(run('generate.js'), (error) => error.code === 1 && /Usage:/.test(error.stderr));
});

test('examples/node/many.js', async () => {
  const out = path.join(dir, 'many');
  const { stdout } = await run('many.js', emu.url, out, '5');
  assert.equal(stdout.trim().split('\n').filter((line) => line.includes(' saved ')).length, 5);
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(fs.readFileSync(path.join(out, `boat-${i}.mp4`)), fs.readFileSync(SAMPLE));
  }
});
