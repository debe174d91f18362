import { strict as assert } from 'node:assert';
import {
  ScopeType,
  LifecycleError,
  llmCall,
  llmCallEnd,
  llmCallExecute,
  llmStreamCallExecute,
  popScope,
  pushScope,
  toolCall,
  toolCallEnd,
  toolCallError,
  toolCallExecute,
  withScope,
  flushSubscribers,
  registerSubscriber as reg,
  deregisterSubscriber as dereg,
  registerLlmSanitizeResponseGuardrail,
  deregisterLlmSanitizeResponseGuardrail,
} from '@nemo-flow/runtime';
import { OpenAIChatCodec } from '@nemo-flow/runtime/codecs';
import { serializeEvent } from '@nemo-flow/runtime/exporter-kit';
import type { ScopeEvent } from '@nemo-flow/runtime';
import type { LlmCodec } from '@nemo-flow/runtime/codecs';
import { capture, collectFailures, tick } from './helpers.js';

class Money {
  constructor(readonly cents: bigint) {}
}

describe('managed tool calls', () => {
  it('returns the real value (not a copy) for sync and async callbacks, with start/end events', async () => {
    const c = capture();
    const obj = new Money(5n);
    const r1 = await toolCallExecute('sync', { a: 1 }, () => obj, { toolCallId: 'call_1', metadata: { m: 1 } });
    const r2 = await toolCallExecute('async', { a: 2 }, async (args: { a: number }) => ({ got: args.a }));
    c.stop();
    assert.equal(r1, obj);
    assert.deepEqual(r2, { got: 2 });
    const [s1, e1, s2, e2] = c.scopes();
    assert.equal(s1!.category, 'tool');
    assert.deepEqual(s1!.category_profile, { tool_call_id: 'call_1' });
    assert.deepEqual(s1!.data, { a: 1 });
    assert.equal(e1!.uuid, s1!.uuid);
    assert.equal(e1!.status, 'ok');
    assert.equal(e2!.uuid, s2!.uuid);
    assert.deepEqual(e2!.data, { got: 2 });
    assert.deepEqual(e2!.category_profile, { tool_call_id: null });
  });

  it('rejects with the original error (not wrapped) and records it on the end event', async () => {
    const c = capture();
    const boom = new TypeError('no such file');
    await assert.rejects(
      toolCallExecute('sync-throw', {}, () => {
        throw boom;
      }),
      (e) => e === boom,
    );
    await assert.rejects(
      toolCallExecute('async-throw', {}, async () => {
        await tick();
        throw boom;
      }),
      (e) => e === boom,
    );
    await assert.rejects(
      toolCallExecute('throws-string', {}, () => {
        throw 'plain';
      }),
      (e) => e === 'plain',
    );
    c.stop();
    const ends = c.scopes().filter((e) => e.scope_category === 'end');
    assert.deepEqual(
      ends.map((e) => [e.status, e.error]),
      [
        ['error', { type: 'TypeError', message: 'no such file' }],
        ['error', { type: 'TypeError', message: 'no such file' }],
        ['error', { type: 'Error', message: 'plain' }],
      ],
    );
  });

  it('bad arguments are clear errors', () => {
    assert.throws(() => toolCallExecute('', {}, () => 1), /name must be a non-empty string/);
    assert.throws(() => toolCallExecute('t', {}, 'nope' as never), /fn must be a function/);
  });

  it('work inside a tool is parented to the tool call', async () => {
    const c = capture();
    await toolCallExecute('outer-tool', {}, async () => {
      await tick();
      await toolCallExecute('inner-tool', {}, () => 1);
    });
    c.stop();
    const outer = c.scopes().find((e) => e.name === 'outer-tool')!;
    const inner = c.scopes().find((e) => e.name === 'inner-tool')!;
    assert.equal(inner.parent_uuid, outer.uuid);
  });
});

