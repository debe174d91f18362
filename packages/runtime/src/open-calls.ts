/**
 * The calls open under a scope, so a scope that ends first can end them. An intrusive doubly
 * linked list threaded through the handles: tracking a call costs no hashing and no allocation,
 * which a `Set` did on every tool and LLM call.
 */
import type { ScopeHandle } from './scope.js';

/** Records `call` as open under its parent. */
export function trackCall(call: ScopeHandle): void {
  const parent = call.parent!;
  const head = parent._calls;
  call._prevCall = undefined;
  call._nextCall = head;
  if (head) head._prevCall = call;
  parent._calls = call;
}

/** Forgets `call` (a no-op for handles that were never tracked, e.g. pushed scopes). */
export function untrackCall(call: ScopeHandle): void {
  const parent = call.parent;
  if (!parent) return;
  const prev = call._prevCall;
  const next = call._nextCall;
  if (prev) prev._nextCall = next;
  else if (parent._calls === call) parent._calls = next;
  else return; // not in the list
  if (next) next._prevCall = prev;
  call._prevCall = undefined;
  call._nextCall = undefined;
}

/** The calls still open under `scope`, oldest first. */
export function openCalls(scope: ScopeHandle): ScopeHandle[] {
  const out: ScopeHandle[] = [];
  for (let c = scope._calls; c; c = c._nextCall) out.push(c);
  return out.reverse();
}
