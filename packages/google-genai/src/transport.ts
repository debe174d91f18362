/**
 * Wire facts of a call for the runtime's `LlmTransport`: the server from the client's base URL, and
 * the HTTP attempts with the status of the last one. The SDK's API client sends every attempt (its
 * own retries, `httpOptions.retryOptions`, included) through one `apiCall` method with an optional
 * fetch function; a counting fetch handed to it sees each attempt of an instrumented call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LlmTransport } from '@nemo-flow/runtime';

/** What one instrumented SDK call learns while the SDK works. */
export interface CallState {
  attempts: number;
  status?: number;
}

const current = new AsyncLocalStorage<CallState>();

/** Runs `fn` (the real SDK call) with `state` counting its attempts. */
export function runCounting<T>(state: CallState, fn: () => T): T {
  return current.run(state, fn);
}

/** The SDK-internal API client surface used here (not part of its public types). */
interface ApiClientLike {
  apiCall?: (url: string, init: unknown, retryOptions: unknown, timeout: unknown, abortSignal: unknown, fetchFn?: typeof fetch) => Promise<unknown>;
  getBaseUrl?: () => string;
}

const COUNTING = Symbol.for('nemo_flow.google_genai.counting');

/**
 * Makes the API client count the attempts of instrumented calls (once per API client). Without the
 * expected internal method (another SDK version) nothing is counted and calls work as before.
 */
export function countAttempts(apiClient: unknown): void {
  const c = apiClient as (ApiClientLike & { [COUNTING]?: true }) | undefined;
  if (!c || c[COUNTING] || typeof c.apiCall !== 'function') return;
  const original = c.apiCall;
  Object.defineProperty(c, COUNTING, { value: true });
  c.apiCall = function (this: unknown, url, init, retryOptions, timeout, abortSignal, fetchFn) {
    const state = current.getStore();
    if (!state) return original.call(this, url, init, retryOptions, timeout, abortSignal, fetchFn);
    const inner = fetchFn ?? fetch;
    const counted = async (input: Parameters<typeof fetch>[0], requestInit?: Parameters<typeof fetch>[1]): Promise<Response> => {
      state.attempts++;
      const res = await inner(input, requestInit);
      state.status = res.status;
      return res;
    };
    return original.call(this, url, init, retryOptions, timeout, abortSignal, counted as typeof fetch);
  };
}

const DEFAULT_PORTS: Record<string, number> = { 'https:': 443, 'http:': 80 };

/** `server_address` / `server_port` of the API client's base URL (nothing when unknown). */
export function serverOf(apiClient: unknown): LlmTransport | undefined {
  try {
    const base = (apiClient as ApiClientLike | undefined)?.getBaseUrl?.();
    if (typeof base !== 'string') return undefined;
    const url = new URL(base);
    const port = url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol];
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    return port === undefined ? { server_address: host } : { server_address: host, server_port: port };
  } catch {
    return undefined;
  }
}

/** The facts a finished attempt sequence adds: attempts, and the status of the last response or of the error. */
export function factsOf(state: CallState, err?: unknown): LlmTransport {
  const facts: LlmTransport = {};
  if (state.attempts > 0) facts.attempts = state.attempts;
  const s = err !== undefined ? (err as { status?: unknown } | null)?.status : undefined;
  const status = typeof s === 'number' && Number.isInteger(s) && s > 0 ? s : state.status;
  if (status !== undefined) facts.http_status = status;
  return facts;
}
