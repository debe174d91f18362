/**
 * What happened on the wire during one SDK call: how many HTTP attempts the SDK's retry loop made
 * and the last status. The client's `fetch` is wrapped once per instrumented client; the SDK calls
 * it from inside the call's callback, where the runtime's current scope is the call's handle, so
 * the handle finds the call's counters (no AsyncLocalStorage of our own: each one costs every
 * promise in the process; no per-request SDK middleware: it changes how the SDK classifies
 * connection errors).
 */
import { getHandle } from '@nemo-flow/runtime';
import type { Fetch, SdkClient } from './sdk.js';

export interface Wire {
  attempts: number;
  status: number | undefined;
}

/** The calls counting now, by handle: a Map with explicit removal (a WeakMap entry per call costs GC time). */
const wires = new Map<object, Wire>();
const WRAPPED = Symbol.for('nemo-flow.anthropic.fetch');

/**
 * Counts the fetches made in the current scope (the LLM call's handle, inside its callback) on
 * `wire` until the returned function is called.
 */
export function countOn(wire: Wire): () => void {
  const h = getHandle();
  wires.set(h, wire);
  return () => void wires.delete(h);
}

/** Wraps the client's `fetch` (an own property the SDK reads per attempt). Idempotent. */
export function watchFetch(client: SdkClient): void {
  const base = client.fetch;
  if (typeof base !== 'function' || (base as { [WRAPPED]?: true })[WRAPPED]) return;
  const watched: Fetch = (url, init) => {
    const wire = wires.get(getHandle());
    if (!wire) return base.call(undefined, url, init);
    wire.attempts++;
    return base.call(undefined, url, init).then((res) => {
      wire.status = res.status;
      return res;
    });
  };
  Object.defineProperty(watched, WRAPPED, { value: true });
  client.fetch = watched;
}

/** `server.address` / `server.port` of the client's base URL. */
export function serverOf(client: SdkClient): { address: string; port: number } | undefined {
  const base = client.baseURL;
  if (typeof base !== 'string') return undefined;
  try {
    const u = new URL(base);
    const port = u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443;
    return { address: u.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return undefined;
  }
}
