/**
 * Subscriber registry and event dispatch. Dispatch is synchronous, in registration order; a
 * subscriber's failure (throw or rejection) is contained, reported once and counted.
 */
import type { LifecycleEvent, Subscriber } from './types.js';
import type { ScopeHandle } from './scope.js';
import { newScopeLocal } from './scope-local.js';
import { reportFailure } from './report.js';
import { LifecycleError, callLabel, checkName, checkOptions, describeValue } from './errors.js';
import { checkScope } from './scope.js';

/**
 * Something that consumes the lifecycle stream and buffers work (exporters). `onEvent` must be
 * fast and synchronous; `forceFlush` is awaited by `flushSubscribers()`, which passes the time
 * left (`timeoutMillis`) and reads `deliveryStats()` for its report.
 */
export interface EventExporter {
  onEvent(event: LifecycleEvent): void;
  forceFlush(options?: { timeoutMillis?: number }): Promise<void>;
  shutdown(): Promise<void>;
  /** What this exporter has delivered and lost since it started (optional: read by `flushSubscribers()`). */
  deliveryStats?(): DeliveryStats | undefined;
}

/** Counts of an exporter's items (spans, events, trajectories) since it started. */
export interface DeliveryStats {
  /** Reached their destination (backend accepted, file written). */
  delivered: number;
  /** Given up for good (dropped, failed after retries, abandoned at shutdown); each loss is also reported. */
  lost: number;
  /** Neither yet: queued or in flight. */
  pending: number;
}

/** What `flushSubscribers()` found, per exporter (by subscriber name) and in total. */
export interface FlushReport {
  /**
   * Every exporter finished flushing in time and holds nothing more: each item was delivered or
   * lost (see `lost`). False when the timeout cut the wait short.
   */
  settled: boolean;
  /** Sums over the exporters that count (`deliveryStats()`). */
  delivered: number;
  lost: number;
  pending: number;
  exporters: Record<string, { flushed: boolean } & Partial<DeliveryStats>>;
}

/** @internal */
export interface SubscriberEntry {
  name: string;
  fn: Subscriber;
  exporter: EventExporter | undefined;
  /** Where failures are reported from. */
  source: string;
  /** Registration order: a dispatch delivers only to entries registered before it began. */
  seq: number;
  /** Set on deregistration: the entry gets nothing more, and flushes stop waiting for it. */
  removed: boolean;
  /** Events handed to it (for `diagnostics()`: one increment per delivery). */
  delivered: number;
  /** Deliveries that threw or rejected. */
  failed: number;
}

export interface SubscriberOptions {
  /** Register scope-locally: receives events of this scope (including its end) and everything inside it. */
  scope?: ScopeHandle;
}

export interface FlushOptions {
  /**
   * Longest wait, in milliseconds, for pending subscriber work, and again for the exporters'
   * `forceFlush()` (default 10,000; `Infinity` waits without bound). What has not settled by then is
   * reported and no longer awaited.
   */
  timeoutMs?: number;
}

/** Default bound of each wait of `flushSubscribers()`. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;
/**
 * Nested dispatches (a subscriber emitting an event, whose subscribers emit again, ...) past this
 * depth are dropped and reported: a feedback loop cannot exhaust the stack.
 */
export const MAX_DISPATCH_DEPTH = 32;

let globals: readonly SubscriberEntry[] = [];
/** Number of scope-local subscribers in open scopes: when 0, dispatch skips the ancestor walk. */
let localCount = 0;
/** Open scopes holding scope-local subscribers (for `diagnostics()`; removed when the scope ends). */
const localScopes = new Set<ScopeHandle>();
/** Next registration sequence number. */
let nextSeq = 0;
/** Current nesting of `dispatch`. */
let depth = 0;
/** Promises `flushSubscribers()` waits for, with the subscriber each belongs to (none: a deferred emission). */
const pending = new Map<Promise<unknown>, SubscriberEntry | undefined>();
/** Wakes waiting flushes when a subscriber is deregistered, so they stop waiting for it. */
const flushWakers = new Set<() => void>();

/** True when any subscriber could receive an event (lets callers skip building events). */
export function hasSubscribers(): boolean {
  return globals.length > 0 || localCount > 0;
}

function toEntry(name: string, subscriber: Subscriber | EventExporter, source: string, what: string): SubscriberEntry {
  const entry = (fn: Subscriber, exporter: EventExporter | undefined): SubscriberEntry => ({
    name,
    fn,
    exporter,
    source,
    seq: nextSeq++,
    removed: false,
    delivered: 0,
    failed: 0,
  });
  if (typeof subscriber === 'function') return entry(subscriber, undefined);
  if (subscriber && typeof (subscriber as EventExporter).onEvent === 'function') {
    const exp = subscriber as EventExporter;
    return entry((e) => exp.onEvent(e), exp);
  }
  throw new TypeError(`${what}: subscriber must be a function or an object with onEvent(), got ${describeValue(subscriber)}`);
}

/**
 * Registers a subscriber (a function, or an exporter with `onEvent`). A duplicate name in the same
 * registry (global, or the same scope) is an error. Registered during a dispatch, it receives
 * events from the next dispatch on (global and scope-local alike).
 */
