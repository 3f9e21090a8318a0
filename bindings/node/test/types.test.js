'use strict';
// index.d.ts checked against the module (no TypeScript compiler offline): the declared exports are exactly the
// runtime ones; each class's declared base, methods (with their parameter counts), constructor and properties
// exist at run time; and no public runtime method is left undeclared.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const videogen = require('..');

const source = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8').replace(/\/\/.*$/gm, '');

/** Parameters of a declared parameter list: total and required counts (nested brackets respected). */
function parameters(list) {
  const params = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if ('({[<'.includes(ch)) depth++;
    if (')}]>'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      params.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) params.push(current.trim());
  return { total: params.length, required: params.filter((p) => !/^\w+\?/.test(p)).length };
}

/** The declared classes: name, base, members {methods: name -> counts, properties: [names], ctor}. */
function declaredClasses() {
  const classes = new Map();
  const head = /export class (\w+)(?: extends (\w+))? \{/g;
  let match;
  while ((match = head.exec(source)) !== null) {
    let depth = 1;
    let i = head.lastIndex;
    while (depth > 0) {
      if (source[i] === '{') depth++;
      if (source[i] === '}') depth--;
      i++;
    }
    const body = source.slice(head.lastIndex, i - 1);
    const methods = new Map();
    const properties = [];
    let ctor = null;
    // Members at the body's top level, one per `;`.
    let level = 0;
    let member = '';
    for (const ch of body) {
      if ('({[<'.includes(ch)) level++;
      if (')}]>'.includes(ch)) level--;
      if (ch === ';' && level === 0) {
        const text = member.trim().replace(/^(private |readonly )+/, '');
        const call = /^(\w+)\((.*)\)(?::[\s\S]*)?$/s.exec(text);
        // A private constructor (Task: made by the client only) has no public arity to check.
        if (call && call[1] === 'constructor') ctor = member.trim().startsWith('private') ? null : parameters(call[2]);
        else if (call) methods.set(call[1], parameters(call[2]));
        else if (/^\w+:/.test(text)) properties.push(text.split(':')[0]);
        member = '';
      } else {
        member += ch;
      }
    }
    classes.set(match[1], { base: match[2] || null, methods, properties, ctor });
  }
  return classes;
}

const classes = declaredClasses();
const constants = [...source.matchAll(/export const (\w+)/g)].map((m) => m[1]);
const functions = [...source.matchAll(/export function (\w+)\((.*)\):/g)].map((m) => [m[1], parameters(m[2])]);

test('index.d.ts declares exactly the runtime exports', () => {
  assert.deepEqual([...classes.keys(), ...constants, ...functions.map(([name]) => name)].sort(),
    Object.keys(videogen).sort());
  for (const name of classes.keys()) assert.equal(typeof videogen[name], 'function', name);
  for (const name of constants) assert.notEqual(typeof videogen[name], 'function', name);
  for (const [name, counts] of functions) {
    assert.equal(typeof videogen[name], 'function', name);
    assert.ok(videogen[name].length >= counts.required && videogen[name].length <= counts.total,
      `${name} takes ${videogen[name].length}, declared ${JSON.stringify(counts)}`);
  }
});

test('declared bases, constructors and methods match the classes', () => {
  for (const [name, declared] of classes) {
    const cls = videogen[name];
    if (declared.base) {
      const base = videogen[declared.base] || globalThis[declared.base];
      assert.equal(Object.getPrototypeOf(cls), base, `${name}'s base`);
    } else {
      assert.ok(!(cls.prototype instanceof videogen.VideoGenError), `${name} declares no base`);
    }
    if (declared.ctor) {
      assert.ok(cls.length >= declared.ctor.required && cls.length <= declared.ctor.total,
        `${name}: constructor takes ${cls.length}, declared ${JSON.stringify(declared.ctor)}`);
    }
    for (const [method, counts] of declared.methods) {
      const fn = cls.prototype[method];
      assert.equal(typeof fn, 'function', `${name}.${method}`);
      assert.ok(fn.length >= counts.required && fn.length <= counts.total,
        `${name}.${method} takes ${fn.length}, declared ${JSON.stringify(counts)}`);
    }
    // Every public method at run time is declared (inherited ones on the base's declaration).
    for (const key of Object.getOwnPropertyNames(cls.prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, key);
      if (key === 'constructor' || key.startsWith('_') || typeof descriptor.value !== 'function') continue;
      assert.ok(declared.methods.has(key), `${name}.${key} is not declared`);
    }
  }
});

test('declared properties exist on live objects', async () => {
  const client = new videogen.Client({ dialect: 'openai', base_url: 'http://127.0.0.1:9', api_key: 'sk-types' });
  const task = await client.resume({ record_version: 1, id: 'video_types', state: 'queued' });
  const error = new videogen.RateLimitError('slow down', { retryAfter: 3 });
  const live = { Client: client, Task: task, VideoGenError: error };
  for (const [name, object] of Object.entries(live)) {
    for (const property of classes.get(name).properties) assert.ok(property in object, `${name}.${property}`);
  }
  assert.equal(error.retryAfter, 3);
  assert.equal(error.code, 'VG_E_RATE_LIMITED');
  // The runtime's own enumerable data properties are all declared.
  for (const key of Object.keys(task).filter((k) => !k.startsWith('_'))) {
    assert.ok(classes.get('Task').properties.includes(key), `Task.${key} is not declared`);
  }
  task.close();
  client.close();
});