describe('manual tool and LLM lifecycle', () => {
  it('toolCall/toolCallEnd/toolCallError emit start and end; ending twice is a clear error', () => {
    const c = capture();
    const h = toolCall('search', { q: 'x' }, { toolCallId: 'c1' });
    toolCallEnd(h, ['r']);
    assert.throws(
      () => toolCallEnd(h, 1),
      (e: unknown) => e instanceof LifecycleError && /already ended/.test((e as Error).message),
    );
    const h2 = toolCall('fetch', {});
    toolCallError(h2, new Error('timeout'));
    c.stop();
    assert.deepEqual(c.names(), ['start:search', 'end:search', 'start:fetch', 'end:fetch']);
    assert.deepEqual((c.events[3] as ScopeEvent).error, { type: 'Error', message: 'timeout' });
  });

  it('a call never ended is ended (with NotEnded) and reported when its scope ends', () => {
    const f = collectFailures();
    const c = capture();
    const s = pushScope('s', ScopeType.Function);
    toolCall('forgotten', {});
    popScope(s);
    c.stop();
    f.restore();
    assert.deepEqual(c.names(), ['start:s', 'start:forgotten', 'end:forgotten', 'end:s']);
    assert.equal((c.events[2] as ScopeEvent).error?.type, 'NotEnded');
    assert.equal(f.failures.length, 1);
    assert.match(f.failures[0]!.message, /"forgotten" was not ended before its scope "s" ended/);
  });

  it('only the calls still open are ended with the scope, oldest first, whichever ended before', () => {
    const f = collectFailures();
    const c = capture();
    const s = pushScope('s', ScopeType.Function);
    const calls = ['a', 'b', 'c', 'd', 'e'].map((n) => toolCall(n, {}));
    toolCallEnd(calls[4]!, null); // the newest
    toolCallEnd(calls[1]!, null); // one in the middle
    toolCallEnd(calls[0]!, null); // the oldest
    popScope(s);
    c.stop();
    f.restore();
    assert.deepEqual(c.names().slice(-3), ['end:c', 'end:d', 'end:s']);
    assert.deepEqual(
      f.failures.map((x) => x.source),
      ['not-ended:c', 'not-ended:d'],
    );
    assert.throws(() => toolCallEnd(calls[2]!, null), LifecycleError, 'ended with its scope');
  });

  it('llmCall/llmCallEnd record model and request/response', () => {
    const c = capture();
    const req = { headers: { 'x-h': '1' }, content: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] } };
    const h = llmCall('openai', req);
    llmCallEnd(h, { choices: [] });
    c.stop();
    const [s, e] = c.scopes();
    assert.equal(s!.category, 'llm');
    assert.equal((s!.category_profile as { model_name: string }).model_name, 'gpt-4o');
    assert.deepEqual(s!.data, req);
    assert.deepEqual(e!.data, { choices: [] });
  });
});

describe('managed LLM calls', () => {
  it('validates the request shape with a clear error', () => {
    assert.throws(() => llmCallExecute('x', null as never, () => 1), /must be an object \{ headers, content \}, got null/);
    assert.throws(() => llmCallExecute('x', { headers: {} } as never, () => 1), /has no "content"/);
    assert.throws(() => llmCallExecute('x', { headers: 3, content: {} } as never, () => 1), /request\.headers must be an object/);
  });

  it('returns the real response and uses modelName over the payload model', async () => {
    const c = capture();
    const resp = { id: 'r1' };
    const r = await llmCallExecute('llm', { headers: {}, content: { model: 'a' } }, async () => resp, { modelName: 'b' });
    c.stop();
    assert.equal(r, resp);
    assert.equal((c.scopes()[0]!.category_profile as { model_name: string }).model_name, 'b');
  });
});

