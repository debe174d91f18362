import { strict as assert } from 'node:assert';
import {
  ScopeType,
  GuardrailRejectedError,
  MiddlewareError,
  deregisterLlmRequestIntercept,
  deregisterToolConditionalExecutionGuardrail,
  deregisterToolExecutionIntercept,
  deregisterToolRequestIntercept,
  deregisterToolSanitizeRequestGuardrail,
  deregisterToolSanitizeResponseGuardrail,
  deregisterLlmStreamExecutionIntercept,
  deregisterLlmConditionalExecutionGuardrail,
  deregisterLlmSanitizeRequestGuardrail,
  deregisterLlmSanitizeResponseGuardrail,
  registerLlmSanitizeResponseGuardrail,
  deregisterLlmExecutionIntercept,
  listMiddleware,
  llmCallExecute,
  llmStreamCallExecute,
  llmRequestIntercepts,
  registerLlmRequestIntercept,
  registerLlmStreamExecutionIntercept,
  registerLlmConditionalExecutionGuardrail,
  registerLlmSanitizeRequestGuardrail,
  registerLlmExecutionIntercept,
  registerToolConditionalExecutionGuardrail,
  registerToolExecutionIntercept,
  registerToolRequestIntercept,
  registerToolSanitizeRequestGuardrail,
  registerToolSanitizeResponseGuardrail,
  toolCall,
  toolCallEnd,
  toolCallExecute,
  toolConditionalExecution,
  toolRequestIntercepts,
  withScope,
  flushSubscribers,
  llmCall,
  llmCallEnd,
  registerSubscriber,
  deregisterSubscriber,
} from '@nemo-flow/runtime';
import { REDACTED_MARKER } from '@nemo-flow/runtime/exporter-kit';
import type { LlmRequest } from '@nemo-flow/runtime';
import { capture, collectFailures, tick } from './helpers.js';

