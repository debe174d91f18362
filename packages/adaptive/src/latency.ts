/**
 * Request-local latency sensitivity, the one router hint an application sets itself (e.g. higher
 * for a user waiting on a chat reply, lower for a batch job). `withLatencySensitivity` scopes it
 * to a callback and everything it awaits (AsyncLocalStorage); `setLatencySensitivity` attaches it
 * to a scope, for every call inside that scope. The callback form wins over a scope's value.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { getHandle, ScopeHandle } from '@nemo-flow/runtime';

const local = new AsyncLocalStorage<number>();
const byScope = new WeakMap<ScopeHandle, number>();

function check(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${what}: latency sensitivity must be a finite number >= 0, got ${String(value)}`);
  }
}

/** Runs `fn` with `value` as the latency sensitivity of every LLM call it makes (awaited work included). */
export function withLatencySensitivity<T>(value: number, fn: () => T): T {
  check(value, 'withLatencySensitivity');
  return local.run(value, fn);
}

/**
 * Sets the latency sensitivity of calls inside `scope` (default: the current scope); `undefined`
 * removes it. The implicit root is not a request: setting it there is a TypeError (use
 * `withLatencySensitivity` outside scopes).
 */
export function setLatencySensitivity(value: number | undefined, scope?: ScopeHandle): void {
  const target = scope ?? getHandle();
  if (!(target instanceof ScopeHandle)) throw new TypeError('setLatencySensitivity: scope must be a ScopeHandle');
  if (target.isRoot) throw new TypeError('setLatencySensitivity: there is no current scope; call it inside a scope or use withLatencySensitivity()');
  if (value === undefined) {
    byScope.delete(target);
    return;
  }
  check(value, 'setLatencySensitivity');
  byScope.set(target, value);
}

/** The latency sensitivity in effect here, or undefined when none was set. */
export function currentLatencySensitivity(): number | undefined {
  const v = local.getStore();
  if (v !== undefined) return v;
  for (let h: ScopeHandle | null = getHandle(); h; h = h.parent) {
    const s = byScope.get(h);
    if (s !== undefined) return s;
  }
  return undefined;
}
