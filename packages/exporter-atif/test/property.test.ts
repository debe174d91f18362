/**
 * Property test: random event sequences (seeded, so a failure names its seed) with interleaved
 * runs, nested agents, agents inside tools, LLM calls in every provider format (raw, annotated,
 * unknown), streaming, tool calls matched by id, by name or not at all, errors, guardrail
 * rejections, marks, scopes ended out of order and runs left open. Every trajectory built from
 * them must pass validateTrajectory, and nothing that happened inside a run may go missing.
 */
import { strict as assert } from 'node:assert';
import { buildTrajectories, validateTrajectory, type AtifOutputVersion, type BuiltTrajectory } from '@nemo-flow/exporter-atif';
import { EventLog } from './events.js';

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Format = 'chat' | 'anthropic' | 'responses' | 'annotated' | 'unknown';
type Msg = Record<string, unknown>;

interface Ctx {
  uuid: string;
  kind: 'agent' | 'function' | 'tool';
  parent: Ctx | undefined;
  /** Still inside an open agent run (the builder tracks it). */
  live: boolean;
  /** An agent that started a top-level run (its parent was not tracked). */
  root?: boolean;
  children: Ctx[];
  // agent contexts only
  format?: Format;
  conv?: Msg[];
  pending?: { id: string; name: string }[];
}

interface ToolInfo {
  uuid: string;
  ctx: Ctx;
  marker: string;
  id: string | null;
  name: string;
  ended: boolean;
}

interface Expectations {
  /** Markers of tool results that must appear exactly once in an observation. */
  results: string[];
  /** In-run tools that never got a result before their run closed. */
  unfinishedTools: number;
  marks: string[];
  topLevelRuns: number;
  subagents: number;
}

