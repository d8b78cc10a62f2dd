// Preloaded (NODE_OPTIONS=--require) into a `serverless` process by tests/integration/deploy.test.ts:
// appends "<Service>:<Operation>" to $PROFILE_GUARD_RECORD_CALLS for every AWS SDK v3 command
// the framework sends, so the test can hold the operator policy's framework table to what is used.
const Module = require('node:module');
const { appendFileSync } = require('node:fs');

const file = process.env.PROFILE_GUARD_RECORD_CALLS;
const patched = new Set();
const load = Module._load;
Module._load = function (request, ...rest) {
  const exports = load.call(this, request, ...rest);
  if (!file || !/^@aws-sdk\/client-/.test(request) || !exports) return exports;
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value !== 'function' || !name.endsWith('Client') || typeof value.prototype?.send !== 'function') continue;
    // Every service client inherits send() from the same smithy Client: patch that once.
    const base = Object.getPrototypeOf(value.prototype);
    const target = Object.hasOwn(base, 'send') ? base : value.prototype;
    if (patched.has(target)) continue;
    patched.add(target);
    const send = target.send;
    target.send = function (command, ...args) {
      appendFileSync(file, `${this.config?.serviceId ?? name}:${command?.constructor?.name?.replace(/Command$/, '')}\n`);
      return send.call(this, command, ...args);
    };
  }
  return exports;
};
