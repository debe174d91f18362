/**
 * Wire facts of a call for the runtime's `LlmTransport`: the server from the client's base URL, the
 * HTTP status, and the attempts the SDK made (its own retries included), counted per call through
 * the client's `buildRequest` hook, which the SDK calls once per attempt with the retry count.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LlmTransport } from '@nemo-flow/runtime';
import type OpenAI from 'openai';

/** What one instrumented SDK call learns while the SDK works. */
export interface CallState {
  attempts: number;
}

const current = new AsyncLocalStorage<CallState>();

/** Runs `fn` (the real SDK call) with `state` counting its attempts. */
export function runCounting<T>(state: CallState, fn: () => T): T {
  return current.run(state, fn);
}

const COUNTING = Symbol.for('nemo_flow.openai.counting');

type BuildRequest = OpenAI['buildRequest'];

/** Makes `client.buildRequest` count attempts of instrumented calls (once per client object). */
export function countAttempts(client: OpenAI): void {
  const c = client as OpenAI & { [COUNTING]?: true };
  if (c[COUNTING]) return;
  const original: BuildRequest = client.buildRequest;
  const counted: BuildRequest = function (this: OpenAI, options, info) {
    const state = current.getStore();
    if (state) state.attempts = (info?.retryCount ?? 0) + 1;
    return original.call(this, options, info);
  };
  Object.defineProperty(c, COUNTING, { value: true });
  client.buildRequest = counted;
}

const DEFAULT_PORTS: Record<string, number> = { 'https:': 443, 'http:': 80 };

/** `server_address` / `server_port` of the client's base URL (nothing when it does not parse). */
export function serverOf(client: OpenAI): LlmTransport | undefined {
  try {
    const url = new URL(client.baseURL);
    const port = url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol];
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    return port === undefined ? { server_address: host } : { server_address: host, server_port: port };
  } catch {
    return undefined;
  }
}

/** The HTTP status an SDK error carries (`APIError.status`), if any. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' && Number.isInteger(s) && s > 0 ? s : undefined;
}
