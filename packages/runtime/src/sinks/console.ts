/**
 * A development view of the lifecycle stream: a live, indented tree of scopes, tool and LLM
 * calls with durations, errors (red) and token counts. Colors only on a TTY, never with NO_COLOR.
 */
import type { Writable } from 'node:stream';
import type { EventExporter } from '../subscribers.js';
import type { LifecycleEvent, ScopeEvent } from '../types.js';
import { eventTimeMicros } from '../events.js';
import { stringifySafe } from '../payload.js';
import { checkOptions, describeValue } from '../errors.js';
import { registerDiagnosticsSource } from '../diagnostics.js';

export interface ConsoleExporterOptions {
  /** Where to write (default `process.stdout`). */
  stream?: Writable & { isTTY?: boolean };
  /** Force colors on or off (default: on for a TTY unless `NO_COLOR` is set). */
  color?: boolean;
  /** Print payloads of marks and tool results, cut to this many characters (default 80; 0 hides them). */
  payloadChars?: number;
  /** Print one summary line when each root run ends: duration, calls, errors, tokens, cost (default true). */
  summary?: boolean;
}

/** Totals of one root run, for its summary line. */
interface RunTotals {
  root: string;
  llm: number;
  tools: number;
  errors: number;
  input: number;
  output: number;
  cached: number;
  cost: number;
  unpriced: Set<string>;
}

const ICON = { start: '▶', ok: '✔', error: '✖', mark: '•' } as const;

function usageOf(e: ScopeEvent): { input?: number; output?: number } | undefined {
  const prof = e.category_profile as { annotated_response?: { usage?: { input_tokens?: number; output_tokens?: number } } } | null;
  const u = prof?.annotated_response?.usage;
  if (u) return { input: u.input_tokens, output: u.output_tokens };
  const raw = (e.data as { usage?: Record<string, unknown> } | null)?.usage;
  if (!raw || typeof raw !== 'object') return undefined;
  const n = (k: string): number | undefined => (typeof raw[k] === 'number' ? (raw[k] as number) : undefined);
  return { input: n('prompt_tokens') ?? n('input_tokens'), output: n('completion_tokens') ?? n('output_tokens') };
}

function costOf(e: ScopeEvent): { usd: number; priced: boolean } | undefined {
  const c = (e.category_profile as { cost?: { total_usd?: unknown; priced?: unknown } } | null)?.cost;
  return c && typeof c.total_usd === 'number' ? { usd: c.total_usd, priced: c.priced !== false } : undefined;
}