describe('streaming LLM calls', () => {
  const req = { headers: {}, content: { model: 'm', stream: true } };
  async function* chunks(n: number, failAt = -1) {
    for (let i = 0; i < n; i++) {
      await tick();
      if (i === failAt) throw new Error(`stream broke at ${i}`);
      yield { i };
    }
  }

  it('delivers every chunk, calls the collector for each, and ends once with the finalizer result', async () => {
    const c = capture();
    const seen: number[] = [];
    const stream = await llmStreamCallExecute('s', req, () => chunks(5), {
      collector: (ch: { i: number }) => void seen.push(ch.i),
      finalizer: () => ({ total: seen.length }),
    });
    const got: number[] = [];
    for await (const ch of stream) got.push((ch as { i: number }).i);
    c.stop();
    assert.deepEqual(got, [0, 1, 2, 3, 4]);
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    const ends = c.scopes().filter((e) => e.scope_category === 'end');
    assert.equal(ends.length, 1);
    assert.deepEqual(ends[0]!.data, { total: 5 });
    assert.deepEqual(ends[0]!.attributes, ['streaming']);
    assert.deepEqual((ends[0]!.category_profile as { stream: unknown }).stream, { chunks: 5, completed: true });
  });

  it('ends exactly once with the error when the stream throws', async () => {
    const c = capture();
    const stream = await llmStreamCallExecute('s', req, () => chunks(5, 2));
    const got: unknown[] = [];
    await assert.rejects(async () => {
      for await (const ch of stream) got.push(ch);
    }, /stream broke at 2/);
    await stream.return();
    c.stop();
    assert.equal(got.length, 2);
    const ends = c.scopes().filter((e) => e.scope_category === 'end');
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.status, 'error');
    assert.equal(ends[0]!.error?.message, 'stream broke at 2');
  });

  it('ends exactly once when the consumer breaks out early, and closes the source', async () => {
    const c = capture();
    let closed = false;
    async function* src() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const stream = await llmStreamCallExecute('s', req, () => src());
    for await (const ch of stream) if (ch === 3) break;
    await stream.return();
    c.stop();
    assert.ok(closed, 'the source generator was closed');
    const ends = c.scopes().filter((e) => e.scope_category === 'end');
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.status, 'ok');
    assert.deepEqual((ends[0]!.category_profile as { stream: unknown }).stream, { chunks: 4, completed: false });
  });

  it('a stream never iterated ends with NotEnded when its scope ends', async () => {
    const f = collectFailures();
    const c = capture();
    await withScope('run', ScopeType.Agent, async () => {
      await llmStreamCallExecute('abandoned', req, () => chunks(3));
    });
    c.stop();
    f.restore();
    const end = c.scopes().find((e) => e.name === 'abandoned' && e.scope_category === 'end');
    assert.equal(end?.error?.type, 'NotEnded');
  });

  it('a callback that returns something not iterable rejects with a clear error and ends the call', async () => {
    const c = capture();
    await assert.rejects(
      llmStreamCallExecute('bad', req, () => 42 as never),
      /must return an AsyncIterable of chunks, got number/,
    );
    c.stop();
    assert.equal(c.scopes().filter((e) => e.scope_category === 'end')[0]!.status, 'error');
  });

  it('a throwing collector is reported and the stream goes on', async () => {
    const f = collectFailures();
    const stream = await llmStreamCallExecute('s', req, () => chunks(3), {
      collector: () => {
        throw new Error('collector bug');
      },
    });
    let n = 0;
    for await (const _ of stream) n++;
    await flushSubscribers();
    f.restore();
    assert.equal(n, 3);
    assert.equal(f.failures[0]!.count, 3);
  });
});

describe('LLM event annotations', () => {
  it('decode the conversation only when a subscriber reads it; serialized events are complete', async () => {
    const inner = new OpenAIChatCodec();
    const fullDecodes: number[] = [];
    const spy: LlmCodec = {
      name: inner.name,
      decode: (c: unknown) => {
        const n = (c as { messages: unknown[] }).messages.length;
        if (n > 0) fullDecodes.push(n);
        return inner.decode(c);
      },
      encode: inner.encode.bind(inner),
      decodeResponse: inner.decodeResponse.bind(inner),
      createAccumulator: inner.createAccumulator.bind(inner),
    };
    const seen: Array<{ model?: string; temperature?: unknown }> = [];
    const lines: string[] = [];
    reg('light', (e) => {
      if (e.kind === 'scope' && e.scope_category === 'start') {
        const a = (e.category_profile as { annotated_request: { model: string; params: { temperature: number } } }).annotated_request;
        seen.push({ model: a.model, temperature: a.params.temperature });
      }
    });
    const content = {
      model: 'gpt-4o',
      temperature: 0.3,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'yo' },
      ],
    };
    await llmCallExecute('x', { headers: {}, content }, () => ({ choices: [] }), { codec: spy });
    assert.deepEqual(seen, [{ model: 'gpt-4o', temperature: 0.3 }]);
    assert.deepEqual(fullDecodes, [], 'model and params need no walk of the conversation');
    reg('file', (e) => void lines.push(serializeEvent(e)));
    await llmCallExecute('x', { headers: {}, content }, () => ({ choices: [] }), { codec: spy });
    dereg('light');
    dereg('file');
    assert.deepEqual(fullDecodes, [2], 'serializing decodes the conversation once');
    const start = JSON.parse(lines[0]!);
    assert.deepEqual(
      start.category_profile.annotated_request.messages.map((m: { text: string }) => m.text),
      ['hi', 'yo'],
    );
  });
});

