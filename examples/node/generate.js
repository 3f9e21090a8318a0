#!/usr/bin/env node
'use strict';
// The main job from Node.js: submit a text-to-video request, show its progress, download the MP4. Ctrl-C cancels
// cleanly and prints the task's record (resume it later with client.resume(record)).
//
// Usage: VIDEOGEN_API_KEY=... node generate.js BASE_URL OUTPUT.mp4 [DIALECT] [MODEL]
// (try it offline against the emulator: PYTHONPATH=emulator python3 -m videogen_emulator --api-key "$VIDEOGEN_API_KEY";
// the binding is bindings/node of this repository, built with `make node`)
const videogen = require(process.env.VIDEOGEN_NODE || '../../bindings/node');

async function main() {
  const [baseUrl, output, dialect = 'openai', model = 'sora-2'] = process.argv.slice(2);
  if (!output) {
    console.error('Usage: VIDEOGEN_API_KEY=... node generate.js BASE_URL OUTPUT.mp4 [DIALECT] [MODEL]');
    process.exit(1);
  }
  const client = new videogen.Client({ dialect, base_url: baseUrl });  // the key comes from $VIDEOGEN_API_KEY
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort(new Error('interrupted')));
  try {
    const task = await client.generate(
      { model, prompt: 'A paper boat drifting down a rainy street, cinematic', duration: 4, size: '1280x720' },
      {
        output,
        signal: stop.signal,
        onProgress: (e) => console.log(e.kind === 'status' ? `${e.state} ${e.progress ?? '?'}%`
          : `downloaded ${e.bytesReceived}/${e.bytesTotal ?? '?'} bytes`),
      },
    );
    console.log(`saved ${task.file.path} (${task.file.size} bytes, sha256 ${task.file.sha256})`);
  } catch (error) {
    if (error instanceof videogen.TaskCancelledError && error.task) console.log(JSON.stringify(error.task.record()));
    console.error(`videogen: ${error.code || error.name}: ${error.message}`);
    process.exitCode = 1;
  } finally {
    client.close();
  }
}

main();
