/**
 * Pure conversions from runtime values (normalized messages, responses, usage, errors, payloads)
 * to ATIF fields. Nothing here keeps state.
 */
import { stringifySafe, toJsonSafe } from '@nemo-flow/runtime/exporter-kit';
import type { EventError } from '@nemo-flow/runtime';
import type { LlmCost } from '@nemo-flow/runtime/models';
import type { ContentPart, NormalizedMessage, NormalizedResponse, ToolCall, ToolDefinition } from '@nemo-flow/runtime/codecs';
import type { AtifContent, AtifContentPart, AtifJson, AtifJsonObject, AtifMetrics, AtifToolCall } from './types.js';
import { isPlainObject } from '@nemo-flow/runtime/exporter-kit';

export { isPlainObject };

/** Per-million-token prices of one model, used to fill `cost_usd` when the provider does not report it. */
export interface ModelPricing {
  inputPerMTok: number;
  outputPerMTok: number;
  /** Price of input tokens served from the prompt cache (defaults to `inputPerMTok`). */
  cachedInputPerMTok?: number;
}

const IMAGE_TYPES: Record<string, 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp'> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/png': 'image/png',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** A message's content as ATIF content: its text, or text and image parts when it has images. */
export function messageContent(m: NormalizedMessage): AtifContent {
  const parts = m.parts;
  if (!parts?.some((p) => p.type === 'image')) return m.text ?? '';
  const out: AtifContentPart[] = [];
  for (const p of parts) {
    if (p.type === 'text') out.push({ type: 'text', text: p.text });
    else if (p.type === 'image') out.push(imagePart(p));
  }
  return out;
}

/** An image the ATIF document can reference by URL, or a text placeholder for inline data. */
function imagePart(p: Extract<ContentPart, { type: 'image' }>): AtifContentPart {
  const url = typeof p.url === 'string' && !p.url.startsWith('data:') ? p.url : undefined;
  if (url) {
    const ext = /\.([a-z]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
    const media = IMAGE_TYPES[(p.media_type ?? '').toLowerCase()] ?? (ext ? IMAGE_TYPES[ext] : undefined);
    if (media) return { type: 'image', source: { media_type: media, path: url } };
  }
  const what = p.media_type ?? (p.url?.startsWith('data:') ? p.url.slice(5, p.url.indexOf(';')) : 'image');
  return { type: 'text', text: `[${what || 'image'} omitted: inline image data is not stored in trajectories]` };
}

/** True when a user/system message has something worth a step (text or an image). */
export function hasContent(m: NormalizedMessage): boolean {
  return (typeof m.text === 'string' && m.text.trim() !== '') || (m.parts?.some((p) => p.type === 'image') ?? false);
}

/** A normalized tool call as an ATIF tool call. Unparseable argument strings survive in `raw`. */
export function toolCallOf(c: ToolCall, v17: boolean): { call: AtifToolCall; raw?: string } {
  const args = isPlainObject(c.arguments) ? (toJsonSafe(c.arguments) as AtifJsonObject) : {};
  const call: AtifToolCall = { tool_call_id: String(c.id), function_name: String(c.name), arguments: args };
  if (c.raw_arguments !== undefined && v17) call.extra = { raw_arguments: c.raw_arguments };
  return c.raw_arguments !== undefined ? { call, raw: c.raw_arguments } : { call };
}

/**
 * Tool arguments as an object. A copy is taken now (the caller may reuse its objects before the
 * step is written); non-object arguments are kept under `input`.
 */
export function argumentsOf(args: unknown): AtifJsonObject {
  if (args === undefined || args === null) return {};
  const json = JSON.parse(stringifySafe(args)) as AtifJson;
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) return json;
  return { input: json };
}

/** A tool result (or any payload) as observation text. */
export function resultText(result: unknown): string {
  if (typeof result === 'string') return result;
  if (result === undefined) return '';
  return stringifySafe(result);
}

/** How an error reads in an observation or a system step. */
export function errorText(err: EventError | undefined, what: string): string {
  if (!err) return `${what} failed`;
  if (err.guardrail !== undefined) {
    // The runtime's rejection message usually names the guardrail already.
    if (String(err.message).includes(String(err.guardrail))) return String(err.message);
    return `Guardrail "${err.guardrail}" rejected ${what}: ${err.message}`;
  }
  return `${what} failed: ${err.type}: ${err.message}`;
}