describe('LLM response annotations', () => {
  it('decode the response content (text, tool calls) only when a subscriber reads it; serialized events are complete', async () => {
    const inner = new OpenAIChatCodec();
    let fullDecodes = 0;
    const spy: LlmCodec = {
      name: inner.name,
      decode: inner.decode.bind(inner),
      encode: inner.encode.bind(inner),
      decodeResponse: (r: unknown) => {
        fullDecodes++;
        return inner.decodeResponse(r);
      },
      summarizeResponse: inner.summarizeResponse.bind(inner),
      createAccumulator: inner.createAccumulator.bind(inner),
    };
    const response = {
      id: 'chatcmpl-1',
      model: 'gpt-4o',
      choices: [
        {
          message: {
            role: 'assistant',
            content: 'Sure.',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    };
    const request = { headers: {}, content: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] } };
    type Annotated = { id: string; finish_reason: string; usage: { input_tokens: number }; tool_calls: Array<{ arguments: unknown }>; text: string };
    const annotatedOf = (e: ScopeEvent): Annotated => (e.category_profile as { annotated_response: Annotated }).annotated_response;
    const seen: unknown[] = [];
    reg('light', (e) => {
      if (e.kind === 'scope' && e.scope_category === 'end') {
        const a = annotatedOf(e);
        seen.push([a.id, a.finish_reason, a.usage.input_tokens]);
      }
    });
    await llmCallExecute('x', request, () => response, { codec: spy });
    assert.deepEqual(seen, [['chatcmpl-1', 'tool_calls', 5]]);
    assert.equal(fullDecodes, 0, 'id, finish reason and usage need no walk of the message');

    let read: { text: string; args: unknown } | undefined;
    const lines: string[] = [];
    reg('deep', (e) => {
      if (e.kind === 'scope' && e.scope_category === 'end') {
        const a = annotatedOf(e);
        read = { text: a.text, args: a.tool_calls[0]!.arguments };
        assert.throws(() => ((a.tool_calls[0] as { arguments: unknown }).arguments = {}), TypeError, 'still read-only');
      }
    });
    reg('file', (e) => void lines.push(serializeEvent(e)));
    await llmCallExecute('x', request, () => response, { codec: spy });
    dereg('light');
    dereg('deep');
    dereg('file');
    assert.deepEqual(read, { text: 'Sure.', args: { q: 'x' } });
    assert.equal(fullDecodes, 1, 'decoded once, shared by the subscriber that read it and serialization');
    const end = JSON.parse(lines[1]!);
    assert.deepEqual(end.category_profile.annotated_response, inner.decodeResponse(response));
  });

  it('a codec without summarizeResponse (a user codec) annotates with its full decode', async () => {
    const inner = new OpenAIChatCodec();
    const plain: LlmCodec = {
      name: inner.name,
      decode: inner.decode.bind(inner),
      encode: inner.encode.bind(inner),
      decodeResponse: (r: unknown) => ({ ...inner.decodeResponse(r), text: 'from the user codec' }),
      createAccumulator: inner.createAccumulator.bind(inner),
    };
    const c = capture();
    try {
      await llmCallExecute('x', { headers: {}, content: { model: 'm', messages: [] } }, () => ({ choices: [{ message: { content: 'hi' } }] }), {
        codec: plain,
      });
    } finally {
      c.stop();
    }
    const end = c.scopes().find((e) => e.scope_category === 'end')!;
    assert.equal((end.category_profile as { annotated_response: { text: string } }).annotated_response.text, 'from the user codec');
  });
});

describe('streaming annotations and sanitizers', () => {
  it('a sanitized stream response never falls back to the raw-chunk aggregate in the annotation', async () => {
    registerLlmSanitizeResponseGuardrail('hide-secret', 0, () => 'redacted');
    const c = capture();
    try {
      const chunks = [
        {
          id: 'c',
          object: 'chat.completion.chunk',
          model: 'm',
          choices: [{ index: 0, delta: { role: 'assistant', content: 'the secret is 42' }, finish_reason: null }],
        },
        { id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      ];
      const stream = await llmStreamCallExecute(
        's',
        { headers: {}, content: { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true } },
        async function* () {
          yield* chunks;
        },
        { codec: 'openai-chat', finalizer: () => ({ text: 'the secret is 42' }) },
      );
      for await (const _ of stream);
    } finally {
      c.stop();
      deregisterLlmSanitizeResponseGuardrail('hide-secret');
    }
    const end = c.scopes().find((e) => e.scope_category === 'end')!;
    assert.equal(end.data, 'redacted');
    assert.ok(!serializeEvent(end).includes('secret is 42'), 'neither data nor annotation shows the sanitized content');
  });
});
