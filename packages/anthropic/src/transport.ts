/**
 * What happened on the wire during one SDK call: how many HTTP attempts the SDK's retry loop made
 * and the last status. The client's `fetch` is wrapped once per instrumented client; the call in
 * flight is found through an AsyncLocalStorage entered around the SDK method, because the SDK
 * calls `fetch` from inside its own async retry loop (a per-request SDK middleware would change
 * how the SDK classifies connection errors).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Fetch, SdkClient } from './sdk.js';

export interface Wire {
  attempts: number;
  status: number | undefined;
}

const current = new AsyncLocalStorage<Wire>();
const WRAPPED = Symbol.for('nemo-flow.anthropic.fetch');

/** Runs `fn` (which calls the SDK) so that the client's fetches are counted on `wire`. */
export function onWire<T>(wire: Wire, fn: () => T): T {
  return current.run(wire, fn);
}

/** Wraps the client's `fetch` (an own property the SDK reads per attempt). Idempotent. */
export function watchFetch(client: SdkClient): void {
  const base = client.fetch;
  if (typeof base !== 'function' || (base as { [WRAPPED]?: true })[WRAPPED]) return;
  const watched: Fetch = (url, init) => {
    const wire = current.getStore();
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
