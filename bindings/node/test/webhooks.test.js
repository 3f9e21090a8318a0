'use strict';
// Webhooks: the known answer (signed by the standardwebhooks package 1.1.0) and the refusals through
// verifyWebhook; and a wait polling every 60 s ended by the emulator's signed callback, applied by a node:http
// receiver through client.applyWebhook.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const videogen = require('..');
const { startEmulator } = require('./support/emulator');

const SECRET = 'whsec_dmlkZW9nZW4tYy10ZXN0LXNlY3JldC0zMi1ieXRlcyE=';
const BODY = Buffer.from('{"object":"event","type":"video.completed","data":{"id":"video_123"}}');
const HEADERS = { 'webhook-id': 'msg_c1', 'webhook-timestamp': '1767000000',
  'webhook-signature': 'v1,xB3BpGk0nMR1HYw6g2jZQT85RxoG9hHHd4tckH9wlP8=' };
const at = (now) => ({ scheme: 'standard_webhooks', secret: SECRET, now });

test('the known answer verifies; each refusal names its check', () => {
  const ok = videogen.verifyWebhook(at(1767000000), { headers: HEADERS, body: BODY });
  assert.equal(ok.accepted, true);
  assert.equal(ok.details.delivery_id, 'msg_c1');
  const cases = [
    [at(1767000301), HEADERS, BODY, 'timestamp_outside_tolerance'],
    [at(1767000000), HEADERS, BODY.subarray(0, BODY.length - 1), 'bad_signature'],
    [at(1767000000), { 'webhook-id': 'msg_c1' }, BODY, 'malformed_header'],
    [{ ...at(1767000000), max_body_bytes: 8 }, HEADERS, BODY, 'body_too_large'],
    [{ scheme: 'unsigned' }, {}, BODY, 'unsigned'],
  ];
  for (const [verifier, headers, body, reason] of cases) {
    const verdict = videogen.verifyWebhook(verifier, { headers, body });
    assert.deepEqual([verdict.accepted, verdict.reason], [false, reason]);
    assert.ok(!verdict.message.includes('dmlkZW9nZW4'));
  }
  assert.throws(() => videogen.verifyWebhook({ scheme: 'standard_webhooks' }, { headers: {}, body: BODY }), /secret/);
  assert.throws(() => videogen.verifyWebhook(at(1), { headers: {}, body: 'not a buffer' }), TypeError);
});

test('a 60-s-polling wait ends on the emulator\'s signed callback', async () => {
  const emu = await startEmulator({ taskSeconds: 0.5 });
  const secret = 'whsec_bm9kZS1iaW5kaW5nLXdlYmhvb2stc2VjcmV0LTAx';
  let server;
  const client = new videogen.Client(emu.config({ dialect: 'unified', poll: { interval: 60, max_interval: 60 } }));
  try {
    const answer = await fetch(`${emu.url}/_emulator/webhooks`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret }),
    });
    assert.equal(answer.status, 200);
    const verdicts = [];
    server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        verdicts.push(client.applyWebhook({ scheme: 'standard_webhooks', secret },
          { method: req.method, target: req.url, headers: req.rawHeaders, body: Buffer.concat(chunks) }));
        res.writeHead(204).end();
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const task = await client.submit({ model: 'veo-3', prompt: 'a fox',
      callback_url: `http://127.0.0.1:${server.address().port}/hooks` });
    // The wait's deadline (45 s) comes before its first poll (60 s): ending succeeded means the callback ended it.
    await task.wait({ timeout: 45 });
    assert.equal(task.state, 'succeeded');
    assert.equal(verdicts.length, 1);
    assert.equal(verdicts[0].accepted, true);
    assert.equal(verdicts[0].details.kind, 'applied');
    assert.equal(verdicts[0].details.task_id, task.id);
    task.close();
  } finally {
    client.close();
    if (server) server.close();
    await emu.stop();
  }
});