function formatUsd(usd: number): string {
  return usd === 0 ? '$0' : usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

function formatDuration(us: number): string {
  if (us < 1000) return `${us}µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(1)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
}

/** Prints the event stream as a tree. Register it with `registerSubscriber('console', new ConsoleExporter())`. */
export class ConsoleExporter implements EventExporter {
  readonly #out: Writable;
  readonly #color: boolean;
  readonly #payloadChars: number;
  /** uuid → depth of open scopes and calls, for indentation. */
  readonly #depth = new Map<string, number>();
  /** uuid → start time (µs) of open scopes and calls, for durations. */
  #starts: Map<string, number> | undefined;
  readonly #summary: boolean;
  /** uuid of an open scope or call → the totals of the root run it belongs to. */
  readonly #runOf = new Map<string, RunTotals>();
  #lines = 0;
  readonly #removeDiagnostics: () => void;

  constructor(options: ConsoleExporterOptions = {}) {
    checkOptions(options, 'ConsoleExporter');
    options ??= {};
    if (options.stream !== undefined && (options.stream === null || typeof (options.stream as { write?: unknown }).write !== 'function')) {
      throw new TypeError(`ConsoleExporter: stream must be a writable stream, got ${describeValue(options.stream)}`);
    }
    if (options.color !== undefined && typeof options.color !== 'boolean')
      throw new TypeError(`ConsoleExporter: color must be a boolean, got ${describeValue(options.color)}`);
    if (options.payloadChars !== undefined && !(Number.isInteger(options.payloadChars) && options.payloadChars >= 0)) {
      throw new TypeError(`ConsoleExporter: payloadChars must be a non-negative integer, got ${describeValue(options.payloadChars)}`);
    }
    const out = options.stream ?? process.stdout;
    this.#out = out;
    this.#color = options.color ?? (Boolean(out.isTTY) && !process.env.NO_COLOR);
    this.#payloadChars = options.payloadChars ?? 80;
    if (options.summary !== undefined && typeof options.summary !== 'boolean')
      throw new TypeError(`ConsoleExporter: summary must be a boolean, got ${describeValue(options.summary)}`);
    this.#summary = options.summary ?? true;
    const endpoint = out === process.stdout ? 'stdout' : out === process.stderr ? 'stderr' : 'stream';
    this.#removeDiagnostics = registerDiagnosticsSource('console', () => ({ endpoint, exported: this.#lines, openScopes: this.#depth.size }));
  }

  #paint(code: number, s: string): string {
    return this.#color ? `\x1b[${code}m${s}\x1b[0m` : s;
  }

  #preview(value: unknown): string {
    if (this.#payloadChars <= 0 || value === null || value === undefined) return '';
    const s = typeof value === 'string' ? value : stringifySafe(value);
    return ' ' + this.#paint(90, s.length > this.#payloadChars ? s.slice(0, this.#payloadChars - 1) + '…' : s);
  }

  onEvent(e: LifecycleEvent): void {
    const parentDepth = e.parent_uuid ? this.#depth.get(e.parent_uuid) : undefined;
    const depth = parentDepth === undefined ? 0 : parentDepth + 1;
    const pad = '  '.repeat(depth);
    const summary = this.#summary && e.kind === 'scope' ? this.#count(e, parentDepth === undefined) : undefined;
    this.#print(e, pad, depth);
    if (summary !== undefined) this.#write(summary);
  }

  #print(e: LifecycleEvent, pad: string, depth: number): void {
    if (e.kind === 'mark') {
      this.#write(`${pad}${this.#paint(36, ICON.mark)} ${e.name}${this.#preview(e.data)}`);
      return;
    }
    const label = `${this.#paint(2, e.category)} ${this.#paint(1, e.name)}`;
    if (e.scope_category === 'start') {
      this.#depth.set(e.uuid, depth);
      (this.#starts ??= new Map()).set(e.uuid, eventTimeMicros(e));
      this.#write(`${pad}${this.#paint(34, ICON.start)} ${label}`);
      return;
    }
    const ownDepth = this.#depth.get(e.uuid) ?? depth;
    this.#depth.delete(e.uuid);
    const started = this.#starts?.get(e.uuid);
    this.#starts?.delete(e.uuid);
    const dur = started === undefined ? '' : ' ' + this.#paint(33, formatDuration(eventTimeMicros(e) - started));
    const indent = '  '.repeat(ownDepth);
    if (e.status === 'error') {
      const err = e.error ? `${e.error.type}: ${e.error.message}` : 'error';
      this.#write(`${indent}${this.#paint(31, ICON.error)} ${label}${dur} ${this.#paint(31, err)}`);
      return;
    }
    let extra = '';
    if (e.category === 'llm') {
      const u = usageOf(e);
      if (u && (u.input !== undefined || u.output !== undefined)) extra = ' ' + this.#paint(35, `tokens ${u.input ?? '?'}→${u.output ?? '?'}`);
    } else if (e.category === 'tool') {
      extra = this.#preview(e.data);
    }
    this.#write(`${indent}${this.#paint(32, ICON.ok)} ${label}${dur}${extra}`);
  }

  /** Adds a scope event to its root run's totals; prints the summary when the root ends. */
  #count(e: ScopeEvent, isRoot: boolean): string | undefined {
    if (e.scope_category === 'start') {
      const run = isRoot ? undefined : this.#runOf.get(e.parent_uuid ?? '');
      this.#runOf.set(e.uuid, run ?? { root: e.uuid, llm: 0, tools: 0, errors: 0, input: 0, output: 0, cached: 0, cost: 0, unpriced: new Set() });
      return undefined;
    }
    const run = this.#runOf.get(e.uuid);
    if (!run) return undefined;
    this.#runOf.delete(e.uuid);
    if (e.status === 'error') run.errors++;
    if (e.category === 'tool') run.tools++;
    if (e.category === 'llm') {
      run.llm++;
      const u = (
        e.category_profile as { annotated_response?: { usage?: { input_tokens?: number; output_tokens?: number; cache_read_tokens?: number } } } | null
      )?.annotated_response?.usage;
      run.input += u?.input_tokens ?? 0;
      run.output += u?.output_tokens ?? 0;
      run.cached += u?.cache_read_tokens ?? 0;
      const c = costOf(e);
      if (c?.priced) run.cost += c.usd;
      else if (c) run.unpriced.add(String((e.category_profile as { model_name?: unknown }).model_name ?? 'unknown'));
    }
    const started = this.#starts?.get(e.uuid);
    if (run.root !== e.uuid) return undefined;
    const parts = [
      started === undefined ? undefined : formatDuration(eventTimeMicros(e) - started),
      plural(run.llm, 'LLM call'),
      plural(run.tools, 'tool call'),
      this.#paint(run.errors > 0 ? 31 : 2, plural(run.errors, 'error')),
      `tokens ${run.input} in / ${run.output} out / ${run.cached} cached`,
      formatUsd(run.cost) + (run.unpriced.size > 0 ? ` (no price for ${[...run.unpriced].join(', ')})` : ''),
    ].filter((p) => p !== undefined);
    const icon = e.status === 'error' ? this.#paint(31, '■') : this.#paint(32, '■');
    return `${icon} ${this.#paint(1, `${e.category} ${e.name}`)} ${e.status === 'error' ? 'failed' : 'done'} · ${parts.join(' · ')}`;
  }

  #write(line: string): void {
    this.#lines++;
    this.#out.write(line + '\n');
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.#removeDiagnostics();
    this.#depth.clear();
    this.#starts?.clear();
    this.#runOf.clear();
  }
}