/** Deregisters everything a test registered globally. */
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('middleware: tool calls', () => {
  it('runs in pipeline order, with sync and async callbacks', async () => {
    const order: string[] = [];
    registerToolConditionalExecutionGuardrail('cond', 0, async () => void order.push('conditional'));
    registerToolRequestIntercept('req', 0, (_n, a) => (order.push('request'), { ...(a as object), added: true }));
    registerToolSanitizeRequestGuardrail('sreq', 0, async (_n, a) => (order.push('sanitize-request'), { ...(a as object), secret: '***' }));
    registerToolExecutionIntercept('exec', 0, async (a, next) => {
      order.push('exec-before');
      const r = await next(a);
      order.push('exec-after');
      return r;
    });
    registerToolSanitizeResponseGuardrail('sres', 0, () => (order.push('sanitize-response'), { redacted: true }));
    cleanups.push(() => {
      deregisterToolConditionalExecutionGuardrail('cond');
      deregisterToolRequestIntercept('req');
      deregisterToolSanitizeRequestGuardrail('sreq');
      deregisterToolExecutionIntercept('exec');
      deregisterToolSanitizeResponseGuardrail('sres');
    });
    const c = capture();
    registerToolSanitizeResponseGuardrail('probe', 99, (_n, r) => (order.push('END?'), r));
    cleanups.push(() => deregisterToolSanitizeResponseGuardrail('probe'));
    const args = { secret: 'hunter2' };
    const result = await toolCallExecute('t', args, (a: { secret: string; added?: boolean }) => {
      order.push('callback');
      return { real: a.secret, added: a.added };
    });
    c.stop();
    assert.deepEqual(order, ['conditional', 'request', 'sanitize-request', 'exec-before', 'callback', 'exec-after', 'sanitize-response', 'END?']);
    assert.deepEqual(result, { real: 'hunter2', added: true }, 'the caller and callback get real values');
    assert.deepEqual(args, { secret: 'hunter2' }, "the caller's args are not mutated");
    const [start, end] = c.scopes();
    assert.deepEqual(start!.data, { secret: '***', added: true });
    assert.deepEqual(end!.data, { redacted: true });
  });

  it('a conditional guardrail rejection: typed error, callback not run, START+END with error status naming the guardrail', async () => {
    registerToolConditionalExecutionGuardrail('allow', 1, () => undefined);
    registerToolConditionalExecutionGuardrail('deny-rm', 2, (_name, args) =>
      (args as { cmd: string }).cmd.includes('rm') ? 'destructive command' : undefined,
    );
    registerToolConditionalExecutionGuardrail('never-reached', 3, () => 'should not win');
    cleanups.push(() => ['allow', 'deny-rm', 'never-reached'].forEach((n) => deregisterToolConditionalExecutionGuardrail(n)));
    const c = capture();
    let ran = false;
    const err = await toolCallExecute('shell', { cmd: 'rm -rf /' }, () => (ran = true)).catch((e: unknown) => e);
    c.stop();
    assert.ok(err instanceof GuardrailRejectedError);
    assert.equal(err.guardrail, 'deny-rm');
    assert.equal(err.reason, 'destructive command');
    assert.equal(ran, false);
    const [start, end] = c.scopes();
    assert.equal(start!.scope_category, 'start');
    assert.equal(end!.status, 'error');
    assert.deepEqual(end!.error, {
      type: 'GuardrailRejectedError',
      message: 'guardrail "deny-rm" rejected "shell": destructive command',
      guardrail: 'deny-rm',
    } as never);
  });

  it('a conditional guardrail returning a non-string is a clear error', async () => {
    registerToolConditionalExecutionGuardrail('bad', 0, () => 42 as never);
    cleanups.push(() => deregisterToolConditionalExecutionGuardrail('bad'));
    await assert.rejects(
      toolCallExecute('t', {}, () => 1),
      (e: unknown) => e instanceof MiddlewareError && /must return a rejection reason string or nothing, got number/.test((e as Error).message),
    );
  });

  it('priority is ascending; ties: global first, then scope-local outer to inner, then registration order', async () => {
    const order: string[] = [];
    const rec = (label: string) => (_n: string, a: unknown) => (order.push(label), a);
    registerToolRequestIntercept('g5', 5, rec('g5'));
    registerToolRequestIntercept('g1', 1, rec('g1'));
    registerToolRequestIntercept('g5b', 5, rec('g5b'));
    cleanups.push(() => ['g5', 'g1', 'g5b'].forEach((n) => deregisterToolRequestIntercept(n)));
    await withScope('outer', ScopeType.Agent, async (outer) => {
      registerToolRequestIntercept('o5', 5, rec('o5'), { scope: outer });
      registerToolRequestIntercept('o0', 0, rec('o0'), { scope: outer });
      await withScope('inner', ScopeType.Function, async (inner) => {
        registerToolRequestIntercept('i5', 5, rec('i5'), { scope: inner });
        registerToolRequestIntercept('o5', 5, rec('i-named-like-outer'), { scope: inner }); // different registry: allowed
        await toolCallExecute('t', {}, () => 1);
        order.push('|');
        await toolCallExecute('t', {}, () => 1); // cached resolution gives the same order
      });
      order.push('|');
      await toolCallExecute('t', {}, () => 1); // inner's entries are gone
    });
    assert.deepEqual(order, [
      'o0',
      'g1',
      'g5',
      'g5b',
      'o5',
      'i5',
      'i-named-like-outer',
      '|',
      'o0',
      'g1',
      'g5',
      'g5b',
      'o5',
      'i5',
      'i-named-like-outer',
      '|',
      'o0',
      'g1',
      'g5',
      'g5b',
      'o5',
    ]);
    assert.equal(listMiddleware().filter((r) => r.scope).length, 0, 'scope-local entries vanish with their scope');
  });

  it('breakChain stops every later request intercept, global and scope-local', async () => {
    const order: string[] = [];
    registerToolRequestIntercept('first', 0, (_n, a) => (order.push('first'), a), { breakChain: true });
    registerToolRequestIntercept('second', 1, (_n, a) => (order.push('second'), a));
    cleanups.push(() => ['first', 'second'].forEach((n) => deregisterToolRequestIntercept(n)));
    await withScope('s', ScopeType.Agent, async (s) => {
      registerToolRequestIntercept('local', 2, (_n, a) => (order.push('local'), a), { scope: s });
      await toolCallExecute('t', {}, () => 1);
    });
    assert.deepEqual(order, ['first']);
  });

  it('execution intercepts: onion with lowest priority outermost; short-circuit; retry by calling next twice', async () => {
    const order: string[] = [];
    registerToolExecutionIntercept('inner', 10, async (a, next) => {
      order.push('inner>');
      const r = await next(a);
      order.push('<inner');
      return r;
    });
    registerToolExecutionIntercept('outer', 1, async (a, next) => {
      order.push('outer>');
      const r = await next(a);
      order.push('<outer');
      return r;
    });
    cleanups.push(() => ['inner', 'outer'].forEach((n) => deregisterToolExecutionIntercept(n)));
    await toolCallExecute('t', {}, () => void order.push('fn'));
    assert.deepEqual(order, ['outer>', 'inner>', 'fn', '<inner', '<outer']);

    deregisterToolExecutionIntercept('inner');
    deregisterToolExecutionIntercept('outer');
    registerToolExecutionIntercept('cache', 0, () => 'cached');
    let called = false;
    assert.equal(await toolCallExecute('t', {}, () => ((called = true), 'live')), 'cached');
    assert.equal(called, false);
    deregisterToolExecutionIntercept('cache');

    registerToolExecutionIntercept('retry', 0, async (a, next) => {
      try {
        return await next(a);
      } catch {
        return await next(a);
      }
    });
    cleanups.push(() => deregisterToolExecutionIntercept('retry'));
    let attempts = 0;
    const c = capture();
    const r = await toolCallExecute('flaky', {}, () => {
      if (++attempts === 1) throw new Error('transient');
      return 'ok';
    });
    c.stop();
    assert.equal(r, 'ok');
    assert.equal(attempts, 2);
    assert.equal(c.scopes().filter((e) => e.scope_category === 'end').length, 1, 'one END for the call, whatever the retries');
    assert.equal(c.scopes()[1]!.status, 'ok');
  });

  it('a throwing intercept rejects only that call with an error naming it, original as cause; others keep working', async () => {
    const original = new Error('intercept bug');
    registerToolRequestIntercept('buggy', 0, (name) => {
      if (name === 'bad') throw original;
      return undefined;
    });
    cleanups.push(() => deregisterToolRequestIntercept('buggy'));
    const c = capture();
    const [bad, good] = await Promise.allSettled([toolCallExecute('bad', {}, () => 1), toolCallExecute('good', {}, () => 2)]);
    c.stop();
    assert.equal(bad.status, 'rejected');
    const err = (bad as PromiseRejectedResult).reason as MiddlewareError;
    assert.ok(err instanceof MiddlewareError);
    assert.equal(err.middleware, 'tool_request_intercept:buggy');
    assert.equal(err.cause, original);
    assert.deepEqual(good, { status: 'fulfilled', value: 2 });
    const badEnd = c.scopes().find((e) => e.name === 'bad' && e.scope_category === 'end')!;
    assert.equal(badEnd.status, 'error');
    assert.equal(badEnd.error?.type, 'MiddlewareError');
  });

  it('an execution intercept that throws is named; the callback error passes through unwrapped', async () => {
    registerToolExecutionIntercept('wrapper', 0, async (a, next) => next(a));
    cleanups.push(() => deregisterToolExecutionIntercept('wrapper'));
    const cbErr = new Error('from callback');
    await assert.rejects(
      toolCallExecute('t', {}, () => {
        throw cbErr;
      }),
      (e) => e === cbErr,
    );
    deregisterToolExecutionIntercept('wrapper');
    registerToolExecutionIntercept('thrower', 0, () => {
      throw new Error('mine');
    });
    await assert.rejects(
      toolCallExecute('t', {}, () => 1),
      (e: unknown) => e instanceof MiddlewareError && e.middleware === 'tool_execution_intercept:thrower',
    );
    deregisterToolExecutionIntercept('thrower');
  });

  it("a MiddlewareError's message includes the original error's message (what logs show)", async () => {
    registerToolExecutionIntercept('exec-thrower', 0, () => {
      throw new Error('exec went wrong');
    });
    cleanups.push(() => deregisterToolExecutionIntercept('exec-thrower'));
    await assert.rejects(
      toolCallExecute('t', {}, () => 1),
      (e: unknown) => e instanceof MiddlewareError && /^tool_execution_intercept:exec-thrower: .*: exec went wrong$/.test(e.message),
    );
    deregisterToolExecutionIntercept('exec-thrower');
    registerToolRequestIntercept('req-thrower', 0, () => {
      throw new Error('request went wrong');
    });
    cleanups.push(() => deregisterToolRequestIntercept('req-thrower'));
    await assert.rejects(
      toolCallExecute('t', {}, () => 1),
      (e: unknown) => e instanceof MiddlewareError && /request went wrong/.test(e.message) && (e.cause as Error).message === 'request went wrong',
    );
    registerLlmRequestIntercept('llm-req-thrower', 0, () => {
      throw Object.assign(Object.create(null) as object, { code: 'E_ODD' });
    });
    cleanups.push(() => deregisterLlmRequestIntercept('llm-req-thrower'));
    await assert.rejects(
      llmCallExecute('l', { headers: {}, content: { model: 'm', messages: [] } }, () => 1),
      (e: unknown) => e instanceof MiddlewareError && /E_ODD/.test(e.message),
    );
  });

  it('a throwing sanitize guardrail (request or response) never fails the real call: marker shown, failure reported', async () => {
    const f = collectFailures();
    registerToolSanitizeRequestGuardrail('broken-req', 0, () => {
      throw new Error('redactor bug');
    });
    registerToolSanitizeResponseGuardrail('broken-res', 0, async () => {
      throw new Error('response redactor bug');
    });
    registerLlmSanitizeRequestGuardrail('broken-llm-req', 0, () => {
      throw new Error('llm redactor bug');
    });
    registerLlmSanitizeResponseGuardrail('broken-llm-res', 0, () => {
      throw new Error('llm response redactor bug');
    });
    cleanups.push(() => {
      deregisterToolSanitizeRequestGuardrail('broken-req');
      deregisterToolSanitizeResponseGuardrail('broken-res');
      deregisterLlmSanitizeRequestGuardrail('broken-llm-req');
      deregisterLlmSanitizeResponseGuardrail('broken-llm-res');
    });
    const c = capture();
    let ran = 0;
    try {
      const result = { ssn: '123-45-6789' };
      const got = await toolCallExecute('t', { ssn: '123-45-6789' }, () => (ran++, result));
      assert.equal(got, result, 'the caller gets the real result');
      const response = { id: 'r', choices: [{ message: { role: 'assistant', content: 'secret 123-45-6789' } }] };
      const llmGot = await llmCallExecute(
        'l',
        { headers: {}, content: { model: 'm', messages: [{ role: 'user', content: '123-45-6789' }] } },
        () => (ran++, response),
      );
      assert.equal(llmGot, response);
    } finally {
      c.stop();
      f.restore();
    }
    assert.equal(ran, 2, 'both callbacks ran');
    const scopes = c.scopes();
    assert.deepEqual(
      scopes.map((e) => [e.scope_category, e.data, e.status ?? null]),
      [
        ['start', REDACTED_MARKER, null],
        ['end', REDACTED_MARKER, 'ok'],
        ['start', REDACTED_MARKER, null],
        ['end', REDACTED_MARKER, 'ok'],
      ],
    );
    assert.ok(!JSON.stringify(c.events).includes('123-45-6789'), 'nothing leaks, annotations included');
    assert.deepEqual(f.failures.map((x) => x.source).sort(), [
      'llm_sanitize_request:broken-llm-req',
      'llm_sanitize_response:broken-llm-res',
      'tool_sanitize_request:broken-req',
      'tool_sanitize_response:broken-res',
    ]);
  });

  it('a sanitize guardrail may edit its argument in place: only subscribers see the edit', async () => {
    registerToolSanitizeRequestGuardrail('in-place', 0, (_n, a) => {
      (a as { user: { ssn: string } }).user.ssn = '***';
      return a;
    });
    registerToolSanitizeResponseGuardrail('in-place-result', 0, (_n, r) => {
      delete (r as { token?: string }).token; // returning nothing keeps the edited copy
    });
    cleanups.push(() => {
      deregisterToolSanitizeRequestGuardrail('in-place');
      deregisterToolSanitizeResponseGuardrail('in-place-result');
    });
    const c = capture();
    const f = collectFailures();
    const args = { user: { ssn: '123' } };
    let received: unknown;
    const result = { ok: true, token: 'abc' };
    try {
      const got = await toolCallExecute('t', args, (a) => ((received = a), result));
      assert.equal(got, result);
      const h = toolCall('manual', { user: { ssn: '456' } });
      toolCallEnd(h, { token: 'x', keep: 1 });
      await flushSubscribers();
    } finally {
      c.stop();
      f.restore();
    }
    assert.deepEqual(f.failures, []);
    assert.equal(received, args, 'the tool gets the real args');
    assert.deepEqual(args, { user: { ssn: '123' } }, "the caller's args are untouched");
    assert.deepEqual(result, { ok: true, token: 'abc' }, 'the real result is untouched');
    assert.deepEqual(
      c.scopes().map((e) => e.data),
      [{ user: { ssn: '***' } }, { ok: true }, { user: { ssn: '***' } }, { keep: 1 }],
    );
  });

  it('manual toolCall applies sanitize guardrails (sync and async) and never blocks', async () => {
    registerToolSanitizeRequestGuardrail('mask', 0, async (_n, a) => ({ ...(a as object), token: '***' }));
    registerToolConditionalExecutionGuardrail('deny-all', 0, () => 'nope');
    cleanups.push(() => {
      deregisterToolSanitizeRequestGuardrail('mask');
      deregisterToolConditionalExecutionGuardrail('deny-all');
    });
    const c = capture();
    const h = toolCall('t', { token: 'abc' });
    toolCallEnd(h, 'done');
    await flushSubscribers();
    c.stop();
    assert.deepEqual(c.names(), ['start:t', 'end:t']);
    assert.deepEqual(c.scopes()[0]!.data, { token: '***' });
  });

  it('duplicate names are errors per registry; deregister returns whether it existed; listMiddleware shows registrations', async () => {
    registerToolRequestIntercept('x', 3, (_n, a) => a, { breakChain: true });
    cleanups.push(() => deregisterToolRequestIntercept('x'));
    assert.throws(() => registerToolRequestIntercept('x', 1, (_n, a) => a), /registerToolRequestIntercept\("x"\): the name is already registered/);
    assert.throws(() => registerToolRequestIntercept('y', Number.NaN, (_n, a) => a), /priority must be a finite number/);
    assert.throws(() => registerToolRequestIntercept('y', 0, 'no' as never), /fn must be a function, got "no"/);
    await withScope('s', ScopeType.Agent, (s) => {
      registerToolRequestIntercept('x', 1, (_n, a) => a, { scope: s });
      const rows = listMiddleware().filter((r) => r.name === 'x');
      assert.deepEqual(rows, [
        { family: 'tool_request_intercept', name: 'x', priority: 3, breakChain: true, scope: null },
        { family: 'tool_request_intercept', name: 'x', priority: 1, breakChain: false, scope: { uuid: s.uuid, name: 's' } },
      ]);
      assert.equal(deregisterToolRequestIntercept('x', { scope: s }), true);
      assert.equal(deregisterToolRequestIntercept('x', { scope: s }), false);
    });
  });

  it('standalone runners run only their stage, with no events', async () => {
    registerToolConditionalExecutionGuardrail('deny', 0, (n) => (n === 'bad' ? 'blocked' : undefined));
    registerToolRequestIntercept('add', 0, (_n, a) => ({ ...(a as object), added: 1 }));
    cleanups.push(() => {
      deregisterToolConditionalExecutionGuardrail('deny');
      deregisterToolRequestIntercept('add');
    });
    const c = capture();
    await toolConditionalExecution('good', {});
    await assert.rejects(toolConditionalExecution('bad', {}), GuardrailRejectedError);
    assert.deepEqual(await toolRequestIntercepts('t', { a: 1 }), { a: 1, added: 1 });
    c.stop();
    assert.equal(c.events.length, 0);
  });

  it('an execution intercept that never settles leaves the call open until its scope ends (NotEnded)', async () => {
    const f = collectFailures();
    const c = capture();
    await withScope('s', ScopeType.Agent, async (s) => {
      registerToolExecutionIntercept('hang', 0, () => new Promise(() => {}), { scope: s });
      void toolCallExecute('stuck', {}, () => 1);
      await tick();
    });
    c.stop();
    f.restore();
    const end = c.scopes().find((e) => e.name === 'stuck' && e.scope_category === 'end');
    assert.equal(end?.error?.type, 'NotEnded');
  });
});

