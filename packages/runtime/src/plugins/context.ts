/**
 * The context a plugin registers through. Registrations are staged, not applied: a configuration
 * goes live in one synchronous step (`Installation.commit`) once every component has registered,
 * so a failing component leaves nothing behind and events are never lost or doubled during a
 * replacement.
 */
import type { EventExporter } from '../subscribers.js';
import { deregisterSubscriber, listSubscribers, registerSubscriber } from '../subscribers.js';
import type { Subscriber } from '../types.js';
import type { Family, FamilyCallbacks } from '../middleware/types.js';
import { FAMILIES } from '../middleware/types.js';
import { addEntry, listMiddleware, removeEntry } from '../middleware/registry.js';
import { LifecycleError } from '../errors.js';
import { reportFailure } from '../report.js';
import { addEventRedactor, removeEventRedactor, type EventPartRedactor } from '../event-redaction.js';
import type { ComponentReport, PluginContext, PluginMiddlewareEntry, PluginMiddlewareOptions } from './types.js';
import type { ResolvedOptions } from './options.js';

interface StagedSubscriber {
  name: string;
  subscriber: Subscriber | EventExporter;
}
interface StagedMiddleware extends PluginMiddlewareEntry {
  fn: FamilyCallbacks[Family];
  breakChain: boolean;
}