export function registerSubscriber(name: string, subscriber: Subscriber | EventExporter, options?: SubscriberOptions): void {
  const what = callLabel('registerSubscriber', name);
  checkName(name, what);
  checkOptions(options, what);
  const scope = checkScope(options?.scope, what);
  if (scope) {
    if (!scope._open) throw new LifecycleError(`${what}: scope "${scope.name}" has already ended`);
    const local = (scope._local ??= newScopeLocal());
    if (local.subscribers.has(name)) {
      throw new LifecycleError(`registerSubscriber: a subscriber named "${name}" is already registered on scope "${scope.name}"`);
    }
    local.subscribers.set(name, toEntry(name, subscriber, `subscriber:${name}@${scope.name}`, what));
    localScopes.add(scope);
    localCount++;
    return;
  }
  if (globals.some((s) => s.name === name)) {
    throw new LifecycleError(`registerSubscriber: a subscriber named "${name}" is already registered`);
  }
  globals = [...globals, toEntry(name, subscriber, `subscriber:${name}`, what)];
}

/**
 * Removes a subscriber by name. Returns whether it existed. Takes effect at once, even during a
 * dispatch: the subscriber receives nothing more, and `flushSubscribers()` stops waiting for it.
 */
export function deregisterSubscriber(name: string, options?: SubscriberOptions): boolean {
  const what = callLabel('deregisterSubscriber', name);
  checkName(name, what);
  checkOptions(options, what);
  const scope = checkScope(options?.scope, what);
  let entry: SubscriberEntry | undefined;
  if (scope) {
    const subs = scope._local?.subscribers;
    entry = subs?.get(name);
    if (!entry) return false;
    subs!.delete(name);
    localCount--;
  } else {
    entry = globals.find((s) => s.name === name);
    if (!entry) return false;
    globals = globals.filter((s) => s !== entry);
  }
  entry.removed = true;
  for (const wake of [...flushWakers]) wake();
  return true;
}

/** @internal The global subscriber entries, in dispatch order (for `diagnostics()`). */
export function globalSubscriberEntries(): readonly SubscriberEntry[] {
  return globals;
}

/** @internal Scope-local subscriber entries of open scopes, with their scope (for `diagnostics()`). */
export function localSubscriberEntries(): { scope: ScopeHandle; entry: SubscriberEntry }[] {
  const out: { scope: ScopeHandle; entry: SubscriberEntry }[] = [];
  for (const scope of localScopes) for (const entry of scope._local?.subscribers.values() ?? []) out.push({ scope, entry });
  return out;
}

/** Names of the global subscribers, in dispatch order. */
export function listSubscribers(): string[] {
  return globals.map((s) => s.name);
}

/** @internal Called when a scope ends, after its end event was dispatched. */
export function dropScopeSubscribers(scope: ScopeHandle): void {
  const subs = scope._local?.subscribers;
  if (subs && subs.size > 0) {
    localCount -= subs.size;
    for (const entry of subs.values()) entry.removed = true;
    subs.clear();
    localScopes.delete(scope);
  }
}

function deliver(entry: SubscriberEntry, event: LifecycleEvent): void {
  entry.delivered++;
  try {
    const r = entry.fn(event) as unknown;
    if (r !== undefined && r !== null && typeof (r as PromiseLike<unknown>).then === 'function') {
      track(
        Promise.resolve(r).then(undefined, (err: unknown) => {
          entry.failed++;
          reportFailure(entry.source, `subscriber "${entry.name}" rejected`, err);
        }),
        entry,
      );
    }
  } catch (err) {
    entry.failed++;
    reportFailure(entry.source, `subscriber "${entry.name}" threw`, err);
  }
}

/**
 * @internal Delivers `event` to the global subscribers, then to the scope-local subscribers of
 * `scope` and its ancestors (innermost first). One rule for both: only subscribers registered
 * before this dispatch began, and not deregistered since, receive the event.
 */
export function dispatch(event: LifecycleEvent, scope: ScopeHandle | null): void {
  if (depth >= MAX_DISPATCH_DEPTH) {
    reportFailure(
      'dispatch-depth',
      `an event "${event.name}" was dropped: subscribers emitting events nested ${MAX_DISPATCH_DEPTH} dispatches deep (a feedback loop?)`,
      new LifecycleError('dispatch depth exceeded'),
    );
    return;
  }
  const limit = nextSeq;
  depth++;
  try {
    const g = globals;
    for (let i = 0; i < g.length; i++) {
      const entry = g[i]!;
      if (!entry.removed) deliver(entry, event);
    }
    if (localCount === 0) return;
    for (let s = scope; s; s = s.parent) {
      const subs = s._local?.subscribers;
      if (subs && subs.size > 0) {
        for (const entry of subs.values()) if (entry.seq < limit && !entry.removed) deliver(entry, event);
      }
    }
  } finally {
    depth--;
  }
}

function track(p: Promise<unknown>, entry: SubscriberEntry | undefined): void {
  pending.set(p, entry);
  void p.then(() => pending.delete(p));
}

