/** Transport facts on LLM calls (`category_profile.transport`) and error types of SDK error classes. */
import { strict as assert } from 'node:assert';
import {
  LlmHandle,
  getHandle,
  llmCall,
  llmCallEnd,
  llmCallError,
  llmCallExecute,
  llmStreamCallExecute,
  withScope,
  ScopeType,
  type LlmCategoryProfile,
  type ScopeEvent,
} from '@nemo-flow/runtime';
import { capture } from './helpers.js';

const REQ = { headers: {}, content: { model: 'm', messages: [] } };
const profile = (e: ScopeEvent | undefined): LlmCategoryProfile => e!.category_profile as LlmCategoryProfile;

/** Like the OpenAI SDK's errors: a subclass that leaves `name` as `Error`. */
class RateLimitError extends Error {}

describe('LLM transport facts', () => {
  it('option transport is on both events; facts recorded inside the callback on the end event', async () => {
    const c = capture();
    try {
      await llmCallExecute(
        'x',
        REQ,
        () => {
          const h = getHandle();
          assert.ok(h instanceof LlmHandle);
          h.recordTransport({ http_status: 200 });
          h.recordTransport({ attempts: 2 });
          return { ok: true };
        },
        { transport: { server_address: 'api.example.com', server_port: 443 } },
      );
      const [start, end] = c.scopes();
      assert.deepEqual(profile(start).transport, { server_address: 'api.example.com', server_port: 443 });
      assert.deepEqual(profile(end).transport, { server_address: 'api.example.com', server_port: 443, http_status: 200, attempts: 2 });
    } finally {
      c.stop();
    }
  });

  it('manual calls carry recorded facts on their end event, errors included', async () => {
    const c = capture();
    try {
      const h = llmCall('x', REQ);
      h.recordTransport({ http_status: 429, attempts: 3 });
      llmCallError(h, new RateLimitError('slow down'));
      const end = c.scopes()[1]!;
      assert.deepEqual(profile(end).transport, { http_status: 429, attempts: 3 });
      assert.equal(end.error?.type, 'RateLimitError', 'the class name when `name` is the generic Error');
      const ok = llmCall('y', REQ);
      llmCallEnd(ok, { id: 'r' });
      assert.equal(profile(c.scopes()[3]).transport, undefined, 'no facts, no field');
    } finally {
      c.stop();
    }
  });

  it('streams record the time to their first chunk', async () => {
    const c = capture();
    try {
      await withScope('run', ScopeType.Agent, async () => {
        const s = await llmStreamCallExecute('x', REQ, async function* () {
          await new Promise((r) => setTimeout(r, 5));
          yield { id: 'c1' };
          yield { id: 'c2' };
        });
        for await (const _ of s) void _;
      });
      const end = c.scopes().find((e) => e.name === 'x' && e.scope_category === 'end')!;
      const ttfc = profile(end).transport?.time_to_first_chunk_ms;
      assert.ok(typeof ttfc === 'number' && ttfc >= 4, `time to first chunk ${ttfc}`);
    } finally {
      c.stop();
    }
  });

  it('bad facts are a TypeError naming the field', () => {
    const h = llmCall('x', REQ);
    assert.throws(() => h.recordTransport({ http_status: -1 }), /transport field "http_status" must be a finite number/);
    assert.throws(() => h.recordTransport({ port: 1 } as never), /unknown transport field "port"/);
    assert.throws(
      () => llmCall('y', REQ, { transport: { server_address: '' } }),
      /option transport: transport field "server_address" must be a non-empty string/,
    );
    llmCallEnd(h, null);
  });

  it('error types: a set name wins; the generic Error stays Error', async () => {
    class Named extends Error {
      override name = 'CustomName';
    }
    for (const [err, type] of [
      [new Named('a'), 'CustomName'],
      [new Error('b'), 'Error'],
      [new TypeError('c'), 'TypeError'],
    ] as const) {
      const c = capture();
      await llmCallExecute('x', REQ, () => Promise.reject(err)).catch(() => undefined);
      c.stop();
      assert.equal(c.scopes()[1]!.error?.type, type);
    }
  });
});
