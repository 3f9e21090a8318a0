#!/usr/bin/env node
'use strict';
// Many tasks at once from one event loop: N generations with Promise.all, no thread per task (the library's loop
// threads do the work and one poll handle on the client's event descriptor reports it).
//
// Usage: VIDEOGEN_API_KEY=... node many.js BASE_URL OUTPUT_DIR [COUNT]
const fs = require('node:fs');
const path = require('node:path');
const videogen = require(process.env.VIDEOGEN_NODE || '../../bindings/node');

async function main() {
  const [baseUrl, dir, count = '10'] = process.argv.slice(2);
  if (!dir) {
    console.error('Usage: VIDEOGEN_API_KEY=... node many.js BASE_URL OUTPUT_DIR [COUNT]');
    process.exit(1);
  }
  fs.mkdirSync(dir, { recursive: true });
  const client = new videogen.Client({ dialect: 'openai', base_url: baseUrl });
  try {
    const jobs = Array.from({ length: Number(count) }, async (_, i) => {
      const output = path.join(dir, `boat-${i}.mp4`);
      const task = await client.generate({ model: 'sora-2', prompt: `paper boat number ${i}` }, { output });
      console.log(`${task.id} saved ${task.file.path}`);
    });
    const results = await Promise.allSettled(jobs);
    const failed = results.filter((r) => r.status === 'rejected');
    for (const { reason } of failed) console.error(`videogen: ${reason.code || reason.name}: ${reason.message}`);
    process.exitCode = failed.length ? 1 : 0;
  } finally {
    client.close();
  }
}

main();