describe('middleware: LLM calls', () => {
  const openaiRequest = (): LlmRequest => ({
    headers: { authorization: 'Bearer sk-secret' },
    content: {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello' },
      ],
      temperature: 0.2,
      future_field: { x: 1 },
    },
  });

  it('request intercepts can edit the annotated form (in place or replaced) and the raw request; all edits survive', async () => {
    registerLlmRequestIntercept('edit-annotated', 0, (ctx) => {
      ctx.annotated!.messages[1]!.text = 'hello (edited)';
    });
    registerLlmRequestIntercept('edit-raw', 1, (ctx) => ({
      request: { ...ctx.request, headers: { ...ctx.request.headers, 'x-added': 'yes' } },
    }));
    registerLlmRequestIntercept('replace-annotated', 2, (ctx) => ({
      annotated: { ...ctx.annotated!, params: { ...ctx.annotated!.params, temperature: 0.9 } },
    }));
    cleanups.push(() => ['edit-annotated', 'edit-raw', 'replace-annotated'].forEach((n) => deregisterLlmRequestIntercept(n)));
    let received: LlmRequest | undefined;
    const c = capture();
    await llmCallExecute('openai', openaiRequest(), (r) => ((received = r), { choices: [] }), { codec: 'openai-chat' });
    c.stop();
    const content = received!.content as { messages: Array<{ content: string }>; temperature: number; future_field: unknown };
    assert.equal(content.messages[1]!.content, 'hello (edited)');
    assert.equal(content.temperature, 0.9);
    assert.deepEqual(content.future_field, { x: 1 }, 'unmodelled fields survive');
    assert.equal(received!.headers['x-added'], 'yes');
    const start = c.scopes()[0]!;
    const annotated = (start.category_profile as { annotated_request: { messages: Array<{ text: string }> } }).annotated_request;
    assert.equal(annotated.messages[1]!.text, 'hello (edited)', 'START carries the normalized request the callback received');
  });

  it('one request intercept editing both the raw request and annotated keeps both edits, new raw keys included', async () => {
    registerLlmRequestIntercept('both-replaced', 0, (ctx) => ({
      request: { ...ctx.request, content: { ...(ctx.request.content as object), custom_flag: 'kept', model: 'gpt-4o-mini' } },
      annotated: { ...ctx.annotated!, params: { ...ctx.annotated!.params, temperature: 0.5 } },
    }));
    registerLlmRequestIntercept('both-in-place', 1, (ctx) => {
      ctx.annotated!.messages[1]!.text = 'hello (edited)';
      return { request: { ...ctx.request, content: { ...(ctx.request.content as object), other_flag: 2 } } };
    });
    cleanups.push(() => ['both-replaced', 'both-in-place'].forEach((n) => deregisterLlmRequestIntercept(n)));
    let received: LlmRequest | undefined;
    await llmCallExecute('openai', openaiRequest(), (r) => ((received = r), { choices: [] }), { codec: 'openai-chat' });
    const content = received!.content as Record<string, unknown> & { messages: Array<{ content: string }> };
    assert.equal(content.custom_flag, 'kept', 'a new raw key survives the annotated edit');
    assert.equal(content.other_flag, 2);
    assert.equal(content.model, 'gpt-4o-mini', 'a raw edit of a modelled field survives');
    assert.equal(content.temperature, 0.5, 'the annotated edit survives');
    assert.equal(content.messages[1]!.content, 'hello (edited)', 'an in-place annotated edit survives a replaced request');
    assert.deepEqual(content.future_field, { x: 1 });
  });

  it('a request intercept returning a malformed request is a clear error', async () => {
    registerLlmRequestIntercept('bad', 0, () => ({ request: { headers: {} } as never }));
    cleanups.push(() => deregisterLlmRequestIntercept('bad'));
    await assert.rejects(
      llmCallExecute('x', openaiRequest(), () => 1),
      (e: unknown) => e instanceof MiddlewareError && /returned a malformed LLM request: .*has no "content"/.test((e as Error).message),
    );
  });

  it('LLM conditional guardrail and sanitize-request; the sanitized request drives the annotated event form', async () => {
    registerLlmConditionalExecutionGuardrail('no-gpt3', 0, (r) => ((r.content as { model: string }).model === 'gpt-3' ? 'model retired' : undefined));
    registerLlmSanitizeRequestGuardrail('strip-auth', 0, (r) => {
      const req = r as LlmRequest<{ messages: Array<{ role: string; content: string }> }>;
      return {
        headers: {},
        content: { ...req.content, messages: req.content.messages.map((m) => ({ ...m, content: m.content.replace(/hello/, '[greeting]') })) },
      };
    });
    cleanups.push(() => {
      deregisterLlmConditionalExecutionGuardrail('no-gpt3');
      deregisterLlmSanitizeRequestGuardrail('strip-auth');
    });
    const c = capture();
    await assert.rejects(
      llmCallExecute('x', { headers: {}, content: { model: 'gpt-3', messages: [] } }, () => 1),
      GuardrailRejectedError,
    );
    await llmCallExecute('y', openaiRequest(), () => ({ choices: [] }), { codec: 'auto' });
    c.stop();
    const start = c.scopes().find((e) => e.name === 'y' && e.scope_category === 'start')!;
    assert.ok(!JSON.stringify(start).includes('sk-secret'));
    assert.ok(!JSON.stringify(start).includes('hello'), 'the annotated request is derived from the sanitized one');
  });

  it('LLM execution intercepts wrap the call; the START event is emitted before they run', async () => {
    const order: string[] = [];
    registerLlmExecutionIntercept('timer', 0, async (r, next) => {
      order.push('intercept');
      return next(r);
    });
    cleanups.push(() => deregisterLlmExecutionIntercept('timer'));
    registerLlmSanitizeRequestGuardrail('probe', 0, (r) => (order.push('sanitize'), r));
    cleanups.push(() => deregisterLlmSanitizeRequestGuardrail('probe'));
    const c = capture();
    registerSubscriber('order', (e) => void (e.kind === 'scope' && order.push(`${e.scope_category}`)));
    await llmCallExecute('x', openaiRequest(), () => (order.push('callback'), {}));
    deregisterSubscriber('order');
    c.stop();
    assert.deepEqual(order, ['sanitize', 'start', 'intercept', 'callback', 'end']);
  });

  it('stream execution intercepts see and transform chunks without buffering, and can append', async () => {
    registerLlmStreamExecutionIntercept('upper', 0, async (r, next) => {
      const inner = await next(r);
      return (async function* () {
        for await (const ch of inner) yield String(ch).toUpperCase();
        yield '[END]';
      })();
    });
    cleanups.push(() => deregisterLlmStreamExecutionIntercept('upper'));
    let produced = 0;
    const stream = await llmStreamCallExecute('s', openaiRequest(), () =>
      (async function* () {
        for (const w of ['a', 'b', 'c']) {
          produced++;
          yield w;
        }
      })(),
    );
    const first = await stream.next();
    assert.equal(first.value, 'A');
    assert.equal(produced, 1, 'chunks flow one at a time');
    const rest: unknown[] = [];
    for await (const ch of stream) rest.push(ch);
    assert.deepEqual(rest, ['B', 'C', '[END]']);
  });

  it('manual llmCall applies async sanitize guardrails, keeps start before end, and never blocks', async () => {
    registerLlmSanitizeRequestGuardrail('strip-headers', 0, async (r) => ({ ...(r as LlmRequest), headers: {} }));
    cleanups.push(() => deregisterLlmSanitizeRequestGuardrail('strip-headers'));
    const c = capture();
    const h = llmCall('manual', openaiRequest());
    llmCallEnd(h, { choices: [] });
    assert.throws(() => llmCallEnd(h, {}), /already ended/);
    await flushSubscribers();
    c.stop();
    assert.deepEqual(c.names(), ['start:manual', 'end:manual']);
    assert.deepEqual((c.scopes()[0]!.data as LlmRequest).headers, {});
  });

  it('llmRequestIntercepts runs only the intercept chain', async () => {
    registerLlmRequestIntercept('x', 0, (ctx) => ({ request: { ...ctx.request, headers: { h: 1 } } }));
    cleanups.push(() => deregisterLlmRequestIntercept('x'));
    const c = capture();
    const out = await llmRequestIntercepts('n', openaiRequest());
    c.stop();
    assert.deepEqual(out.headers, { h: 1 });
    assert.equal(c.events.length, 0);
    void tick;
  });
});
