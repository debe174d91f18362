/**
 * The recorded workload format of the adaptive benchmark, and how a recorded call becomes the
 * provider request it sent. Runs are stored once (their final conversation); each call names how
 * many messages of it the request carried, so growing conversations cost no duplication.
 */
import { readFileSync } from 'node:fs';
import { canonicalJson } from '../../packages/adaptive/src/hash.js';

export type Provider = 'anthropic' | 'openai';

export interface AgentSpec {
  model: string;
  /** Anthropic: the system prompt (string or text blocks, without the per-run session block). OpenAI: the system message text. */
  system: string;
  /** Appends a per-run session block after the fixed system prompt. */
  session_system: boolean;
  tools: unknown[];
  /** Fixed leading messages (few-shot examples), in the provider's format. */
  preamble: unknown[];
}

export interface RecordedCall {
  start_ms: number;
  end_ms: number;
  /** Messages of the run's conversation the request carried. */
  messages: number;
  output_tokens: number;
  stop: 'tool_use' | 'end_turn';
}

export interface RecordedTool {
  name: string;
  id: string;
  start_ms: number;
  end_ms: number;
  ok: boolean;
}

export interface RecordedRun {
  id: string;
  agent: string;
  start_ms: number;
  end_ms: number;
  /** Per-run system text (session id, user, date) for agents with `session_system`. */
  session: string | null;
  messages: unknown[];
  calls: RecordedCall[];
  tools: RecordedTool[];
}

export interface Workload {
  format: 'nemo-flow.adaptive-workload';
  version: 1;
  provider: Provider;
  seed: number;
  token_estimate: 'chars/4';
  agents: Record<string, AgentSpec>;
  runs: RecordedRun[];
}

export function loadWorkload(path: string): Workload {
  const w = JSON.parse(readFileSync(path, 'utf8')) as Workload;
  if (w.format !== 'nemo-flow.adaptive-workload' || w.version !== 1) throw new Error(`${path}: not an adaptive workload`);
  return w;
}

/** The provider payload of call `i` of `run`. */
export function requestOf(w: Workload, run: RecordedRun, i: number): Record<string, unknown> {
  const agent = w.agents[run.agent]!;
  const call = run.calls[i]!;
  const convo = run.messages.slice(0, call.messages);
  if (w.provider === 'anthropic') {
    const system = agent.session_system
      ? [
          { type: 'text', text: agent.system },
          { type: 'text', text: run.session! },
        ]
      : agent.system;
    return { model: agent.model, max_tokens: 2048, system, tools: agent.tools, messages: [...agent.preamble, ...convo] };
  }
  const sys: unknown[] = [{ role: 'system', content: agent.system }];
  if (agent.session_system) sys.push({ role: 'system', content: run.session });
  return { model: agent.model, max_tokens: 2048, tools: agent.tools, messages: [...sys, ...agent.preamble, ...convo] };
}

/** A provider response for call `i` (text and stop reason as recorded; usage filled in by the caller). */
export function responseOf(w: Workload, run: RecordedRun, i: number, usage: Record<string, number>): Record<string, unknown> {
  const call = run.calls[i]!;
  const agent = w.agents[run.agent]!;
  if (w.provider === 'anthropic') {
    return {
      id: `${run.id}-${i}`,
      type: 'message',
      role: 'assistant',
      model: agent.model,
      content: [{ type: 'text', text: 'ok' }],
      stop_reason: call.stop,
      usage,
    };
  }
  return {
    id: `${run.id}-${i}`,
    object: 'chat.completion',
    model: agent.model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: call.stop === 'tool_use' ? 'tool_calls' : 'stop' }],
    usage,
  };
}

function stripMarks(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripMarks);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'cache_control') out[k] = stripMarks(x);
    return out;
  }
  return v;
}

const asBlocks = (v: unknown): unknown => (typeof v === 'string' ? [{ type: 'text', text: v }] : v);

/**
 * True when two payloads carry the same prompt: equal once `cache_control` annotations are removed
 * and a bare string system prompt or message content is read as one text block (the only shape
 * change a breakpoint may need).
 */
export function sameContent(a: unknown, b: unknown): boolean {
  const norm = (x: unknown): unknown => {
    const c = stripMarks(x) as Record<string, unknown>;
    if (!c || typeof c !== 'object') return c;
    const out: Record<string, unknown> = { ...c };
    if ('system' in out) out.system = asBlocks(out.system);
    if (Array.isArray(out.messages))
      out.messages = out.messages.map((m) => (m && typeof m === 'object' ? { ...(m as object), content: asBlocks((m as { content?: unknown }).content) } : m));
    return out;
  };
  return canonicalJson(norm(a)) === canonicalJson(norm(b));
}
