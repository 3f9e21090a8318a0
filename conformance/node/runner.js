'use strict';
// The conformance runner of the Node.js binding (bindings/node): runs conformance/scenarios.json.
//
//   node conformance/node/runner.js conformance/scenarios.json
//
// Environment (set by conformance/run.py): VG_CONFORMANCE_URL, VG_CONFORMANCE_ECHO_URL, VG_CONFORMANCE_KEY (the
// canary, read by the library through api_key_env), VG_CONFORMANCE_SCRATCH, VG_CONFORMANCE_ONLY. Prints one
// 'CONFORMANCE {...}' line per scenario; an id this runner does not know fails. Expected values come from the file.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const videogen = require('../../bindings/node');

const PRINT = process.env.VG_CONFORMANCE_PRINT === '1';  // the canary child prints every error and record

class Failed extends Error {}

function expect(condition, what) {
  if (!condition) throw new Failed(what);
}

function show(label, value) {
  if (!PRINT) return;
  if (value instanceof videogen.VideoGenError) {
    value = `${value} | ${require('node:util').inspect(value)} | code=${value.code} errno=${value.errno} ` +
      `http=${value.httpStatus} provider=${value.providerCode} retry=${value.retryAfter} task=${value.taskId}`;
  }
  console.log(`SHOW ${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

/** The scenarios file and the environment the orchestrator gave. */
class Suite {
  constructor(file) {
    this.file = file;
    this.doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  }

  client(sc) {
    const base = process.env[sc.service === 'echo' ? 'VG_CONFORMANCE_ECHO_URL' : 'VG_CONFORMANCE_URL'];
    return new videogen.Client({ ...this.doc.client, ...(sc.client || {}), base_url: base });
  }

  dir(sc) {
    const dir = path.join(process.env.VG_CONFORMANCE_SCRATCH, sc.id);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  code(name) {
    expect(name in this.doc.codes, `no code ${name} in the file`);
    return this.doc.codes[name];
  }

  /** Whether err is the VideoGenError of code `name` (its errno and its symbolic code both). */
  isCode(err, name) {
    return err instanceof videogen.VideoGenError && err.errno === this.code(name) && err.code === name;
  }

  checkVideo(file) {
    const data = fs.readFileSync(file);
    const sha = crypto.createHash('sha256').update(data).digest('hex');
    expect(data.length === this.doc.video.bytes && sha === this.doc.video.sha256, `${file}: ${data.length} bytes, not the video`);
  }

  rank(state) {
    return this.doc.states.indexOf(state);
  }
}

/** This process's OS threads (/proc/self/status). */
function osThreads() {
  return Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
}

/** The error `promise` rejects with (a failure when it resolves). */
async function errorOf(promise) {
  try {
    const value = await promise;
    throw new Failed(`no error; got ${value}`);
  } catch (error) {
    if (error instanceof Failed) throw error;
    show('error', error);
    return error;
  }
}

const scenarios = {
  async whole_job_byte_exact(suite, sc) {
    const client = suite.client(sc);
    try {
      const output = path.join(suite.dir(sc), 'video.mp4');
      const transfers = [];
      const task = await client.generate(sc.request, {
        output, onProgress: (e) => e.kind === 'download' && transfers.push([e.bytesReceived, e.bytesTotal]),
      });
      const record = task.record();
      show('record', record);
      expect(task.state === sc.expect.state, `state ${task.state}`);
      suite.checkVideo(output);
      const size = suite.doc.video.bytes;
      const last = transfers[transfers.length - 1];
      expect(last && last[0] === size && last[1] === size, `last transfer ${last}, want ${size} of ${size}`);
      expect(record.download && record.download.bytes === size && record.download.sha256 === suite.doc.video.sha256,
        `the record's download ${JSON.stringify(record.download)}`);
      expect(!fs.existsSync(`${output}.part`), 'a part file was left');
      task.close();
      return `${size} bytes, sha256 matches, ${transfers.length} byte updates`;
    } finally {
      client.close();
    }
  },

  async progress_events_in_order(suite, sc) {
    const ex = sc.expect;
    const client = suite.client(sc);
    try {
      const task = await client.submit(sc.request);
      const seen = [];
      await task.wait({ onProgress: (e) => seen.push([e.state, e.progress]) });
      show('record', task.record());
      task.close();
      expect(seen.length >= ex.min_updates, `${seen.length} updates`);
      expect(suite.rank(seen[0][0]) < suite.rank('succeeded'), `first update already ${seen[0][0]}`);
      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [seen[i - 1], seen[i]];
        expect(suite.rank(b[0]) >= suite.rank(a[0]), `state went back: ${b} after ${a}`);
        expect(a[1] === null || b[1] === null || b[1] >= a[1], `progress went back: ${b} after ${a}`);
      }
      const last = seen[seen.length - 1];
      expect(last[0] === ex.last_state && last[1] === ex.last_progress, `last update ${last}`);
      return `${seen.length} updates, (${seen[0]}) .. (${last})`;
    } finally {
      client.close();
    }
  },

  async typed_auth_error(suite, sc) {
    const ex = sc.expect;
    const client = suite.client(sc);
    try {
      const error = await errorOf(client.submit(sc.request));
      expect(error instanceof videogen.AuthenticationError && suite.isCode(error, ex.code) &&
        error.httpStatus === ex.http_status && error.providerCode === ex.provider_code, `got ${error}`);
      expect(!error.task, 'a task came with the refused submit');
      expect(!`${error} ${error.stack} ${require('node:util').inspect(error)}`.includes(process.env.VG_CONFORMANCE_KEY),
        'the key is in the error');
      return `${error.name} ${error.code}, HTTP ${error.httpStatus}, provider code ${error.providerCode}`;
    } finally {
      client.close();
    }
  },

  async not_found(suite, sc) {
    const ex = sc.expect;
    const client = suite.client(sc);
    try {
      const task = await client.resume(sc.record);
      const error = await errorOf(task.wait());
      task.close();
      expect(error instanceof videogen.NotFoundError && suite.isCode(error, ex.code) &&
        error.httpStatus === ex.http_status && error.taskId === ex.task_id, `got ${error}`);
      return `${error.name} ${error.code}, HTTP ${error.httpStatus}, task ${error.taskId}`;
    } finally {
      client.close();
    }
  },

  async task_failed_with_reason(suite, sc) {
    const ex = sc.expect;
    const client = suite.client(sc);
    try {
      const task = await client.submit(sc.request);
      const error = await errorOf(task.wait());
      expect(suite.isCode(error, ex.code) && error.providerCode === ex.provider_code &&
        error.message.includes(ex.message_contains) && error.taskId === task.id, `got ${error}`);
      expect(task.state === ex.state, `state ${task.state}`);
      expect(task.error && task.error.errno === error.errno && task.error.message === error.message,
        `task.error ${task.error} is not the wait's`);
      show('record', task.record());
      task.close();
      return `${error.name} ${error.code}, provider code ${error.providerCode}: ${error.message}`;
    } finally {
      client.close();
    }
  },

  async wait_deadline(suite, sc) {
    const ex = sc.expect;
    const client = suite.client(sc);
    try {
      const task = await client.submit(sc.request);
      const took = [];
      for (let round = 0; round < sc.rounds; round++) {
        const start = process.hrtime.bigint();
        const error = await errorOf(task.wait({ timeout: sc.deadline_seconds }));
        const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
        expect(error instanceof videogen.TimeoutError && suite.isCode(error, ex.code), `round ${round}: got ${error}`);
        expect(elapsed >= sc.deadline_seconds, `round ${round} returned after ${elapsed} s, before the deadline`);
        expect(!task.done, `state ${task.state}`);
        took.push(`${elapsed.toFixed(2)} s`);
      }
      const start = process.hrtime.bigint();
      const error = await errorOf(task.wait({ timeout: sc.expired_deadline_seconds }));
      const expired = Number(process.hrtime.bigint() - start) / 1e9;
      expect(suite.isCode(error, ex.expired_code), `an expired deadline: ${error}`);
      expect(expired <= ex.expired_within_seconds, `an expired deadline returned after ${expired} s`);
      task.close();
      return `deadline errors after ${took.join(', ')}; expired: ${(expired * 1000).toFixed(1)} ms`;
    } finally {
      client.close();
    }
  },

  async cancel_within_1s(suite, sc) {
    const ex = sc.expect;
    const client = suite.client(sc);
    try {
      const task = await client.submit(sc.request);
      const controller = new AbortController();
      let cancelled = false;
      let late = 0;
      let started;
      const first = new Promise((resolve) => { started = resolve; });
      let returned;
      const waiting = task.wait({
        timeout: sc.wait_seconds, signal: controller.signal,
        onProgress: () => { if (cancelled) late++; started(); },
      }).then(() => null, (error) => error).finally(() => { returned = process.hrtime.bigint(); });
      await first;
      const at = process.hrtime.bigint();  // the AbortSignal, while the wait runs on the library's threads
      controller.abort();
      cancelled = true;
      const error = await waiting;
      show('error', error);
      expect(error instanceof videogen.TaskCancelledError && suite.isCode(error, ex.code), `the wait ended with ${error}`);
      const lag = Number(returned - at) / 1e9;
      expect(lag <= sc.within_seconds, `the wait returned ${lag} s after the cancel`);
      expect(late === 0, `${late} progress callbacks after the cancel`);
      const later = await errorOf(task.wait({ timeout: sc.wait_seconds }));
      expect(suite.isCode(later, ex.later_wait_code), `a later wait: ${later}`);
      task.close();
      return `cancelled wait (AbortSignal) settled ${(lag * 1000).toFixed(1)} ms after abort()`;
    } finally {
      client.close();
    }
  },

  async resume_in_new_process(suite, sc) {
    const client = suite.client(sc);
    let record;
    try {
      const task = await client.submit(sc.request);
      record = JSON.stringify(task.record());
      task.close();
    } finally {
      client.close();
    }
    expect(!record.includes(process.env.VG_CONFORMANCE_KEY), 'the record holds the key');
    const dir = suite.dir(sc);
    const recordPath = path.join(dir, 'record.json');
    const output = path.join(dir, 'resumed.mp4');
    fs.writeFileSync(recordPath, record);
    const child = spawnSync(process.execPath, [__filename, '--child', 'resume', suite.file, recordPath, output],
      { encoding: 'utf8', timeout: 300000 });
    expect(child.status === sc.expect.child_exit, `the child exited ${child.status}: ${child.stdout} ${child.stderr}`);
    suite.checkVideo(output);
    return 'a child process resumed the task from its record and downloaded it byte-exact';
  },

  async tasks_200_at_once(suite, sc) {
    const before = osThreads();
    let most = before;
    const client = suite.client(sc);
    const dir = suite.dir(sc);
    try {
      const tasks = await Promise.all(Array.from({ length: sc.count }, (_, i) => client.generate(sc.request,
        { output: path.join(dir, `${i}.mp4`), timeout: sc.wait_seconds,
          onProgress: () => { most = Math.max(most, osThreads()); } })));
      expect(tasks.every((t) => t.state === 'succeeded'), 'not every task succeeded');
      expect(new Set(tasks.map((t) => t.id)).size === sc.count, 'task ids repeat');
      for (let i = 0; i < sc.count; i++) suite.checkVideo(path.join(dir, `${i}.mp4`));
      expect(client.pending === 0, `${client.pending} operations still pending`);
      tasks.forEach((t) => t.close());
      expect(most - before <= sc.expect.max_extra_threads, `${most - before} more OS threads with the tasks in flight`);
      return `${sc.count} jobs as Promises on one JS thread (the *_async calls and the client's event fd); ` +
        `OS threads ${before} before, at most ${most} in flight`;
    } finally {
      client.close();
    }
  },

  async misuse_after_close(suite, sc) {
    const ex = sc.expect;
    const client = suite.client(sc);
    const bad = await errorOf(client.submit(sc.bad_request));
    expect(suite.isCode(bad, ex.bad_request_code) && bad.message.includes(ex.bad_request_names), `a bad request: ${bad}`);
    const task = await client.submit(sc.request);
    task.close();
    task.close();  // a no-op
    let refused = 0;
    const refuse = async (what, action, name) => {
      let error;
      try {
        await action();
      } catch (e) {
        error = e;
      }
      show('error', error);
      expect(error && suite.isCode(error, name), `${what}: ${error}`);
      refused++;
    };
    await refuse('wait on a closed task', () => task.wait(), ex.task_after_close);
    await refuse('download on a closed task', () => task.download(path.join(suite.dir(sc), 'x.mp4')), ex.task_after_close);
    await refuse('record of a closed task', () => task.record(), ex.task_after_close);
    await refuse('cancel of a closed task', () => task.cancel(), ex.task_after_close);
    client.close();
    client.close();  // a no-op
    await refuse('submit on a closed client', () => client.submit(sc.request), ex.client_after_close);
    await refuse('resume on a closed client', () => client.resume({ record_version: 1, id: 'x', state: 'queued' }),
      ex.client_after_close);
    return `${refused} calls on closed objects refused (${ex.task_after_close}), double close a no-op`;
  },

  async canary_key_never_in_output(suite, sc) {
    const ex = sc.expect;
    const key = process.env.VG_CONFORMANCE_KEY;
    const dir = suite.dir(sc);
    const child = spawnSync(process.execPath, [__filename, suite.file], {
      env: { ...process.env, VG_CONFORMANCE_PRINT: '1', VG_CONFORMANCE_SCRATCH: dir,
        VG_CONFORMANCE_ONLY: sc.child_scenarios.join(',') },
      encoding: 'utf8', timeout: 600000,
    });
    const out = child.stdout;
    expect(child.status === ex.child_exit, `the child exited ${child.status}: ${out.slice(-800)}`);
    const shown = out.split('SHOW ').length - 1;
    expect(shown >= ex.min_printed, `the child printed ${shown} values`);
    expect(out.split('"result":"pass"').length - 1 === sc.child_scenarios.length, `the child did not pass: ${out}`);
    expect(!(out + child.stderr).includes(key), "the key is in the child's output");
    let files = 0;
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      files++;
      const file = path.join(entry.path ?? entry.parentPath, entry.name);
      expect(!fs.readFileSync(file).includes(key), `the key is in ${file}`);
    }
    return `child printed ${shown} values, wrote ${files} files: no key`;
  },
};