/** @internal Lets `flushSubscribers()` wait for `p` (deferred emissions of manual calls). */
export function trackPending(p: Promise<unknown>): void {
  track(
    p.then(undefined, (err: unknown) => reportFailure('deferred-emission', 'a deferred event emission failed', err)),
    undefined,
  );
}

/** Resolves `true` when `p` settles or a subscriber is deregistered, `false` at `deadline`. */
function settleOrWake(p: Promise<unknown>, deadline: number): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (settled: boolean): void => {
      if (timer !== undefined) clearTimeout(timer);
      flushWakers.delete(wake);
      resolve(settled);
    };
    const wake = (): void => done(true);
    flushWakers.add(wake);
    // (setTimeout takes at most 2^31-1 ms; a longer wait is capped there rather than firing at once)
    if (deadline !== Infinity) timer = setTimeout(() => done(false), Math.min(2 ** 31 - 1, Math.max(0, deadline - Date.now())));
    p.then(wake, wake);
  });
}

/**
 * Waits for subscribers that work asynchronously: pending subscriber promises, then
 * `forceFlush()` of every registered exporter. The whole call is bounded by `options.timeoutMs`
 * (default 10 s): what has not settled by then is reported (naming the subscriber or exporter)
 * and no longer awaited. Deregistered subscribers are never awaited. Failures are reported, never
 * thrown. Resolves with a report of what each exporter delivered, lost, and still holds.
 */
export async function flushSubscribers(options?: FlushOptions): Promise<FlushReport> {
  checkOptions(options, 'flushSubscribers');
  const timeoutMs = options?.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`flushSubscribers: timeoutMs must be a positive number of milliseconds, got ${describeValue(timeoutMs)}`);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waiting = [...pending].filter(([, entry]) => !entry?.removed);
    if (waiting.length === 0) break;
    if (!(await settleOrWake(Promise.all(waiting.map(([p]) => p)), deadline))) {
      reportStuck(
        waiting.filter(([p, entry]) => pending.has(p) && !entry?.removed).map(([, entry]) => entry),
        timeoutMs,
      );
      break;
    }
  }
  const flushing = globals
    .filter((s) => typeof s.exporter?.forceFlush === 'function') // an object with only onEvent() has nothing to flush
    .map((s) => {
      let p: Promise<unknown>;
      try {
        p = Promise.resolve(s.exporter!.forceFlush({ timeoutMillis: Math.max(1, deadline - Date.now()) }));
      } catch (err) {
        p = Promise.reject(err);
      }
      const state = { entry: s, settled: false };
      return {
        state,
        p: p.then(undefined, (err: unknown) => reportFailure(s.source, `exporter "${s.name}" failed to flush`, err)).then(() => void (state.settled = true)),
      };
    });
  for (;;) {
    const waiting = flushing.filter((f) => !f.state.settled && !f.state.entry.removed);
    if (waiting.length === 0) break;
    if (!(await settleOrWake(Promise.all(waiting.map((f) => f.p)), deadline))) {
      for (const f of waiting) {
        if (f.state.settled || f.state.entry.removed) continue;
        reportFailure(
          `flush:${f.state.entry.name}`,
          `exporter "${f.state.entry.name}" did not finish forceFlush() within ${timeoutMs} ms; flushSubscribers() stopped waiting for it`,
          new Error('flush timed out'),
        );
      }
      break;
    }
  }
  return flushReport(flushing.map((f) => f.state));
}

function flushReport(states: readonly { entry: SubscriberEntry; settled: boolean }[]): FlushReport {
  const report: FlushReport = { settled: true, delivered: 0, lost: 0, pending: 0, exporters: {} };
  for (const { entry, settled } of states) {
    if (entry.removed) continue;
    const line: FlushReport['exporters'][string] = { flushed: settled };
    let stats: DeliveryStats | undefined;
    try {
      stats = entry.exporter?.deliveryStats?.();
    } catch (err) {
      reportFailure(entry.source, `exporter "${entry.name}" failed in deliveryStats()`, err);
    }
    if (stats) {
      line.delivered = stats.delivered;
      line.lost = stats.lost;
      line.pending = stats.pending;
      report.delivered += stats.delivered;
      report.lost += stats.lost;
      report.pending += stats.pending;
    }
    if (!settled || (stats?.pending ?? 0) > 0) report.settled = false;
    report.exporters[entry.name] = line;
  }
  return report;
}

function reportStuck(entries: (SubscriberEntry | undefined)[], timeoutMs: number): void {
  for (const entry of new Set(entries)) {
    if (entry) {
      reportFailure(
        `flush:${entry.name}`,
        `subscriber "${entry.name}" has work that did not settle within ${timeoutMs} ms; flushSubscribers() stopped waiting for it`,
        new Error('flush timed out'),
      );
    } else {
      reportFailure(
        'flush:deferred-emission',
        `an event waiting for an async sanitize guardrail did not settle within ${timeoutMs} ms; flushSubscribers() stopped waiting for it`,
        new Error('flush timed out'),
      );
    }
  }
}
