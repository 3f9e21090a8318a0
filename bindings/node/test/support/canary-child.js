'use strict';
// Child process of "canary key never in any output": runs the job and every error path with the canary key
// (argv[2]) against the emulator (argv[3]), writing everything it can see to stdout and records to argv[4].
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const videogen = require('../..');

const [canary, url, dir] = process.argv.slice(2);
const fast = { interval: 0.1, min_interval: 0.05, max_interval: 0.3 };
const config = (extra = {}) => ({ dialect: 'openai', base_url: url, api_key: canary, poll: fast, ...extra });
const show = (label, value) => console.log(label, util.inspect(value, { depth: 6, showHidden: true }));

async function expectFailure(label, promise) {
  try {
    await promise;
    console.log(label, 'unexpectedly succeeded');
  } catch (error) {
    show(label, error);
    console.error(label, String(error), error.stack);
  }
}

(async () => {
  const client = new videogen.Client(config());
  show('client', client);
  const task = await client.generate({ model: 'sora-2', prompt: 'canary' },
    { output: path.join(dir, 'video.mp4'), onProgress: (event) => show('progress', event) });
  show('task', task);
  fs.writeFileSync(path.join(dir, 'record.json'), JSON.stringify(task.record()));
  await expectFailure('failed-task', client.generate({ model: 'emu-fail', prompt: 'x' }, { output: path.join(dir, 'f.mp4') }));
  await expectFailure('deadline', (await client.submit({ model: 'emu-stuck', prompt: 'x' })).wait({ timeout: 0.2 }));
  await expectFailure('not-found', (await client.resume({ record_version: 1, id: 'video_nope', state: 'queued' })).wait());
  const wrong = new videogen.Client(config({ api_key: `${canary}-wrong` }));
  await expectFailure('auth', wrong.submit({ model: 'sora-2', prompt: 'x' }));
  wrong.close();
  for (const bad of [config({ unknown_setting: canary }), config({ base_url: `ftp://${canary}.example` }),
    config({ base_url: 'http://example.com' }), `{"api_key": "${canary}", `]) {
    try {
      new videogen.Client(bad);
    } catch (error) {
      show('config', error);
    }
  }
  client.close();
  await expectFailure('closed', client.submit({ model: 'sora-2', prompt: 'x' }));
  console.log('done');
})().catch((error) => {
  console.error('child failed:', error);
  process.exit(1);
});