function generate(seed: number): { log: EventLog; expect: Expectations } {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  const log = new EventLog(1 + Math.floor(r() * 5));
  const open: Ctx[] = [];
  const tools: ToolInfo[] = [];
  const openLlms: { uuid: string; ctx: Ctx; reply: () => { data: unknown; annotated?: unknown; calls: { id: string; name: string }[]; msgs: Msg[] } }[] = [];
  const expect: Expectations = { results: [], unfinishedTools: 0, marks: [], topLevelRuns: 0, subagents: 0 };
  let n = 0;
  const fresh = (p: string) => `${p}-${seed}-${++n}`;

  const agentOf = (c: Ctx | undefined): Ctx | undefined => {
    for (let x = c; x; x = x.parent) if (x.kind === 'agent') return x;
    return undefined;
  };
  const detach = (c: Ctx) => {
    c.live = false;
    for (const ch of c.children) if (!ch.root) detach(ch);
  };

  const startAgent = (parent: Ctx | undefined) => {
    const meta: Msg = {};
    if (chance(0.6)) meta['session_id'] = chance(0.2) ? 'shared' : chance(0.1) ? '../evil/' + fresh('s') : fresh('s');
    const uuid = log.agent(fresh('agent'), parent?.uuid ?? null, { metadata: meta, input: chance(0.5) ? { q: fresh('q') } : null });
    // An agent under a scope the builder no longer tracks starts a top-level run of its own.
    const c: Ctx = {
      uuid,
      kind: 'agent',
      parent,
      live: true,
      children: [],
      format: pick(['chat', 'anthropic', 'responses', 'annotated', 'unknown'] as const),
      conv: [],
      pending: [],
    };
    parent?.children.push(c);
    open.push(c);
    if (parent?.live) expect.subagents++;
    else {
      c.root = true;
      expect.topLevelRuns++;
    }
  };

  const userMsg = (f: Format, text: string): Msg => {
    if (f === 'anthropic') return { role: 'user', content: [{ type: 'text', text }] };
    if (f === 'responses') return { role: 'user', content: [{ type: 'input_text', text }] };
    return { role: 'user', content: text };
  };

  const toolResultMsg = (f: Format, id: string, text: string): Msg => {
    if (f === 'anthropic') return { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: text }] };
    if (f === 'responses') return { type: 'function_call_output', call_id: id, output: text };
    return { role: 'tool', tool_call_id: id, content: text };
  };

  const normalized = (m: Msg): Msg => {
    const calls = (m['tool_calls'] as { id: string; function: { name: string } }[] | undefined)?.map((c) => ({
      id: c.id,
      name: c.function.name,
      arguments: {},
    }));
    return {
      role: m['role'],
      text: typeof m['content'] === 'string' ? m['content'] : '',
      ...(calls ? { tool_calls: calls } : {}),
      ...(m['tool_call_id'] ? { tool_call_id: m['tool_call_id'] } : {}),
    };
  };

  const llmCall = (c: Ctx) => {
    const f = c.format!;
    if (chance(0.5) || c.conv!.length === 0) c.conv!.push(userMsg(f, fresh('user says')));
    let messages = c.conv!;
    if (chance(0.1))
      messages = [userMsg(f, fresh('side question'))]; // a side conversation
    else if (chance(0.1) && messages.length > 2) messages = messages.slice(Math.floor(messages.length / 2)); // sliding window
    const streaming = chance(0.3);
    const model = pick(['gpt-4o', 'claude-sonnet-4-5', 'o4-mini']);
    let uuid: string;
    if (f === 'chat')
      uuid = log.llm(c.uuid, { model, messages: [...messages], tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }, { model, streaming });
    else if (f === 'anthropic')
      uuid = log.llm(
        c.uuid,
        { model: 'claude-sonnet-4-5', max_tokens: 64, system: chance(0.5) ? 'sys' : undefined, messages: [...messages] },
        { model, streaming },
      );
    else if (f === 'responses')
      uuid = log.llm(c.uuid, { model, instructions: chance(0.5) ? 'be brief' : undefined, input: [...messages] }, { model, streaming });
    else if (f === 'annotated')
      uuid = log.llm(
        c.uuid,
        { opaque: true },
        {
          model,
          streaming,
          annotated: { provider_format: 'openai-chat', system: chance(0.3) ? 'sys' : undefined, messages: messages.map(normalized), params: {}, extra: {} },
        },
      );
    else uuid = log.llm(c.uuid, { prompt: fresh('prompt') }, { model, streaming });
    const reply = () => {
      const calls: { id: string; name: string }[] = [];
      const k = chance(0.5) ? Math.floor(r() * 4) : 0;
      for (let i = 0; i < k; i++) {
        const id = chance(0.1) && calls.length > 0 ? calls[0]!.id : chance(0.05) && c.pending!.length > 0 ? pick(c.pending!).id : fresh('call');
        calls.push({ id, name: pick(['search', 'fetch', 'calc']) });
      }
      const text = chance(0.7) ? fresh('assistant says') : '';
      const usage = chance(0.8);
      if (f === 'chat') {
        const message: Msg = { role: 'assistant', content: text || null };
        if (calls.length)
          message['tool_calls'] = calls.map((x) => ({
            id: x.id,
            type: 'function',
            function: { name: x.name, arguments: chance(0.1) ? '{broken' : '{"a":1}' },
          }));
        return {
          data: {
            object: 'chat.completion',
            model,
            choices: [{ index: 0, message, finish_reason: 'stop' }],
            ...(usage ? { usage: { prompt_tokens: 5, completion_tokens: 3 } } : {}),
          },
          calls,
          msgs: [message],
        };
      }
      if (f === 'anthropic') {
        const content: Msg[] = [];
        if (chance(0.3)) content.push({ type: 'thinking', thinking: fresh('thought'), signature: 's' });
        if (text) content.push({ type: 'text', text });
        for (const x of calls) content.push({ type: 'tool_use', id: x.id, name: x.name, input: { a: 1 } });
        return {
          data: {
            type: 'message',
            role: 'assistant',
            model,
            content,
            stop_reason: 'end_turn',
            ...(usage ? { usage: { input_tokens: 4, output_tokens: 2, cache_read_input_tokens: 1 } } : {}),
          },
          calls,
          msgs: [{ role: 'assistant', content }],
        };
      }
      if (f === 'responses') {
        const output: Msg[] = [];
        if (chance(0.3)) output.push({ type: 'reasoning', id: fresh('rs'), summary: [{ type: 'summary_text', text: fresh('why') }] });
        if (text) output.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
        for (const x of calls) output.push({ type: 'function_call', call_id: x.id, name: x.name, arguments: '{}' });
        return { data: { object: 'response', model, output, ...(usage ? { usage: { input_tokens: 3, output_tokens: 1 } } : {}) }, calls, msgs: output };
      }
      if (f === 'annotated') {
        const message: Msg = { role: 'assistant', content: text || null };
        if (calls.length) message['tool_calls'] = calls.map((x) => ({ id: x.id, type: 'function', function: { name: x.name, arguments: '{}' } }));
        return {
          data: { whatever: fresh('raw') },
          annotated: {
            provider_format: 'openai-chat',
            text,
            tool_calls: calls.map((x) => ({ id: x.id, name: x.name, arguments: { a: 1 } })),
            usage: usage ? { input_tokens: 2, output_tokens: 2 } : undefined,
          },
          calls,
          msgs: [message],
        };
      }
      return { data: { generated_text: text }, calls: [], msgs: [] };
    };
    openLlms.push({ uuid, ctx: c, reply });
  };

  const endLlm = (i: number) => {
    const [l] = openLlms.splice(i, 1);

    const roll = r();
    if (roll < 0.08) return log.llmEnd(l!.uuid, null, { status: 'error', error: { type: 'APIError', message: fresh('llm failure') } });
    if (roll < 0.12) return log.llmEnd(l!.uuid, null, { status: 'error', error: { type: 'GuardrailRejectedError', message: 'blocked', guardrail: 'g' } });
    const rep = l!.reply();
    log.llmEnd(l!.uuid, rep.data, rep.annotated !== undefined ? { annotated: rep.annotated } : {});
    l!.ctx.conv!.push(...rep.msgs);
    l!.ctx.pending!.push(...rep.calls);
  };

  const startTool = (c: Ctx) => {
    const agent = agentOf(c);
    let id: string | null;
    let name: string;
    const roll = r();
    if (agent && agent.pending!.length > 0 && roll < 0.5) {
      const p = pick(agent.pending!);
      name = p.name;
      id = chance(0.8) ? p.id : null;
      agent.pending = agent.pending!.filter((x) => x !== p);
    } else if (roll < 0.75) {
      name = pick(['search', 'notify']);
      id = null;
    } else {
      name = 'adhoc';
      id = fresh('own');
    }
    const marker = fresh('result');
    const uuid = log.tool(c.uuid, name, chance(0.5) ? { arg: fresh('a') } : fresh('raw-arg'), id);
    const ctx: Ctx = { uuid, kind: 'tool', parent: c, live: c.live, children: [] };
    c.children.push(ctx);
    open.push(ctx);
    tools.push({ uuid, ctx, marker, id, name, ended: false });
  };

  const endTool = (t: ToolInfo) => {
    t.ended = true;
    open.splice(open.indexOf(t.ctx), 1);
    const roll = r();
    if (roll < 0.1) log.end(t.uuid, null, { status: 'error', error: { type: 'Error', message: t.marker } });
    else if (roll < 0.15) log.end(t.uuid, null, { status: 'error', error: { type: 'GuardrailRejectedError', message: t.marker, guardrail: 'tool-guard' } });
    else log.end(t.uuid, t.marker);
    if (t.ctx.live) expect.results.push(t.marker);
    t.ctx.live = false;
    const agent = agentOf(t.ctx.parent);
    if (agent && t.id !== null && chance(0.7)) agent.conv!.push(toolResultMsg(agent.format!, t.id, `echo of ${t.marker}`));
  };

  const endScope = (c: Ctx) => {
    open.splice(open.indexOf(c), 1);
    const err = chance(0.1);
    log.end(c.uuid, chance(0.5) ? { out: fresh('o') } : null, err ? { status: 'error', error: { type: 'Error', message: fresh('scope failure') } } : {});
    // Whatever is still open below an ended agent is outside any run from now on.
    if (c.kind === 'agent') detach(c);
  };

  startAgent(undefined);
  const steps = 60 + Math.floor(r() * 200);
  for (let i = 0; i < steps; i++) {
    const holders = open.filter((c) => c.kind !== 'tool' || chance(0.3));
    const c = holders.length ? pick(holders) : undefined;
    const roll = r();
    if (!c || roll < 0.05) startAgent(undefined);
    else if (roll < 0.1) startAgent(chance(0.3) ? c : (agentOf(c) ?? c));
    else if (roll < 0.14) {
      const fn: Ctx = { uuid: log.start('function', fresh('fn'), c.uuid), kind: 'function', parent: c, live: c.live, children: [] };
      c.children.push(fn);
      open.push(fn);
    } else if (roll < 0.38) {
      const a = agentOf(c);
      if (a) llmCall(a);
    } else if (roll < 0.55 && openLlms.length) endLlm(Math.floor(r() * openLlms.length));
    else if (roll < 0.7) startTool(c);
    else if (roll < 0.82) {
      const running = tools.filter((t) => !t.ended);
      if (running.length) endTool(pick(running));
    } else if (roll < 0.88) {
      const name = fresh('mark');
      log.mark(c.uuid, name, chance(0.5) ? { v: fresh('d') } : null);
      if (c.live) expect.marks.push(name);
    } else if (roll < 0.9) {
      log.end(log.tool(fresh('nowhere'), 'orphan', {}, null), 'outside'); // parent unknown: outside any run
    } else {
      const closable = open.filter((x) => x.kind !== 'tool');
      if (closable.length) endScope(pick(closable));
    }
  }
  // Leave about half of what is open as it is (closed as partial); end the rest innermost first.
  for (const x of [...open].reverse()) {
    if (chance(0.5)) continue;
    if (x.kind === 'tool') endTool(tools.find((t) => t.ctx === x)!);
    else if (open.includes(x)) endScope(x);
  }
  expect.unfinishedTools = tools.filter((t) => !t.ended && t.ctx.live).length;
  // Tools that ended after their run had been closed also show as "No result".
  return { log, expect };
}

