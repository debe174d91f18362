/**
 * Wire facts of a call for the runtime's `LlmTransport`: the server from the client's base URL, and
 * the HTTP attempts with the status of the last one. The SDK's API client sends every attempt (its
 * own retries, `httpOptions.retryOptions`, included) through one `apiCall` method with an optional
 * fetch function; a counting fetch handed to it records each attempt on the LLM call it belongs to.
 * That call is the current scope (the SDK runs inside the call's callback), so no context of our
 * own is needed: each extra AsyncLocalStorage would cost something on every promise of the process.
 */
import { getHandle, LlmHandle, type LlmTransport } from '@nemo-flow/runtime';

/** The SDK-internal API client surface used here (not part of its public types). */
interface ApiClientLike {
  apiCall?: (url: string, init: unknown, retryOptions: unknown, timeout: unknown, abortSignal: unknown, fetchFn?: typeof fetch) => Promise<unknown>;
  getBaseUrl?: () => string;
}

const COUNTING = Symbol.for('nemo_flow.google_genai.counting');

/** HTTP attempts made so far by each LLM call (execution-intercept retries included). */
const attempts = new WeakMap<LlmHandle, number>();

/**
 * Makes the API client record the attempts of the LLM calls it serves (once per API client).
 * Without the expected internal method (another SDK version) nothing is recorded and calls work
 * as before.
 */
export function countAttempts(apiClient: unknown): void {
  const c = apiClient as (ApiClientLike & { [COUNTING]?: true }) | undefined;
  if (!c || c[COUNTING] || typeof c.apiCall !== 'function') return;
  const original = c.apiCall;
  Object.defineProperty(c, COUNTING, { value: true });
  c.apiCall = function (this: unknown, url, init, retryOptions, timeout, abortSignal, fetchFn) {
    const h = getHandle();
    if (!(h instanceof LlmHandle)) return original.call(this, url, init, retryOptions, timeout, abortSignal, fetchFn);
    const inner = fetchFn ?? fetch;
    const counted = async (input: Parameters<typeof fetch>[0], requestInit?: Parameters<typeof fetch>[1]): Promise<Response> => {
      const n = (attempts.get(h) ?? 0) + 1;
      attempts.set(h, n);
      let res: Response;
      try {
        res = await inner(input, requestInit);
      } catch (err) {
        h.recordTransport({ attempts: n });
        throw err;
      }
      h.recordTransport({ attempts: n, http_status: res.status });
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
