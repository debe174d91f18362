/**
 * Wire facts of a call for the runtime's `LlmTransport`: the server from the client's base URL, the
 * HTTP status, and the attempts the SDK made (its own retries included), counted through the
 * client's `buildRequest` hook, which the SDK calls once per attempt with the retry count. The SDK
 * request runs inside the runtime's LLM call, so the call is the current scope there.
 */
import { getHandle, LlmHandle } from '@nemo-flow/runtime';
import type { LlmTransport } from '@nemo-flow/runtime';
import type OpenAI from 'openai';

const COUNTING = Symbol.for('nemo_flow.openai.counting');

type BuildRequest = OpenAI['buildRequest'];

/** Records `facts` on the LLM call of the current context, if there is one. */
export function record(facts: LlmTransport): void {
  const h = getHandle();
  if (h instanceof LlmHandle) h.recordTransport(facts);
}

/** Makes `client.buildRequest` record the attempt number on the current LLM call (once per client object). */
export function countAttempts(client: OpenAI): void {
  const c = client as OpenAI & { [COUNTING]?: true };
  if (c[COUNTING]) return;
  const original: BuildRequest = client.buildRequest;
  const counted: BuildRequest = function (this: OpenAI, options, info) {
    record({ attempts: (info?.retryCount ?? 0) + 1 });
    return original.call(this, options, info);
  };
  Object.defineProperty(c, COUNTING, { value: true });
  client.buildRequest = counted;
}

const DEFAULT_PORTS: Record<string, number> = { 'https:': 443, 'http:': 80 };
const servers = new Map<string, LlmTransport | undefined>();

/** `server_address` / `server_port` of the client's base URL (nothing when it does not parse); cached by URL. */
export function serverOf(client: OpenAI): LlmTransport | undefined {
  const base = client.baseURL;
  if (servers.has(base)) return servers.get(base);
  let out: LlmTransport | undefined;
  try {
    const url = new URL(base);
    const port = url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol];
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    out = port === undefined ? { server_address: host } : { server_address: host, server_port: port };
  } catch {
    out = undefined;
  }
  if (servers.size < 1000) servers.set(base, out);
  return out;
}

/** The HTTP status an SDK error carries (`APIError.status`), if any. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' && Number.isInteger(s) && s > 0 ? s : undefined;
}