/** The error as stored in `extra`. */
export function errorJson(err: EventError | undefined): AtifJsonObject {
  if (!err) return { type: 'Error', message: '' };
  const o: AtifJsonObject = { type: String(err.type), message: String(err.message) };
  if (err.guardrail !== undefined) o['guardrail'] = String(err.guardrail);
  return o;
}

/** Step metrics from the response usage; cost from the event, the provider, or the price table. */
export function metricsOf(
  resp: NormalizedResponse | undefined,
  raw: unknown,
  endMetadata: unknown,
  model: string | undefined,
  pricing: Record<string, ModelPricing> | undefined,
  eventCost?: LlmCost,
): AtifMetrics | undefined {
  const u = resp?.usage;
  const m: AtifMetrics = {};
  if (u) {
    if (isCount(u.input_tokens)) m.prompt_tokens = u.input_tokens;
    if (isCount(u.output_tokens)) m.completion_tokens = u.output_tokens;
    if (isCount(u.cache_read_tokens)) m.cached_tokens = u.cache_read_tokens;
    const extra: AtifJsonObject = {};
    if (isCount(u.total_tokens)) extra['total_tokens'] = u.total_tokens;
    if (isCount(u.reasoning_tokens)) extra['reasoning_tokens'] = u.reasoning_tokens;
    if (isCount(u.cache_write_tokens)) extra['cache_write_tokens'] = u.cache_write_tokens;
    if (Object.keys(extra).length > 0) m.extra = extra;
  }
  const cost = costOf(m, raw, endMetadata, model, pricing, eventCost);
  if (cost !== undefined) m.cost_usd = cost;
  return Object.keys(m).length > 0 ? m : undefined;
}

function costOf(
  m: AtifMetrics,
  raw: unknown,
  endMetadata: unknown,
  model: string | undefined,
  pricing: Record<string, ModelPricing> | undefined,
  eventCost: LlmCost | undefined,
): number | undefined {
  const fromMeta = isPlainObject(endMetadata) ? endMetadata['cost_usd'] : undefined;
  if (isFiniteNumber(fromMeta)) return fromMeta;
  // Some gateways (OpenRouter, LiteLLM proxies) report the charge in the usage block.
  const usage = isPlainObject(raw) ? raw['usage'] : undefined;
  const fromUsage = isPlainObject(usage) ? usage['cost'] : undefined;
  if (isFiniteNumber(fromUsage)) return fromUsage;
  const price = model !== undefined ? pricing?.[model] : undefined;
  // The runtime's shared price table (category_profile.cost) unless this exporter's own option names the model.
  if (!price && eventCost?.priced) return eventCost.total_usd;
  if (!price || (m.prompt_tokens === undefined && m.completion_tokens === undefined)) return undefined;
  const cached = m.cached_tokens ?? 0;
  const uncached = Math.max(0, (m.prompt_tokens ?? 0) - cached);
  const usd =
    (uncached * price.inputPerMTok + cached * (price.cachedInputPerMTok ?? price.inputPerMTok) + (m.completion_tokens ?? 0) * price.outputPerMTok) / 1_000_000;
  return Number.isFinite(usd) ? usd : undefined;
}

/** A tool definition as listed in `agent.tool_definitions` (OpenAI function-tool shape). */
export function toolDefinitionOf(d: ToolDefinition): AtifJsonObject {
  const fn: AtifJsonObject = { name: String(d.name) };
  if (typeof d.description === 'string') fn['description'] = d.description;
  if (d.parameters !== undefined) fn['parameters'] = toJsonSafe(d.parameters);
  return { type: 'function', function: fn };
}

/** A short, stable fingerprint source of a message (role, text, call ids), hashed by the caller. */
export function fingerprint(m: NormalizedMessage): string {
  let s = `${m.role}\u001f${sample(m.text ?? '')}\u001f${m.tool_call_id ?? ''}\u001f`;
  if (m.tool_calls) for (const c of m.tool_calls) s += `${c.id},`;
  if (m.parts) s += `\u001f${m.parts.length}`;
  return s;
}

/** Long texts are fingerprinted by length, ends and a stride sample, to bound the work per message. */
function sample(text: string): string {
  if (text.length <= 2048) return text;
  const stride = Math.floor((text.length - 1024) / 256);
  let mid = '';
  for (let i = 512; i < text.length - 512; i += stride) mid += text[i];
  return `${text.length}:${text.slice(0, 512)}${mid}${text.slice(-512)}`;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