async function resumeChild(suite, recordPath, output) {
  const client = suite.client({ service: 'emulator' });
  try {
    const task = await client.resume(fs.readFileSync(recordPath, 'utf8'));
    await task.wait();
    await task.download(output);
    console.log(`resumed ${task.id}`);
    task.close();
    return 0;
  } catch (error) {
    console.log(`child failed: ${error}`);
    return 1;
  } finally {
    client.close();
  }
}

async function main(argv) {
  if (argv[0] === '--child' && argv[1] === 'resume') return resumeChild(new Suite(argv[2]), argv[3], argv[4]);
  const suite = new Suite(argv[0]);
  const only = (process.env.VG_CONFORMANCE_ONLY || '').split(',').filter(Boolean);
  let failed = 0;
  for (const sc of suite.doc.scenarios) {
    if (only.length && !only.includes(sc.id)) continue;
    const start = process.hrtime.bigint();
    let result = 'pass';
    let reason;
    try {
      const run = Object.hasOwn(scenarios, sc.id) ? scenarios[sc.id] : null;
      if (!run) throw new Failed('unknown scenario: this runner has no implementation of it');
      reason = await run(suite, sc);
    } catch (error) {
      result = 'fail';
      reason = error instanceof Failed ? error.message : `${error && error.name}: ${error && error.message}`;
    }
    if (result === 'fail') failed++;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`CONFORMANCE ${JSON.stringify({ runtime: 'node', scenario: sc.id, result, reason, seconds })}`);
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
