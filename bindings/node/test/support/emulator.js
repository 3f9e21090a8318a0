'use strict';
/**
 * The loopback emulator for the tests: started as `python3 -m videogen_emulator` with PYTHONPATH=emulator (the
 * checkout's package), its URL read from its first stdout line; stopped with SIGTERM.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

/** The checkout's root. */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
/** The video the emulator serves, to compare downloads with byte for byte. */
const SAMPLE = path.join(ROOT, 'emulator', 'videogen_emulator', 'assets', 'sample.mp4');
/** Poll fast: the emulator's tasks last a second or less. */
const FAST_POLL = { interval: 0.1, min_interval: 0.05, max_interval: 0.3 };

/**
 * Starts an emulator.
 * @param {{apiKey?: string, taskSeconds?: number}} [options]
 * @returns {Promise<{url: string, key: string, stop: () => Promise<void>, config: (extra?: object) => object,
 *   control: (body: object) => Promise<object>}>}
 */
async function startEmulator({ apiKey = 'sk-emulator', taskSeconds = 0.5 } = {}) {
  const child = spawn('python3', ['-m', 'videogen_emulator', '--port', '0', '--task-seconds', String(taskSeconds),
    '--no-request-log'], {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: path.join(ROOT, 'emulator'), VIDEOGEN_EMULATOR_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before printing its URL`)));
    lines.once('line', resolve);
  });
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url,
    key: apiKey,
    config: (extra = {}) => ({ dialect: 'openai', base_url: url, api_key: apiKey, poll: FAST_POLL, ...extra }),
    async control(body) {
      const answer = await fetch(`${url}/_emulator/control`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      return answer.json();
    },
    async stop() {
      lines.close();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

module.exports = { startEmulator, ROOT, SAMPLE, FAST_POLL };
