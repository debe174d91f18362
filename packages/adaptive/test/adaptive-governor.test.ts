/**
 * The cache governor on the request path: it adds annotations through the LLM request
 * intercept, keeps the caller's, leaves the request exactly as it was when anything fails, and
 * pays off end to end against the simulator (with cache telemetry reading the provider usage).
 */
import { strict as assert } from 'node:assert';
import { llmCallExecute, withScope } from '@nemo-flow/runtime';
import { Adaptive, AnthropicCacheSimulator, InMemoryAdaptiveStore, anthropicLayout } from '@nemo-flow/adaptive';
import type { LlmRequest } from '@nemo-flow/runtime';
import type { RunRecord } from '@nemo-flow/adaptive';
import { collectFailures } from './helpers.js';

const text = (tokens: number, seed: string): string => `${seed} lorem ipsum dolor sit amet `.repeat(tokens).slice(0, tokens * 4);
const SYSTEM = text(3000, 'system');
const TOOLS = [{ name: 'search', description: text(1200, 'tool'), input_schema: { type: 'object', properties: { q: { type: 'string' } } } }];

function anthropic(messages: unknown[]): Record<string, unknown> {
  return { model: 'claude-sonnet-4-5-20250929', max_tokens: 1024, system: SYSTEM, tools: TOOLS, messages };
}

function anthropicResponse(usage: { input_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number }, output = 60) {
  return {
    id: 'm',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text', text: 'ok' }],
    stop_reason: 'tool_use',
    usage: { ...usage, output_tokens: output },
  };
}

/** Runs one agent run of `turns` LLM calls through llmCallExecute; the provider is the simulator. */
async function agentRun(sim: AnthropicCacheSimulator, clock: { t: number }, question: string, turns: number, sent: LlmRequest[] = []): Promise<number> {
  let cost = 0;
  await withScope(
    'support',
    'agent',
    async () => {
      const messages: unknown[] = [{ role: 'user', content: question }];
      for (let i = 0; i < turns; i++) {
        await llmCallExecute('claude', { headers: {}, content: anthropic([...messages]) }, (req) => {
          sent.push(req);
          const u = sim.process(req.content, clock.t);
          cost += u.cost;
          return anthropicResponse(u);
        });
        clock.t += 15_000;
        messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `c${i}`, name: 'search', input: { q: String(i) } }] });
        messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `c${i}`, content: text(400, `result ${question} ${i}`) }] });
      }
    },
    { metadata: { agent_id: 'support' } },
  );
  return cost;
}

