/**
 * Opening and closing scopes and calls: `pushScope`, `popScope`, `withScope`, `mark`, and the
 * shared close logic that ends calls still open when their scope ends.
 */
import { SCOPE_TYPES } from './types.js';
import type { CategoryProfile, EventError, ScopeType } from './types.js';
import { ScopeHandle, ScopeStack, currentScopeStack, getHandle, normalizeAttributes, runWithScopeStack } from './scope.js';
import { emitEnd, emitMark, emitStart } from './events.js';
import { nowMicros } from './time.js';
import { LifecycleError, callLabel, checkFunction, checkName, checkOptions, describeError, describeValue } from './errors.js';
import { dropScopeSubscribers } from './subscribers.js';
import { dropScopeMiddleware } from './middleware/registry.js';
import { reportFailure } from './report.js';
import { openCalls, untrackCall } from './open-calls.js';
import { isThenable } from './thenable.js';

/** Options shared by scopes and calls. */
export interface ScopeOptions {
  /** Parent scope; defaults to the current scope of this async context. */
  parent?: ScopeHandle;
  /** Payload of the start event (the scope's input). */
  input?: unknown;
  /** Application data kept on the handle (`handle.data`); not emitted. */
  data?: unknown;
  /** Recorded on the scope's events. Well-known keys on agent scopes: `session_id`, `user_id`, `tags`. */
  metadata?: unknown;
  /** Attribute strings, e.g. `["parallel"]`. Emitted sorted. */
  attributes?: readonly string[];
  /** Start time in epoch microseconds (defaults to now). */
  timestamp?: number;
}

/** Options of `popScope`. */
export interface PopOptions {
  /** Payload of the end event (the scope's output). */
  output?: unknown;
  /** End time in epoch microseconds (defaults to now). */
  timestamp?: number;
  /** End the scope with an error status. */
  error?: unknown;
}

/** Options of `mark`. */
export interface MarkOptions {
  data?: unknown;
  metadata?: unknown;
  /** Parent scope; defaults to the current scope. */
  parent?: ScopeHandle;
  /** Epoch microseconds (defaults to now). */
  timestamp?: number;
  /** Optional category of the mark. */
  category?: ScopeType;
}

/** @internal Checks an explicit timestamp (epoch microseconds). */
export function timeOf(timestamp: number | undefined, what: string): number {
  if (timestamp === undefined) return nowMicros();
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError(`${what}: timestamp must be a non-negative safe integer of epoch microseconds, got ${describeValue(timestamp)}`);
  }
  return timestamp;
}

/** @internal Checks a parent option. */
export function parentOf(parent: ScopeHandle | undefined, what: string): ScopeHandle {
  if (parent === undefined || parent === null) return getHandle();
  if (!(parent instanceof ScopeHandle)) throw new TypeError(`${what}: parent must be a ScopeHandle returned by the runtime, got ${describeValue(parent)}`);
  return parent;
}

function checkScopeType(type: unknown, what: string, arg = 'type'): asserts type is ScopeType {
  if (!SCOPE_TYPES.includes(type as ScopeType)) {
    throw new TypeError(`${what}: ${arg} must be one of ${SCOPE_TYPES.join(', ')}, got ${describeValue(type)}`);
  }
}

function openScope(name: string, type: ScopeType, options: ScopeOptions | undefined, what: string): ScopeHandle {
  checkName(name, what);
  checkScopeType(type, what);
  checkOptions(options, what);
  const parent = parentOf(options?.parent, what);
  const micros = timeOf(options?.timestamp, what);
  const handle = new ScopeHandle(name, type, parent, normalizeAttributes(options?.attributes, what), options?.data, options?.metadata, micros);
  emitStart(handle, micros, options?.input, null);
  return handle;
}

/** @internal Marks a handle ended (so it cannot be ended twice) before its end event is emitted. */
export function detachHandle(handle: ScopeHandle): void {
  handle._open = false;
  untrackCall(handle);
}

/**
 * @internal Ends a scope or call: ends calls still open under it (reported), emits the end event,
 * then removes its scope-local subscribers and middleware.
 */
