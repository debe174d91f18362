/**
 * @nemo-flow/runtime/diagnostics — one JSON-compatible snapshot of what the runtime is doing:
 * middleware, subscribers with delivery counts, open scopes and calls, failures by source, and
 * the state exporters publish with `registerDiagnosticsSource`. Answers "why don't I see my spans?".
 *
 * A sub-path rather than the root: the root export budget is spent on the application API, and
 * diagnostics are read by operators and tools (`nemo-flow doctor`), not by instrumented code.
 *
 * @module @nemo-flow/runtime/diagnostics
 */
import type { Json } from './types.js';
import { errorText, checkFunction, checkName, describeValue } from './errors.js';
import { failureCounts, reportFailure } from './report.js';
import { listMiddleware } from './middleware/registry.js';
import type { MiddlewareRegistration } from './middleware/types.js';
import { globalSubscriberEntries, localSubscriberEntries, type SubscriberEntry } from './subscribers.js';
import { type ScopeHandle, type ScopeStack, currentScopeStack, defaultScopeStack } from './scope.js';
import { openCalls } from './open-calls.js';
import { interceptSkips } from './middleware/skips.js';

/** What an exporter publishes about itself. Every field is optional; add your own (JSON values). */
export interface ExporterState {
  /** Where it sends or writes (URL or file path). */
  endpoint?: string;
  /** Items waiting to be sent or written. */
  queued?: number;
  /** Items delivered. */
  exported?: number;
  /** Items lost. */
  dropped?: number;
  /** Text of the last export error, if the last export failed (`null`: none since the last success). */
  lastError?: string | null;
  /** ISO time of the last successful export (`null`: none yet). */
  lastSuccessAt?: string | null;
  /** Set by `diagnostics()` instead of the state when reading it failed. */
  error?: string;
  [key: string]: Json | undefined;
}

/** A scope reference in a snapshot. */
export interface ScopeRef {
  name: string;
  uuid: string;
  type: string;
}

export interface SubscriberDiagnostics {
  name: string;
  /** `null` for a global subscriber. */
  scope: ScopeRef | null;
  /** True when it is an exporter (an object with `onEvent`). */
  exporter: boolean;
  /** Events handed to it. */
  delivered: number;
  /** Deliveries that threw or rejected. */
  failed: number;
}

export interface StackDiagnostics {
  /** `current` (the calling context's stack) or `default` (the process-wide stack outside any request). */
  stack: 'current' | 'default';
  /** Scopes pushed and not popped on this stack, outermost first. */
  openScopes: ScopeRef[];
  /** Tool and LLM calls (and streams) open under this stack's scopes, with the scope they run under: the first `MAX_LISTED_CALLS`. */
  openCalls: (ScopeRef & { parent: string })[];
  /** How many calls are open there (a snapshot of 10,000 concurrent runs stays small). */
  openCallCount: number;
}

/** Open calls listed per stack; the rest are counted. */
export const MAX_LISTED_CALLS = 100;

export interface Diagnostics {
  /** ISO time of the snapshot. */
  at: string;
  /** Registered middleware by family, in execution order for a call on the root (global first, then scope-local). */
  middleware: Record<string, Omit<MiddlewareRegistration, 'family'>[]>;
  subscribers: SubscriberDiagnostics[];
  stacks: StackDiagnostics[];
  /** Failures by source (as counted by the runtime's failure reporting), with the first error's text. */
  failures: { source: string; count: number; message: string; error: string }[];
  /** Execution intercepts that returned without calling the original (`next`), by name. */
  interceptsSkippingNext: Record<string, number>;
  /** State published by each exporter, by source name. */
  exporters: Record<string, ExporterState>;
}

const sources = new Map<string, () => ExporterState>();

/**
 * Publishes an exporter's state under `name` in `diagnostics().exporters`. `read` is called only
 * when a snapshot is taken. Returns a function that removes it (call it on shutdown). A second
 * registration under the same name replaces the first.
 */
export function registerDiagnosticsSource(name: string, read: () => ExporterState): () => void {
  checkName(name, 'registerDiagnosticsSource');
  checkFunction(read, 'registerDiagnosticsSource', 'read');
  sources.set(name, read);
  return () => {
    if (sources.get(name) === read) sources.delete(name);
  };
}

function scopeRef(s: ScopeHandle): ScopeRef {
  return { name: s.name, uuid: s.uuid, type: String(s.scopeType) };
}

function stackState(stack: ScopeStack, label: StackDiagnostics['stack']): StackDiagnostics {
  const frames = stack._frames ?? [];
  const holders: ScopeHandle[] = [];
  for (let s: ScopeHandle | null = stack._base; s; s = s.parent) holders.unshift(s);
  holders.push(...frames);
  const calls: StackDiagnostics['openCalls'] = [];
  let count = 0;
  for (const h of holders) {
    for (const c of openCalls(h)) if (count++ < MAX_LISTED_CALLS) calls.push({ ...scopeRef(c), parent: h.name });
  }
  return { stack: label, openScopes: frames.filter((f) => f._open).map(scopeRef), openCalls: calls, openCallCount: count };
}

function subscriberRow(entry: SubscriberEntry, scope: ScopeHandle | null): SubscriberDiagnostics {
  return { name: entry.name, scope: scope ? scopeRef(scope) : null, exporter: entry.exporter !== undefined, delivered: entry.delivered, failed: entry.failed };
}

/** Makes a published value JSON-compatible (an exporter could publish anything). */
function jsonState(value: unknown): ExporterState {
  try {
    const text = JSON.stringify(value);
    if (text === undefined || !text.startsWith('{')) return { error: `state is not an object: ${describeValue(value)}` };
    return JSON.parse(text) as ExporterState;
  } catch (err) {
    return { error: errorText(err) };
  }
}

/**
 * A snapshot of the runtime as one JSON-compatible object (`JSON.stringify` it as is). Taking it
 * costs a walk over the registries; nothing is recorded for it on the hot path beyond one counter
 * per subscriber delivery.
 */
export function diagnostics(): Diagnostics {
  const middleware: Diagnostics['middleware'] = {};
  for (const r of listMiddleware()) {
    (middleware[r.family] ??= []).push({ name: r.name, priority: r.priority, breakChain: r.breakChain, scope: r.scope });
  }
  const subscribers = globalSubscriberEntries()
    .filter((e) => !e.removed)
    .map((e) => subscriberRow(e, null));
  for (const { scope, entry } of localSubscriberEntries()) subscribers.push(subscriberRow(entry, scope));
  const current = currentScopeStack();
  const stacks = [stackState(current, 'current')];
  if (current !== defaultScopeStack()) stacks.push(stackState(defaultScopeStack(), 'default'));
  const exporters: Diagnostics['exporters'] = {};
  for (const [name, read] of sources) {
    try {
      exporters[name] = jsonState(read());
    } catch (err) {
      reportFailure(`diagnostics:${name}`, `diagnostics source "${name}" threw`, err);
      exporters[name] = { error: errorText(err) };
    }
  }
  return {
    at: new Date().toISOString(),
    middleware,
    subscribers,
    stacks,
    failures: failureCounts().map((f) => ({ source: f.source, count: f.count, message: f.message, error: errorText(f.firstError) })),
    interceptsSkippingNext: interceptSkips(),
    exporters,
  };
}