describe('adaptive: cache governor on the request path', () => {
  let adaptive: Adaptive | undefined;
  afterEach(() => adaptive?.uninstall());

  it('adds cache_control through the request intercept without touching the caller’s request', async () => {
    const clock = { t: 0 };
    adaptive = new Adaptive({ now: () => clock.t }).install('adaptive-test');
    const original = anthropic([{ role: 'user', content: 'hello' }]);
    const before = structuredClone(original);
    let seen: Record<string, unknown> | undefined;
    await withScope('support', 'agent', () =>
      llmCallExecute('claude', { headers: { 'x-app': '1' }, content: original }, (req) => {
        seen = req.content as Record<string, unknown>;
        return anthropicResponse({ input_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
      }),
    );
    assert.deepEqual(original, before);
    assert.ok(seen);
    const marks = JSON.stringify(seen).split('"cache_control"').length - 1;
    assert.equal(marks, 3, 'tools, system and conversation tail');
    assert.deepEqual((seen.tools as Array<Record<string, unknown>>)[0]!.cache_control, { type: 'ephemeral' });
  });

  it('keeps a caller’s cache_control and adds nothing when the caller used all four', async () => {
    adaptive = new Adaptive().install('adaptive-test');
    const mk = (marks: number) => {
      const messages = [];
      for (let i = 0; i < 4; i++)
        messages.push({
          role: i % 2 ? 'assistant' : 'user',
          content: [{ type: 'text', text: `m${i} ${text(10, 'x')}`, ...(i < marks ? { cache_control: { type: 'ephemeral' } } : {}) }],
        });
      return anthropic(messages);
    };
    const send = async (content: Record<string, unknown>) => {
      let out: unknown;
      await llmCallExecute('claude', { headers: {}, content }, (req) => {
        out = req.content;
        return anthropicResponse({ input_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
      });
      return out as Record<string, unknown>;
    };
    const four = mk(4);
    assert.deepEqual(await send(four), four);
    const one = await send(mk(1));
    const msgs = one.messages as Array<{ content: Array<Record<string, unknown>> }>;
    assert.deepEqual(msgs[0]!.content[0]!.cache_control, { type: 'ephemeral' }, 'the caller’s mark stays');
    assert.ok(JSON.stringify(one).split('"cache_control"').length - 1 <= 4);
  });

  it('leaves the request exactly as it was when planning fails, and reports once', async () => {
    const broken = new InMemoryAdaptiveStore();
    broken.runs = () => {
      throw new Error('store down');
    };
    adaptive = new Adaptive({ store: broken }).install('adaptive-test');
    const f = collectFailures();
    try {
      const sent: unknown[] = [];
      const request = { headers: { a: 'b' }, content: anthropic([{ role: 'user', content: 'hi' }]) };
      for (let i = 0; i < 2; i++) {
        await withScope('support', 'agent', () =>
          llmCallExecute('claude', request, (req) => {
            sent.push(req);
            return anthropicResponse({ input_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
          }),
        );
      }
      for (const r of sent) assert.deepEqual(r, request);
      const gov = f.failures.filter((x) => x.source === 'adaptive:cache_governor');
      assert.equal(gov.length, 1, 'reported once');
      assert.equal(gov[0]!.count, 2, 'and counted every time');
    } finally {
      f.restore();
    }
  });

  it('gives OpenAI requests a prompt_cache_key from the stable prefix, and keeps the caller’s', async () => {
    adaptive = new Adaptive().install('adaptive-test');
    const chat = (q: string, extra: Record<string, unknown> = {}) => ({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: q },
      ],
      tools: [{ type: 'function', function: { name: 'search', parameters: { type: 'object' } } }],
      ...extra,
    });
    const keyOf = async (content: Record<string, unknown>) => {
      let key: unknown;
      await withScope('chat', 'agent', () =>
        llmCallExecute('gpt', { headers: {}, content }, (req) => {
          key = (req.content as { prompt_cache_key?: unknown }).prompt_cache_key;
          return {
            id: 'c',
            object: 'chat.completion',
            model: 'gpt-4o',
            choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 3000, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 2048 } },
          };
        }),
      );
      return key;
    };
    const a = await keyOf(chat('first question'));
    const b = await keyOf(chat('another question'));
    assert.match(String(a), /^nf-[0-9a-f]{16}$/);
    assert.equal(a, b, 'requests sharing the stable prefix share the key');
    const other = await keyOf({
      ...chat('q'),
      messages: [
        { role: 'system', content: 'different' },
        { role: 'user', content: 'q' },
      ],
    });
    assert.notEqual(other, a);
    assert.equal(await keyOf(chat('q', { prompt_cache_key: 'mine' })), 'mine');
    // Cache telemetry from OpenAI's cached_tokens.
    const report = adaptive.cacheReport('chat');
    assert.equal(report.agents[0]!.cacheReadTokens, 2048 * 4);
    assert.equal(report.agents[0]!.hitRatio, 2048 / 3000);
  });

  it('end to end: a growing multi-turn workload costs well under half of no caching, and telemetry agrees', async () => {
    const clock = { t: 0 };
    adaptive = new Adaptive({ now: () => clock.t }).install('adaptive-test');
    const sim = new AnthropicCacheSimulator();
    let ours = 0;
    let none = 0;
    const sent: LlmRequest[] = [];
    for (let run = 0; run < 4; run++) {
      const before = sent.length;
      ours += await agentRun(sim, clock, `question ${run}`, 6, sent);
      for (const r of sent.slice(before)) none += anthropicLayout(r.content).totalTokens;
      clock.t += 60_000;
    }
    assert.ok(ours <= none * 0.5, `ours ${ours.toFixed(0)} vs no caching ${none}`);
    for (const r of sent) assert.ok(JSON.stringify(r.content).split('"cache_control"').length - 1 <= 4);
    const report = adaptive.cacheReport('support');
    assert.equal(report.agents[0]!.runs, 4);
    assert.equal(report.total.calls, 24);
    assert.ok(report.total.hitRatio > 0.6, `hit ratio ${report.total.hitRatio}`);
    assert.ok(Math.abs(report.total.inputTokens - report.total.savedTokens - ours) < 1, 'saved = uncached cost − simulated cost');
    // Learned: the shared prefix (tools + system) is stable across runs.
    const shapes = adaptive.prefixStability('support');
    assert.equal(shapes.length, 1);
    assert.equal(shapes[0]!.prefixes[0]!.share, 1);
    const runs: readonly RunRecord[] = adaptive.runs('support');
    assert.equal(runs.length, 4);
  });
});
