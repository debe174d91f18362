// Preloaded (`node --import`) before a script that only imports packages: records every timer,
// process listener, filesystem call, outgoing connection and child process started while the
// imports run. Calls made by Node itself (its module loader reads files) are told apart by the
// immediate caller: a frame inside `node:` is Node's own work, anything else is a package's.
import childProcess from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import timers from 'node:timers';

const effects = [];
let recording = true;
const realSetImmediate = globalThis.setImmediate;
globalThis.__importEffects = {
  effects,
  /** Forgets what was recorded so far (after a macrotask, so that work already started is counted). */
  reset: () =>
    new Promise((resolve) =>
      realSetImmediate(() => {
        effects.length = 0;
        resolve();
      }),
    ),
  /** Lets work started by the imports run (a macrotask later), then stops recording. */
  stop: () =>
    new Promise((resolve) =>
      realSetImmediate(() => {
        recording = false;
        resolve(effects);
      }),
    ),
};

/** The first stack frame below the wrapper: who really called. */
function caller() {
  const lines = (new Error().stack ?? '').split('\n').slice(3);
  return (lines.find((l) => !l.includes('import-effects-hooks')) ?? '').trim();
}

function wrap(owner, key, label) {
  const original = owner[key];
  if (typeof original !== 'function' || /^[A-Z]/.test(key)) return;
  const wrapped = function (...args) {
    if (recording) {
      const at = caller();
      if (!/\(node:|at node:/.test(at)) effects.push({ effect: `${label}.${key}`, at });
    }
    return original.apply(this, args);
  };
  Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original));
  try {
    owner[key] = wrapped;
  } catch {
    // read-only property: left alone
  }
}

for (const key of Object.keys(fs)) wrap(fs, key, 'fs');
for (const key of Object.keys(fs.promises)) wrap(fs.promises, key, 'fs.promises');
for (const key of ['request', 'get']) {
  wrap(http, key, 'http');
  wrap(https, key, 'https');
}
for (const key of ['connect', 'createConnection']) wrap(net, key, 'net');
for (const key of ['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync']) wrap(childProcess, key, 'child_process');
for (const key of ['setTimeout', 'setInterval', 'setImmediate']) {
  wrap(globalThis, key, 'globalThis');
  wrap(timers, key, 'timers');
}
for (const key of ['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']) wrap(process, key, 'process');
wrap(globalThis, 'fetch', 'globalThis');
syncBuiltinESMExports();
