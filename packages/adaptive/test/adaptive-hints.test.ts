/**
 * Router hints: per-position predictions injected into a header and/or a body path (both
 * honoured), request-local latency sensitivity, and hints never breaking a request.
 */
import { strict as assert } from 'node:assert';
import { llmCallExecute, withScope } from '@nemo-flow/runtime';
import { Adaptive, injectHints, setLatencySensitivity, withLatencySensitivity } from '@nemo-flow/adaptive';
import type { LlmRequest } from '@nemo-flow/runtime';
import type { AgentHints, HintsOptions } from '@nemo-flow/adaptive';
import { collectFailures } from './helpers.js';

const OUTPUTS = [300, 50, 800];

function chat(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'llama',
    messages: [
      { role: 'system', content: 'You route.' },
      { role: 'user', content: 'go' },
    ],
    ...extra,
  };
}

function completion(output: number) {
  return {
    id: 'c',
    object: 'chat.completion',
    model: 'llama',
    choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: output },
  };
}

/** One run of three calls whose output lengths depend on the position; returns the requests the provider received. */
async function run(
  agent: string,
  content: (i: number) => Record<string, unknown> = () => chat(),
  headers: Record<string, unknown> = {},
): Promise<LlmRequest[]> {
  const sent: LlmRequest[] = [];
  await withScope(
    agent,
    'agent',
    async () => {
      for (let i = 0; i < OUTPUTS.length; i++) {
        await llmCallExecute('llm', { headers, content: content(i) }, (req) => {
          sent.push(req);
          return completion(OUTPUTS[i]!);
        });
      }
    },
    { metadata: { agent_id: agent } },
  );
  return sent;
}

const bodyHints = (r: LlmRequest): AgentHints | undefined => (r.content as { nvext?: { agent_hints?: AgentHints } }).nvext?.agent_hints;
const headerHints = (r: LlmRequest, name = 'x-agent-hints'): AgentHints | undefined =>
  typeof r.headers[name] === 'string' ? JSON.parse(r.headers[name] as string) : undefined;

describe('adaptive: router hints', () => {
  let adaptive: Adaptive | undefined;
  const setup = (hints: boolean | HintsOptions) => (adaptive = new Adaptive({ cacheGovernor: false, hints }).install('adaptive-test'));
  afterEach(() => adaptive?.uninstall());

  it('injects per-position predictions into both the header and the body path', async () => {
    setup({ header: 'x-agent-hints', bodyPath: 'nvext.agent_hints', latencySensitivity: 1.2 });
    const cold = await run('router');
    assert.deepEqual(bodyHints(cold[0]!), { latency_sensitivity: 1.2, prefix_id: bodyHints(cold[0]!)!.prefix_id });
    await run('router');
    const warm = await run('router');
    for (let i = 0; i < 3; i++) {
      const b = bodyHints(warm[i]!);
      const h = headerHints(warm[i]!);
      assert.ok(b && h, `call ${i + 1} carries hints in both places`);
      assert.deepEqual(h, b);
      assert.equal(b.osl, OUTPUTS[i], 'output length predicted for this call’s own position');
      assert.equal(b.remaining_calls, 2 - i);
      assert.equal(b.latency_sensitivity, 1.2);
      assert.match(b.prefix_id!, /^nf-[0-9a-f]{16}$/);
    }
    assert.equal(bodyHints(warm[2]!)!.iat, undefined, 'no next call after the last position');
    assert.equal(typeof bodyHints(warm[0]!)!.iat, 'number');
  });

  it('honours a header-only and a body-only setting', async () => {
    setup({ header: 'x-agent-hints', bodyPath: null, latencySensitivity: 1 });
    const h = await run('a');
    assert.ok(headerHints(h[0]!));
    assert.equal(bodyHints(h[0]!), undefined);
    assert.equal((h[0]!.content as Record<string, unknown>).nvext, undefined);
    adaptive!.uninstall();
    setup({ bodyPath: 'extra.hints', latencySensitivity: 1 });
    const b = await run('a');
    assert.equal(headerHints(b[0]!), undefined);
    assert.deepEqual((b[0]!.content as { extra: { hints: AgentHints } }).extra.hints.latency_sensitivity, 1);
  });

  it('keeps what the caller already set', async () => {
    setup({ header: 'X-Agent-Hints', latencySensitivity: 1 });
    const sent = await run('a', () => chat({ nvext: { agent_hints: { osl: 7 }, other: true } }), { 'x-agent-hints': 'mine' });
    assert.equal(sent[0]!.headers['x-agent-hints'], 'mine');
    assert.equal(sent[0]!.headers['X-Agent-Hints'], undefined);
    const nvext = (sent[0]!.content as { nvext: { agent_hints: AgentHints; other: boolean } }).nvext;
    assert.equal(nvext.agent_hints.osl, 7);
    assert.equal(nvext.agent_hints.latency_sensitivity, 1);
    assert.equal(nvext.other, true);
  });

  it('takes a request-local latency sensitivity from the callback context or the scope', async () => {
    setup({ latencySensitivity: 1 });
    const seen: Array<number | undefined> = [];
    const call = () =>
      llmCallExecute('llm', { headers: {}, content: chat() }, (req) => {
        seen.push(bodyHints(req)?.latency_sensitivity);
        return completion(1);
      });
    await withScope('a', 'agent', async (scope) => {
      await call();
      await withLatencySensitivity(5, call);
      setLatencySensitivity(3, scope);
      await call();
      await withLatencySensitivity(8, async () => {
        await Promise.resolve();
        await call();
      });
      setLatencySensitivity(undefined, scope);
      await call();
    });
    assert.deepEqual(seen, [1, 5, 3, 8, 1]);
    assert.throws(() => setLatencySensitivity(2), TypeError, 'outside any scope');
    assert.throws(() => withLatencySensitivity(-1, () => 0), TypeError);
  });

  it('sends the request unchanged when the body path cannot take hints', async () => {
    setup({ bodyPath: 'nvext.agent_hints', latencySensitivity: 1 });
    const f = collectFailures();
    try {
      const sent = await run('a', () => chat({ nvext: 'not an object' }));
      assert.deepEqual(sent[0]!.content, chat({ nvext: 'not an object' }));
      assert.equal(f.failures.filter((x) => x.source === 'adaptive:hints').length, 1);
    } finally {
      f.restore();
    }
  });

  it('injectHints: pure, and nothing to inject means no change', () => {
    const req = { headers: {}, content: { a: 1 } };
    assert.equal(injectHints(req, {}, 'x', ['nvext', 'agent_hints']), undefined);
    const out = injectHints(req, { osl: 5 }, 'x', ['nvext', 'agent_hints'])!;
    assert.deepEqual(out, { headers: { x: '{"osl":5}' }, content: { a: 1, nvext: { agent_hints: { osl: 5 } } } });
    assert.deepEqual(req, { headers: {}, content: { a: 1 } });
  });
});
