/**
 * Gemini API wire bodies for the loopback fake server: `generateContent` responses (JSON),
 * `streamGenerateContent?alt=sse` chunks and Google API errors, as the real API sends them.
 * Point `@google/genai` at the server with `httpOptions: { baseUrl: server.url }`; requests arrive
 * at `/{apiVersion}/models/{model}:generateContent` and `...:streamGenerateContent?alt=sse`.
 */
import type { Reply, SseEvent } from './server.js';

export interface Usage {
  input: number;
  output: number;
  cached?: number;
  thoughts?: number;
}

export interface FunctionCallSpec {
  name: string;
  args: Record<string, unknown>;
  id?: string;
}

const MODEL_VERSION = 'gemini-2.5-flash';

export function usageMetadata(u: Usage): Record<string, unknown> {
  const m: Record<string, unknown> = {
    promptTokenCount: u.input,
    candidatesTokenCount: u.output,
    totalTokenCount: u.input + u.output + (u.thoughts ?? 0),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.input }],
  };
  if (u.cached !== undefined) m.cachedContentTokenCount = u.cached;
  if (u.thoughts !== undefined) m.thoughtsTokenCount = u.thoughts;
  return m;
}

function callParts(calls: FunctionCallSpec[] | undefined): Record<string, unknown>[] {
  return (calls ?? []).map((c) => ({ functionCall: c.id ? { id: c.id, name: c.name, args: c.args } : { name: c.name, args: c.args } }));
}

/** A `GenerateContentResponse`: text and/or function calls (Gemini finishes both with `STOP`). */
export function generateContentResponse(opts: {
  text?: string;
  thought?: string;
  functionCalls?: FunctionCallSpec[];
  usage?: Usage;
  finishReason?: string;
  responseId?: string;
}): Record<string, unknown> {
  const parts: Record<string, unknown>[] = [];
  if (opts.thought !== undefined) parts.push({ text: opts.thought, thought: true });
  if (opts.text !== undefined) parts.push({ text: opts.text });
  parts.push(...callParts(opts.functionCalls));
  const body: Record<string, unknown> = {
    candidates: [{ content: { role: 'model', parts }, finishReason: opts.finishReason ?? 'STOP', index: 0 }],
    modelVersion: MODEL_VERSION,
    responseId: opts.responseId ?? 'resp-1',
  };
  if (opts.usage) body.usageMetadata = usageMetadata(opts.usage);
  return body;
}

/** A JSON reply. */
export function json(body: unknown, status = 200): Reply {
  return { kind: 'json', status, body };
}

/** A Google API error reply (`{ error: { code, message, status } }`). */
export function apiError(code: number, message: string, status = code === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL'): Reply {
  return { kind: 'json', status: code, body: { error: { code, message, status } } };
}

/**
 * `streamGenerateContent?alt=sse` chunks: one per text piece, then the function calls; the last
 * chunk carries the finish reason and the usage (earlier ones the prompt count so far).
 */
export function streamChunks(opts: { text?: string[]; functionCalls?: FunctionCallSpec[]; usage?: Usage; responseId?: string }): SseEvent[] {
  const responseId = opts.responseId ?? 'stream-1';
  const chunk = (parts: unknown[], last: boolean): SseEvent => {
    const cand: Record<string, unknown> = { content: { role: 'model', parts }, index: 0 };
    if (last) cand.finishReason = 'STOP';
    const data: Record<string, unknown> = { candidates: [cand], modelVersion: MODEL_VERSION, responseId };
    if (opts.usage) data.usageMetadata = last ? usageMetadata(opts.usage) : { promptTokenCount: opts.usage.input, totalTokenCount: opts.usage.input };
    return { data };
  };
  const pieces: unknown[][] = (opts.text ?? []).map((t) => [{ text: t }]);
  if (opts.functionCalls?.length) pieces.push(callParts(opts.functionCalls));
  if (pieces.length === 0) pieces.push([{ text: '' }]);
  return pieces.map((p, i) => chunk(p, i === pieces.length - 1));
}

/** An SSE reply of stream chunks. */
export function sse(events: SseEvent[], extra?: { breakAfter?: number; gate?: () => Promise<void> }): Reply {
  return { kind: 'sse', events, ...extra };
}