/** A registration was refused when a configuration went live (e.g. a name taken outside the plugin system). */
export class CommitError extends Error {
  constructor(
    readonly staging: ComponentStaging,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** What one component registered. */
export class ComponentStaging implements PluginContext {
  readonly kind: string;
  readonly index: number;
  readonly prefix: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly importModule: (specifier: string) => Promise<unknown>;
  readonly subscribers: StagedSubscriber[] = [];
  readonly middleware: StagedMiddleware[] = [];
  readonly exporters: Array<{ name: string; exporter: EventExporter }> = [];
  readonly eventRedactors: Array<{ name: string; fn: EventPartRedactor }> = [];
  readonly teardown: Array<() => void | Promise<void>> = [];
  details: Record<string, unknown> = {};
  #sealed = false;

  constructor(kind: string, index: number, instance: number, options: ResolvedOptions) {
    this.kind = kind;
    this.index = index;
    // Kinds that may appear several times get the occurrence number from the second one on.
    this.prefix = instance === 0 ? `plugin:${kind}:` : `plugin:${kind}#${instance + 1}:`;
    this.env = options.env;
    this.cwd = options.cwd;
    this.importModule = options.importModule;
  }

  /** No more registrations: the plugin's `register` has returned (or timed out). */
  seal(): void {
    this.#sealed = true;
  }

  #name(name: unknown, what: string): string {
    if (this.#sealed) throw new LifecycleError(`plugin "${this.kind}": ${what} after register() returned; register everything before it returns`);
    if (typeof name !== 'string' || name.length === 0) throw new TypeError(`plugin "${this.kind}": ${what}: name must be a non-empty string`);
    return this.prefix + name;
  }

  registerSubscriber(name: string, subscriber: Subscriber | EventExporter): string {
    const full = this.#name(name, 'registerSubscriber');
    const ok = typeof subscriber === 'function' || (subscriber !== null && typeof subscriber === 'object' && typeof subscriber.onEvent === 'function');
    if (!ok) throw new TypeError(`plugin "${this.kind}": registerSubscriber("${name}"): expected a function or an object with onEvent()`);
    if (this.subscribers.some((s) => s.name === full)) throw new LifecycleError(`plugin "${this.kind}": a subscriber named "${name}" is already registered`);
    this.subscribers.push({ name: full, subscriber });
    return full;
  }

  registerExporter(name: string, exporter: EventExporter): string {
    const ok =
      exporter !== null &&
      typeof exporter === 'object' &&
      typeof exporter.onEvent === 'function' &&
      typeof exporter.forceFlush === 'function' &&
      typeof exporter.shutdown === 'function';
    if (!ok) throw new TypeError(`plugin "${this.kind}": registerExporter("${String(name)}"): expected an object with onEvent(), forceFlush() and shutdown()`);
    const full = this.registerSubscriber(name, exporter);
    this.exporters.push({ name: full, exporter });
    return full;
  }

  registerMiddleware<F extends Family>(family: F, name: string, priority: number, fn: FamilyCallbacks[F], options?: PluginMiddlewareOptions): string {
    const full = this.#name(name, `register ${String(family)}`);
    if (!FAMILIES.includes(family))
      throw new TypeError(`plugin "${this.kind}": unknown middleware family ${JSON.stringify(family)}; expected one of ${FAMILIES.join(', ')}`);
    if (typeof priority !== 'number' || !Number.isFinite(priority))
      throw new TypeError(`plugin "${this.kind}": ${family} "${name}": priority must be a finite number`);
    if (typeof fn !== 'function') throw new TypeError(`plugin "${this.kind}": ${family} "${name}": expected a function`);
    if (this.middleware.some((m) => m.family === family && m.name === full)) {
      throw new LifecycleError(`plugin "${this.kind}": ${family} "${name}" is already registered`);
    }
    this.middleware.push({ family, name: full, priority, fn: fn as FamilyCallbacks[Family], breakChain: options?.breakChain === true });
    return full;
  }

  registerToolConditionalExecutionGuardrail(name: string, priority: number, fn: FamilyCallbacks['tool_conditional_execution']): string {
    return this.registerMiddleware('tool_conditional_execution', name, priority, fn);
  }
  registerToolRequestIntercept(name: string, priority: number, fn: FamilyCallbacks['tool_request_intercept'], options?: PluginMiddlewareOptions): string {
    return this.registerMiddleware('tool_request_intercept', name, priority, fn, options);
  }
  registerToolSanitizeRequestGuardrail(name: string, priority: number, fn: FamilyCallbacks['tool_sanitize_request']): string {
    return this.registerMiddleware('tool_sanitize_request', name, priority, fn);
  }
  registerToolSanitizeResponseGuardrail(name: string, priority: number, fn: FamilyCallbacks['tool_sanitize_response']): string {
    return this.registerMiddleware('tool_sanitize_response', name, priority, fn);
  }
  registerToolExecutionIntercept(name: string, priority: number, fn: FamilyCallbacks['tool_execution_intercept']): string {
    return this.registerMiddleware('tool_execution_intercept', name, priority, fn);
  }
  registerLlmConditionalExecutionGuardrail(name: string, priority: number, fn: FamilyCallbacks['llm_conditional_execution']): string {
    return this.registerMiddleware('llm_conditional_execution', name, priority, fn);
  }
  registerLlmRequestIntercept(name: string, priority: number, fn: FamilyCallbacks['llm_request_intercept'], options?: PluginMiddlewareOptions): string {
    return this.registerMiddleware('llm_request_intercept', name, priority, fn, options);
  }
  registerLlmSanitizeRequestGuardrail(name: string, priority: number, fn: FamilyCallbacks['llm_sanitize_request']): string {
    return this.registerMiddleware('llm_sanitize_request', name, priority, fn);
  }
  registerLlmSanitizeResponseGuardrail(name: string, priority: number, fn: FamilyCallbacks['llm_sanitize_response']): string {
    return this.registerMiddleware('llm_sanitize_response', name, priority, fn);
  }
  registerLlmExecutionIntercept(name: string, priority: number, fn: FamilyCallbacks['llm_execution_intercept']): string {
    return this.registerMiddleware('llm_execution_intercept', name, priority, fn);
  }
  registerLlmStreamExecutionIntercept(name: string, priority: number, fn: FamilyCallbacks['llm_stream_execution_intercept']): string {
    return this.registerMiddleware('llm_stream_execution_intercept', name, priority, fn);
  }

  /** @internal Stages a redactor of event parts no sanitize guardrail reaches (see `stageEventRedactor`). */
  stageEventRedactor(name: string, fn: EventPartRedactor): string {
    const full = this.#name(name, 'stageEventRedactor');
    if (typeof fn !== 'function') throw new TypeError(`plugin "${this.kind}": stageEventRedactor("${name}"): expected a function`);
    if (this.eventRedactors.some((r) => r.name === full))
      throw new LifecycleError(`plugin "${this.kind}": an event redactor named "${name}" is already registered`);
    this.eventRedactors.push({ name: full, fn });
    return full;
  }

  onClear(fn: () => void | Promise<void>): void {
    if (this.#sealed) throw new LifecycleError(`plugin "${this.kind}": onClear after register() returned`);
    if (typeof fn !== 'function') throw new TypeError(`plugin "${this.kind}": onClear expects a function`);
    this.teardown.push(fn);
  }

  setDetails(details: Record<string, unknown>): void {
    this.details = { ...this.details, ...details };
  }
}

/**
 * @internal Lets a built-in component (`pii_redaction`) redact scope inputs and outputs, mark
 * data, metadata and error descriptions of every event. Not part of `PluginContext`: it goes live
 * and away with the rest of the configuration.
 */
export function stageEventRedactor(ctx: PluginContext, name: string, fn: EventPartRedactor): string {
  if (!(ctx instanceof ComponentStaging)) throw new TypeError('stageEventRedactor: expected the context handed to register()');
  return ctx.stageEventRedactor(name, fn);
}

/** A component of an installation, active or not. */
export interface InstalledComponent {
  kind: string;
  index: number;
  status: ComponentReport['status'];
  staging: ComponentStaging | undefined;
}

/** The registrations of one configuration: applied, removed and disposed as a unit. */
export class Installation {
  #live = false;

  constructor(readonly components: readonly InstalledComponent[]) {}

  /** Its registrations are applied. */
  get live(): boolean {
    return this.#live;
  }

  #staged(): ComponentStaging[] {
    return this.components.flatMap((c) => (c.staging ? [c.staging] : []));
  }

  /**
   * Throws a `CommitError` when a name this installation needs is registered by someone other
   * than `previous` (which is about to be detached), so the swap can be refused up front.
   */
  checkNames(previous: Installation | undefined): void {
    const owned = new Set<string>();
    for (const s of previous ? previous.#staged() : []) {
      for (const sub of s.subscribers) owned.add(`subscriber ${sub.name}`);
      for (const m of s.middleware) owned.add(`${m.family} ${m.name}`);
    }
    const taken = new Set([
      ...listSubscribers().map((n) => `subscriber ${n}`),
      ...listMiddleware()
        .filter((m) => m.scope === null)
        .map((m) => `${m.family} ${m.name}`),
    ]);
    for (const s of this.#staged()) {
      const wanted = [...s.subscribers.map((sub) => `subscriber ${sub.name}`), ...s.middleware.map((m) => `${m.family} ${m.name}`)];
      const clash = wanted.find((w) => taken.has(w) && !owned.has(w));
      if (clash) throw new CommitError(s, new LifecycleError(`${clash} is already registered outside this configuration`));
    }
  }

  /** Applies every registration. Synchronous; on failure undoes what it applied and throws a `CommitError`. */
  commit(): void {
    const undo: Array<() => void> = [];
    let current: ComponentStaging | undefined;
    try {
      for (const s of this.#staged()) {
        current = s;
        for (const sub of s.subscribers) {
          registerSubscriber(sub.name, sub.subscriber);
          undo.push(() => void deregisterSubscriber(sub.name));
        }
        for (const m of s.middleware) {
          addEntry(m.family, m.name, m.priority, m.fn, { breakChain: m.breakChain });
          undo.push(() => void removeEntry(m.family, m.name, undefined));
        }
        for (const r of s.eventRedactors) {
          addEventRedactor(r.name, r.fn);
          undo.push(() => void removeEventRedactor(r.name));
        }
      }
    } catch (err) {
      for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
      throw new CommitError(current!, err);
    }
    this.#live = true;
  }

  /** Removes every registration (exporters keep running until `dispose`). Synchronous. */
  detach(): void {
    if (!this.#live) return;
    this.#live = false;
    for (const s of this.#staged()) {
      for (const sub of s.subscribers) deregisterSubscriber(sub.name);
      for (const m of s.middleware) removeEntry(m.family, m.name, undefined);
      for (const r of s.eventRedactors) removeEventRedactor(r.name);
    }
  }

  /** Shuts exporters down and runs teardown hooks, last component first. Failures are reported, never thrown. */
  async dispose(): Promise<void> {
    this.detach();
    for (const s of this.#staged().reverse()) await disposeStaging(s);
  }

  report(): ComponentReport[] {
    return this.components.map((c) => ({
      kind: c.kind,
      index: c.index,
      status: c.status,
      subscribers: c.staging ? c.staging.subscribers.map((s) => s.name) : [],
      middleware: c.staging ? c.staging.middleware.map((m) => ({ family: m.family, name: m.name, priority: m.priority })) : [],
      exporters: c.staging ? c.staging.exporters.map((e) => e.name) : [],
      details: c.staging ? { ...c.staging.details } : {},
    }));
  }
}

/** Shuts down one component's exporters and runs its teardown hooks (both last first). */
export async function disposeStaging(s: ComponentStaging): Promise<void> {
  for (const { name, exporter } of [...s.exporters].reverse()) {
    try {
      await exporter.shutdown();
    } catch (err) {
      reportFailure(`plugin:${s.kind}:shutdown:${name}`, `exporter "${name}" failed to shut down`, err);
    }
  }
  for (const fn of [...s.teardown].reverse()) {
    try {
      await fn();
    } catch (err) {
      reportFailure(`plugin:${s.kind}:teardown`, `a teardown hook of plugin "${s.kind}" failed`, err);
    }
  }
}
