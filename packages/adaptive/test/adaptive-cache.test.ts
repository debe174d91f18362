/**
 * The Anthropic cache simulator, model minimums and the breakpoint planner, pinned: breakpoint
 * placement, at most four, minimum lengths per model family (dated ids included), the caller's
 * cache_control respected, content unchanged.
 */
import { strict as assert } from 'node:assert';
import { AnthropicCacheSimulator, planAnthropicCache, anthropicLayout, estimateTokens } from '@nemo-flow/adaptive';
import { claudeFamily, minCacheableTokens } from '@nemo-flow/runtime/models';
import type { PlannedBreakpoint } from '@nemo-flow/adaptive';

/** Text of exactly `tokens` estimated tokens (chars/4). */
const text = (tokens: number, seed = 'a'): string => (seed + ' lorem ipsum dolor').repeat(tokens * 4).slice(0, tokens * 4);

type Msg = { role: 'user' | 'assistant'; content: unknown };

function request(opts: { model?: string; tools?: number; system?: number; messages?: Msg[] } = {}): Record<string, unknown> {
  const r: Record<string, unknown> = { model: opts.model ?? 'claude-sonnet-4-5-20250929', max_tokens: 512 };
  if (opts.tools) r.tools = [{ name: 'search', description: text(opts.tools, 't'), input_schema: { type: 'object' } }];
  if (opts.system) r.system = text(opts.system, 's');
  r.messages = opts.messages ?? [{ role: 'user', content: text(50, 'u') }];
  return r;
}

/** A growing agent conversation: user question, then `turns` assistant tool calls with results. */
function conversation(turns: number, resultTokens = 300): Msg[] {
  const msgs: Msg[] = [{ role: 'user', content: 'Question: ' + text(40, 'q') }];
  for (let i = 0; i < turns; i++) {
    msgs.push({
      role: 'assistant',
      content: [
        { type: 'text', text: 'step ' + i },
        { type: 'tool_use', id: `t${i}`, name: 'search', input: { q: i } },
      ],
    });
    msgs.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: text(resultTokens, String(i)) }] });
  }
  return msgs;
}

/** Removes every cache_control and turns marked bare strings back into what they were. */
function stripMarks(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripMarks);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'cache_control') out[k] = stripMarks(x);
    return out;
  }
  return v;
}
const bare = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 && (v[0] as { type?: string }).type === 'text' ? (v[0] as { text: string }).text : v);
function normalize(r: Record<string, unknown>): unknown {
  const s = stripMarks(r) as Record<string, unknown>;
  if (s.system !== undefined) s.system = bare(s.system);
  s.messages = (s.messages as Msg[]).map((m) => ({ ...m, content: bare(m.content) }));
  return s;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const reasons = (bps: PlannedBreakpoint[]): string[] => bps.map((b) => b.reason);

describe('adaptive: model families and minimum cacheable tokens', () => {
  it('reads dated, aliased, Bedrock and Vertex ids without mistaking the date for a version', () => {
    assert.deepEqual(claudeFamily('claude-3-5-sonnet-20241022'), { tier: 'sonnet', major: 3, minor: 5 });
    assert.deepEqual(claudeFamily('claude-sonnet-4-5-20250929'), { tier: 'sonnet', major: 4, minor: 5 });
    assert.deepEqual(claudeFamily('claude-sonnet-4-20250514'), { tier: 'sonnet', major: 4, minor: 0 });
    assert.deepEqual(claudeFamily('claude-opus-4-1-20250805'), { tier: 'opus', major: 4, minor: 1 });
    assert.deepEqual(claudeFamily('anthropic.claude-3-5-sonnet-20241022-v2:0'), { tier: 'sonnet', major: 3, minor: 5 });
    assert.deepEqual(claudeFamily('claude-3-5-sonnet-v2@20241022'), { tier: 'sonnet', major: 3, minor: 5 });
    assert.deepEqual(claudeFamily('claude-3-5-haiku-latest'), { tier: 'haiku', major: 3, minor: 5 });
    assert.equal(claudeFamily('gpt-4o'), undefined);
  });

  it('maps each family to its minimum', () => {
    const cases: Array<[string, number]> = [
      ['claude-3-5-sonnet-20241022', 1024],
      ['claude-3-7-sonnet-20250219', 1024],
      ['claude-sonnet-4-20250514', 1024],
      ['claude-sonnet-4-5-20250929', 1024],
      ['claude-sonnet-4-5', 1024],
      ['claude-opus-4-20250514', 1024],
      ['claude-opus-4-1-20250805', 1024],
      ['claude-opus-4-5-20251101', 4096],
      ['claude-3-haiku-20240307', 2048],
      ['claude-3-5-haiku-20241022', 2048],
      ['claude-haiku-4-5-20251001', 4096],
      ['claude-sonnet-4-6', 2048],
      ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 2048],
      ['claude-3-opus-20240229', 1024],
    ];
    for (const [model, min] of cases) assert.equal(minCacheableTokens(model), min, model);
    // A newer version of a known tier takes the newest known entry below it; overrides win.
    assert.equal(minCacheableTokens('claude-sonnet-4-7-20260101'), 2048);
    assert.equal(minCacheableTokens('my-proxy-model'), 4096);
    assert.equal(minCacheableTokens('my-proxy-model', { 'my-proxy': 1024 }), 1024);
  });

  it('estimates tokens as chars/4, rounded up', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('abcd'), 1);
    assert.equal(estimateTokens('abcde'), 2);
  });
});