export function closeHandle(handle: ScopeHandle, micros: number, data: unknown, profile: CategoryProfile | null, error: EventError | undefined): void {
  detachHandle(handle);
  if (handle._calls) {
    for (const call of openCalls(handle)) {
      reportFailure(
        `not-ended:${call.name}`,
        `${call.scopeType} call "${call.name}" was not ended before its scope "${handle.name}" ended; it was ended with an error`,
        new LifecycleError('call not ended'),
      );
      closeHandle(call, micros, null, (call as { _profile?: CategoryProfile | null })._profile ?? null, {
        type: 'NotEnded',
        message: `"${call.name}" was still open when its scope "${handle.name}" ended`,
      });
    }
  }
  // A tool or LLM call made with `captureContent: false` shows no payload (see CallHandle._noContent).
  emitEnd(handle, micros, (handle as { _noContent?: boolean })._noContent === true ? null : data, profile, error);
  if (handle._local) {
    dropScopeSubscribers(handle);
    dropScopeMiddleware(handle);
  }
}

/** Opens a scope on the current stack. End it with `popScope`. */
export function pushScope(name: string, type: ScopeType, options?: ScopeOptions): ScopeHandle {
  const handle = openScope(name, type, options, callLabel('pushScope', name));
  const stack = currentScopeStack();
  handle._stack = stack;
  (stack._frames ??= []).push(handle);
  return handle;
}

/**
 * Ends a scope opened with `pushScope`. It must be the innermost scope of its stack: popping out
 * of order, twice, or a `withScope` scope is a `LifecycleError`.
 */
export function popScope(handle: ScopeHandle, options?: PopOptions): void {
  if (!(handle instanceof ScopeHandle)) throw new TypeError(`popScope: handle must be a ScopeHandle returned by pushScope, got ${describeValue(handle)}`);
  const what = callLabel('popScope', handle.name);
  checkOptions(options, what);
  if (!handle._open) throw new LifecycleError(`${what}: the scope has already ended`);
  const stack = handle._stack;
  if (!stack) {
    throw new LifecycleError(
      handle.isRoot
        ? `${what}: the implicit root scope cannot be popped`
        : `${what}: this scope is not on a stack (scopes of withScope end when the callback returns; calls end with toolCallEnd/llmCallEnd)`,
    );
  }
  if (stack.top !== handle) {
    throw new LifecycleError(`${what}: the scope is not on top of its stack (the top is "${stack.top.name}"); pop that first`);
  }
  const micros = timeOf(options?.timestamp, what);
  stack._frames!.pop(); // non-empty: the handle is its top
  closeHandle(handle, micros, options?.output, null, options?.error === undefined ? undefined : describeError(options.error));
}

/**
 * Runs `fn` inside a new scope and returns its value. Everything `fn` awaits, spawns or streams is
 * parented to the scope, isolated from concurrent runs. The scope ends when `fn` returns, throws
 * or rejects; its end event carries `fn`'s value as output, or the error.
 */
export function withScope<T>(name: string, type: ScopeType, fn: (scope: ScopeHandle) => T | Promise<T>, options?: ScopeOptions): Promise<Awaited<T>> {
  const what = callLabel('withScope', name);
  checkFunction(fn, what, 'fn');
  const handle = openScope(name, type, options, what);
  const stack = new ScopeStack(handle);
  const finish = (output: unknown, err: unknown, failed: boolean): void => {
    // Scopes pushed inside and never popped would leak: end them (innermost first) and report.
    for (let f = stack._frames?.pop(); f; f = stack._frames?.pop()) {
      if (!f._open) continue;
      reportFailure(
        `not-popped:${f.name}`,
        `scope "${f.name}" was not popped before withScope("${name}") returned; it was ended`,
        new LifecycleError('scope not popped'),
      );
      closeHandle(f, nowMicros(), undefined, null, { type: 'NotEnded', message: `scope "${f.name}" was not popped` });
    }
    if (handle._open) closeHandle(handle, nowMicros(), output, null, failed ? describeError(err) : undefined);
  };
  let result: T | Promise<T>;
  try {
    result = runWithScopeStack(stack, () => fn(handle));
  } catch (err) {
    finish(undefined, err, true);
    return Promise.reject(err);
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (value) => {
        finish(value, undefined, false);
        return value;
      },
      (err: unknown) => {
        finish(undefined, err, true);
        throw err;
      },
    );
  }
  finish(result, undefined, false);
  return Promise.resolve(result as Awaited<T>);
}

/** Emits a point-in-time mark under the current (or given) scope. */
export function mark(name: string, options?: MarkOptions): void {
  const what = callLabel('mark', name);
  checkName(name, what);
  checkOptions(options, what);
  if (options?.category !== undefined) checkScopeType(options.category, what, 'category');
  const parent = parentOf(options?.parent, what);
  emitMark(name, parent, timeOf(options?.timestamp, what), options?.data, options?.metadata, options?.category ?? null);
}

/** Alias of `mark`, under the reference package's name. */
export const event = mark;