function contents(built: BuiltTrajectory[]): string[] {
  const out: string[] = [];
  const walk = (t: BuiltTrajectory['trajectory']) => {
    for (const s of t.steps) for (const res of s.observation?.results ?? []) if (typeof res.content === 'string') out.push(res.content);
    for (const sub of t.subagent_trajectories ?? []) walk(sub);
  };
  for (const b of built) walk(b.trajectory);
  return out;
}

function messages(built: BuiltTrajectory[]): string[] {
  const out: string[] = [];
  const walk = (t: BuiltTrajectory['trajectory']) => {
    for (const s of t.steps) if (typeof s.message === 'string') out.push(s.message);
    for (const sub of t.subagent_trajectories ?? []) walk(sub);
  };
  for (const b of built) walk(b.trajectory);
  return out;
}

const SEEDS = Number(process.env['ATIF_PROPERTY_SEEDS'] ?? 150);

describe('property: random event sequences always give valid trajectories', () => {
  for (const version of ['ATIF-v1.6', 'ATIF-v1.7'] as AtifOutputVersion[]) {
    it(`${SEEDS} seeds, ${version}`, function () {
      this.timeout(60_000);
      let steps = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const { log, expect } = generate(seed);
        const built = buildTrajectories(log.events, { schemaVersion: version });
        const where = `seed ${seed} (${version})`;
        for (const b of built) {
          assert.deepEqual(b.violations, [], `${where}: builder found violations in ${b.fileName}`);
          assert.deepEqual(validateTrajectory(b.trajectory), [], `${where}: ${b.fileName} is invalid`);
          steps += b.trajectory.steps.length;
        }
        assert.equal(built.length, expect.topLevelRuns + (version === 'ATIF-v1.6' ? expect.subagents : 0), `${where}: trajectory count`);
        assert.equal(new Set(built.map((b) => b.fileName)).size, built.length, `${where}: file names are unique`);

        // Nothing inside a run goes missing: every tool result once, every mark once.
        const all = contents(built);
        const counts = new Map<string, number>();
        for (const c of all) {
          const m = /result-\d+-\d+/.exec(c);
          if (m && !c.startsWith('echo of')) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
        }
        for (const marker of expect.results) assert.equal(counts.get(marker), 1, `${where}: tool result ${marker} appears ${counts.get(marker) ?? 0} times`);
        const noResult = all.filter((c) => c.startsWith('No result')).length;
        assert.ok(noResult >= expect.unfinishedTools, `${where}: unfinished tools ${expect.unfinishedTools}, "No result" ${noResult}`);
        const msgs = new Set(messages(built));
        for (const m of expect.marks) assert.ok(msgs.has(m), `${where}: mark ${m} missing`);

        // v1.6 references name files that exist, with matching session ids.
        if (version === 'ATIF-v1.6') {
          const byFile = new Map(built.map((b) => [b.fileName, b.trajectory]));
          for (const b of built)
            for (const s of b.trajectory.steps)
              for (const res of s.observation?.results ?? [])
                for (const ref of res.subagent_trajectory_ref ?? [])
                  assert.equal(byFile.get(ref.trajectory_path!)?.session_id, ref.session_id, `${where}: dangling ref`);
        }
      }
      assert.ok(steps > SEEDS * 10, 'the generator produces substantial trajectories');
    });
  }

  it('the generator covers every feature it claims to', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const { log } = generate(seed);
      for (const e of log.events) {
        if (e.kind === 'mark') seen.add('mark');
        else {
          seen.add(`${e.category}:${e.scope_category}`);
          if (e.attributes.includes('streaming')) seen.add('streaming');
          if (e.status === 'error') seen.add(e.error?.guardrail ? `guardrail:${e.category}` : `error:${e.category}`);
        }
      }
      const built = buildTrajectories(log.events);
      if (built.some((b) => b.partial)) seen.add('partial');
      if (built.some((b) => b.trajectory.extra?.['parent'])) seen.add('subagent');
    }
    for (const f of [
      'mark',
      'agent:start',
      'function:end',
      'llm:end',
      'tool:end',
      'streaming',
      'error:tool',
      'error:llm',
      'error:agent',
      'guardrail:tool',
      'guardrail:llm',
      'partial',
      'subagent',
    ])
      assert.ok(seen.has(f), `feature ${f} never generated`);
  });
});