describe('adaptive: Anthropic cache simulator', () => {
  it('bills an unmarked request as uncached input', () => {
    const sim = new AnthropicCacheSimulator();
    const u = sim.process(request({ system: 3000 }), 0);
    assert.equal(u.cache_read_input_tokens, 0);
    assert.equal(u.cache_creation_input_tokens, 0);
    assert.equal(u.input_tokens, u.total_input_tokens);
    assert.equal(u.cost, u.total_input_tokens);
  });

  it('writes at 1.25x, reads at 0.1x within 5 minutes (refreshed on use), misses after', () => {
    const sim = new AnthropicCacheSimulator();
    const r = request({ system: 3000 });
    r.system = [{ type: 'text', text: r.system, cache_control: { type: 'ephemeral' } }];
    const total = anthropicLayout(r).totalTokens;
    const w = sim.process(r, 0);
    assert.equal(w.cache_creation_input_tokens, 3000);
    assert.equal(w.cost, total - 3000 + 3000 * 1.25);
    const hit = sim.process(r, 4 * 60_000);
    assert.equal(hit.cache_read_input_tokens, 3000);
    assert.equal(hit.cost, total - 3000 + 3000 * 0.1);
    // Refreshed at minute 4: still alive at minute 8, gone at minute 14.
    assert.equal(sim.process(r, 8 * 60_000).cache_read_input_tokens, 3000);
    const miss = sim.process(r, 14 * 60_000);
    assert.equal(miss.cache_read_input_tokens, 0);
    assert.equal(miss.cache_creation_input_tokens, 3000);
  });

  it('does not cache a prefix below the model minimum', () => {
    const sim = new AnthropicCacheSimulator();
    const mk = (model: string) => {
      const r = request({ model, system: 2000 });
      r.system = [{ type: 'text', text: r.system, cache_control: { type: 'ephemeral' } }];
      return r;
    };
    assert.equal(sim.process(mk('claude-haiku-4-5-20251001'), 0).effective_breakpoints, 0);
    assert.equal(sim.process(mk('claude-haiku-4-5-20251001'), 1000).cache_read_input_tokens, 0);
    assert.equal(sim.process(mk('claude-3-5-sonnet-20241022'), 0).cache_creation_input_tokens, 2000);
  });

  it('finds an earlier entry up to 20 blocks back from a breakpoint, not further', () => {
    const mark = (msgs: Msg[]): Msg[] => {
      const last = msgs[msgs.length - 1]!;
      const content = (last.content as Array<Record<string, unknown>>).map((b, i, a) =>
        i === a.length - 1 ? { ...b, cache_control: { type: 'ephemeral' } } : b,
      );
      return [...msgs.slice(0, -1), { ...last, content }];
    };
    const sim = new AnthropicCacheSimulator();
    const first = conversation(2);
    const w = sim.process(request({ system: 2000, messages: mark(first) }), 0);
    assert.ok(w.cache_creation_input_tokens > 2000);
    // Two more turns: 4 blocks later, within the lookback.
    const near = sim.process(request({ system: 2000, messages: mark(conversation(4)) }), 1000);
    assert.equal(near.cache_read_input_tokens, w.cache_creation_input_tokens);
    // Twelve more turns: 24 blocks past the last write, beyond the lookback.
    const far = sim.process(request({ system: 2000, messages: mark(conversation(16)) }), 2000);
    assert.equal(far.cache_read_input_tokens, 0);
  });

  it('rejects what the API rejects', () => {
    const sim = new AnthropicCacheSimulator();
    const many = request({ messages: conversation(3) });
    many.messages = (many.messages as Msg[]).map((m) => ({ ...m, content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }));
    assert.throws(() => sim.process(many, 0), RangeError);
    const thinking = request({
      messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 's', cache_control: { type: 'ephemeral' } }] }],
    });
    assert.throws(() => sim.process(thinking, 0), TypeError);
    const order = request({
      system: 2000,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'q', cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
    });
    order.system = [{ type: 'text', text: order.system, cache_control: { type: 'ephemeral' } }];
    assert.throws(() => sim.process(order, 0), /1h/);
  });
});

describe('adaptive: Anthropic breakpoint planner', () => {
  it('cold start: marks the conversation tail, the end of system and the end of tools, in prefix order', () => {
    const r = request({ tools: 1500, system: 3000, messages: conversation(2) });
    const plan = planAnthropicCache(r);
    assert.equal(plan.changed, true);
    assert.deepEqual(reasons(plan.breakpoints), ['tools', 'system', 'conversation']);
    assert.deepEqual(plan.breakpoints[0]!.path, ['tools', 0]);
    assert.deepEqual(plan.breakpoints[1]!.path, ['system']);
    assert.deepEqual(plan.breakpoints[2]!.path, ['messages', 4, 'content', 0]);
    const out = plan.content as { tools: Array<Record<string, unknown>>; system: Array<Record<string, unknown>> };
    assert.deepEqual(out.tools[0]!.cache_control, { type: 'ephemeral' });
    assert.deepEqual(out.system, [{ type: 'text', text: r.system, cache_control: { type: 'ephemeral' } }]);
  });

  it('never changes content, never mutates the caller payload', () => {
    const r = deepFreeze(request({ tools: 1500, system: 3000, messages: conversation(3) }));
    const before = structuredClone(r);
    const plan = planAnthropicCache(r);
    assert.equal(plan.changed, true);
    assert.deepEqual(r, before);
    assert.deepEqual(normalize(plan.content as Record<string, unknown>), normalize(before));
  });

  it('respects the minimum of the model family (dated ids included)', () => {
    // tools 1500 + system 1500 = 3000 tokens before the conversation.
    const mk = (model: string) => request({ model, tools: 1500, system: 1500, messages: conversation(1, 100) });
    const sonnet = planAnthropicCache(mk('claude-3-5-sonnet-20241022'));
    assert.deepEqual(reasons(sonnet.breakpoints), ['tools', 'system', 'conversation']);
    assert.equal(sonnet.minTokens, 1024);
    const haiku35 = planAnthropicCache(mk('claude-3-5-haiku-20241022'));
    assert.deepEqual(reasons(haiku35.breakpoints), ['system', 'conversation'], 'tools alone (1500) are below 2048');
    const haiku45 = planAnthropicCache(mk('claude-haiku-4-5-20251001'));
    assert.equal(haiku45.minTokens, 4096);
    assert.deepEqual(reasons(haiku45.breakpoints), [], 'the whole prompt is below 4096');
    for (const plan of [sonnet, haiku35]) for (const bp of plan.breakpoints) assert.ok(bp.prefixTokens >= plan.minTokens);
  });

  it('uses at most four breakpoints, counting the caller’s', () => {
    const r = request({ tools: 1500, system: 3000, messages: conversation(30) });
    const p = planAnthropicCache(r, { isCached: (h) => h === anthropicLayout(r).blocks[5]!.prefixHash, reuse: (b) => (b.kind === 'message' ? 0.9 : 1) });
    // More candidates than slots (tail, lookback, stable prefix, two tiers): exactly four, by priority.
    assert.deepEqual(reasons(p.breakpoints), ['stable-tier', 'lookback', 'stable-prefix', 'conversation']);
    const marked = JSON.stringify(p.content).split('cache_control').length - 1;
    assert.equal(marked, p.breakpoints.length);

    const callerThree = request({ system: 3000, messages: conversation(3) });
    (callerThree.messages as Msg[])[0] = { role: 'user', content: [{ type: 'text', text: 'q', cache_control: { type: 'ephemeral' } }] };
    (callerThree.messages as Msg[])[1] = { role: 'assistant', content: [{ type: 'text', text: 'a', cache_control: { type: 'ephemeral' } }] };
    (callerThree.messages as Msg[])[2] = { role: 'user', content: [{ type: 'text', text: 'b', cache_control: { type: 'ephemeral' } }] };
    const p3 = planAnthropicCache(callerThree);
    assert.equal(p3.existing, 3);
    assert.equal(p3.breakpoints.length, 1);

    const callerFour = structuredClone(callerThree);
    (callerFour.messages as Msg[])[3] = { role: 'assistant', content: [{ type: 'text', text: 'c', cache_control: { type: 'ephemeral' } }] };
    const p4 = planAnthropicCache(callerFour);
    assert.equal(p4.changed, false);
    assert.equal(p4.content, callerFour, 'unchanged: the very same object');
  });

  it('keeps the caller’s cache_control and never places a 5m breakpoint before a caller’s 1h one', () => {
    const r = request({ tools: 1500, system: 3000, messages: conversation(2) });
    r.system = [{ type: 'text', text: r.system, cache_control: { type: 'ephemeral', ttl: '1h' } }];
    const plan = planAnthropicCache(r);
    const out = plan.content as { system: Array<Record<string, unknown>>; tools: Array<Record<string, unknown>> };
    assert.deepEqual(out.system[0]!.cache_control, { type: 'ephemeral', ttl: '1h' });
    assert.equal(out.tools[0]!.cache_control, undefined, 'the tools come before the 1h breakpoint');
    assert.deepEqual(reasons(plan.breakpoints), ['conversation']);
    // The simulator (which enforces the TTL order) accepts the result.
    new AnthropicCacheSimulator().process(plan.content, 0);
  });

  it('follows learned stability: deepest stable boundary, nothing below the price break-even', () => {
    const fewShot: Msg[] = [
      { role: 'user', content: 'Example: ' + text(800, 'e') },
      { role: 'assistant', content: 'Answer: ' + text(800, 'f') },
    ];
    const r = request({ tools: 500, system: 1000, messages: [...fewShot, ...conversation(1)] });
    const stable = planAnthropicCache(r, { reuse: (b) => (b.kind === 'message' && b.message >= 2 ? 0.05 : 0.95), continueProbability: 0.9 });
    assert.deepEqual(reasons(stable.breakpoints), ['stable-prefix', 'conversation']);
    assert.deepEqual(stable.breakpoints[0]!.path, ['messages', 1, 'content']);
    // Nothing is reused across runs: no cross-run breakpoint; no next call either: nothing at all.
    const none = planAnthropicCache(r, { reuse: () => 0.1, continueProbability: 0.1 });
    assert.equal(none.changed, false);
    // The last call of a run: the stable prefix is the only write.
    const last = planAnthropicCache(r, { reuse: () => 1, continueProbability: 0.1 });
    assert.deepEqual(reasons(last.breakpoints), ['stable-prefix']);
  });

  it('adds a breakpoint at the previous write when the tail is 20 or more blocks past it', () => {
    const near = request({ system: 3000, messages: conversation(6) });
    const nearLayout = anthropicLayout(near);
    const prevNear = nearLayout.blocks[nearLayout.blocks.length - 5]!.prefixHash;
    assert.ok(!reasons(planAnthropicCache(near, { isCached: (h) => h === prevNear }).breakpoints).includes('lookback'));
    const far = request({ system: 3000, messages: conversation(16) });
    const farLayout = anthropicLayout(far);
    const prevIdx = farLayout.blocks.length - 25;
    const prevFar = farLayout.blocks[prevIdx]!.prefixHash;
    const plan = planAnthropicCache(far, { isCached: (h) => h === prevFar });
    const lb = plan.breakpoints.find((b) => b.reason === 'lookback');
    assert.ok(lb);
    assert.equal(lb.block, prevIdx);
  });

  it('saves most of the input cost of a growing conversation in the simulator', () => {
    const sim = new AnthropicCacheSimulator();
    let none = 0;
    let ours = 0;
    for (let turn = 0; turn < 8; turn++) {
      const r = request({ tools: 1500, system: 3000, messages: conversation(turn) });
      none += anthropicLayout(r).totalTokens;
      ours += sim.process(planAnthropicCache(r).content, turn * 20_000).cost;
    }
    assert.ok(ours < none * 0.5, `ours ${ours} vs none ${none}`);
  });
});
