/**
 * The provider-neutral view of an LLM call's request and response. The runtime annotates events
 * when a codec ran (`category_profile.annotated_request/response`); when it did not, the codec is
 * detected here from the payload, best effort. Shared by every mapper.
 */
import type { LlmCost } from '@nemo-flow/runtime/models';
import { type LlmCategoryProfile, type LlmTransport, type ScopeEvent } from '@nemo-flow/runtime';
import { detectCodec, getCodec, type CodecName, type LlmCodec, type NormalizedRequest, type NormalizedResponse } from '@nemo-flow/runtime/codecs';
import { unwrapView } from '@nemo-flow/runtime/exporter-kit';

function profileOf(event: ScopeEvent): Partial<LlmCategoryProfile> | undefined {
  // Read the objects behind the runtime's read-only views: this mapper never writes, and proxied reads cost per access.
  const p = unwrapView(event.category_profile);
  return typeof p === 'object' && p !== null ? (p as Partial<LlmCategoryProfile>) : undefined;
}

function contentOf(event: ScopeEvent): unknown {
  const d = event.data;
  return typeof d === 'object' && d !== null ? (d as { content?: unknown }).content : undefined;
}

function detect(content: unknown): LlmCodec | undefined {
  if (typeof content !== 'object' || content === null) return undefined;
  try {
    return detectCodec(content);
  } catch {
    return undefined;
  }
}

/** `category_profile.model_name` of an LLM event, when set. */
export function llmModelName(event: ScopeEvent): string | undefined {
  const m = profileOf(event)?.model_name;
  return typeof m === 'string' && m.length > 0 ? m : undefined;
}

/** The normalized request of an LLM start event (annotated, else decoded by a detected codec). */
/** The provider format the runtime annotated a start event's request with (no decoding). */
export function annotatedRequestFormat(start: ScopeEvent): CodecName | undefined {
  return (profileOf(start)?.annotated_request as NormalizedRequest | undefined)?.provider_format;
}

export function llmRequestOf(start: ScopeEvent): NormalizedRequest | undefined {
  const a = profileOf(start)?.annotated_request;
  if (typeof a === 'object' && a !== null) return a as NormalizedRequest;
  const content = contentOf(start);
  const codec = detect(content);
  if (!codec) return undefined;
  try {
    return codec.decode(content);
  } catch {
    return undefined;
  }
}

/** The normalized response of an LLM end event (annotated, else decoded with the request's codec). */
export function llmResponseOf(end: ScopeEvent, start: ScopeEvent): NormalizedResponse | undefined {
  const a = profileOf(end)?.annotated_response;
  if (typeof a === 'object' && a !== null) return a as NormalizedResponse;
  if (typeof end.data !== 'object' || end.data === null) return undefined;
  const format = annotatedRequestFormat(start);
  const codec = (format ? safeGetCodec(format) : undefined) ?? detect(contentOf(start));
  if (!codec) return undefined;
  try {
    return codec.decodeResponse(end.data);
  } catch {
    return undefined;
  }
}

function safeGetCodec(name: CodecName): LlmCodec | undefined {
  try {
    return getCodec(name);
  } catch {
    return undefined;
  }
}

/** The provider an integration named in a call's transport facts (`provider_name`), when it did. */
export function namedProvider(t: LlmTransport | undefined): string | undefined {
  const n = t?.provider_name;
  return typeof n === 'string' && n.length > 0 ? n : undefined;
}

/** `category_profile.transport` of an LLM event (the wire facts an integration recorded), when set. */
export function llmTransportOf(event: ScopeEvent): LlmTransport | undefined {
  const t = profileOf(event)?.transport;
  return typeof t === 'object' && t !== null ? t : undefined;
}

/** `category_profile.cost` of an LLM end event (see `LlmCost` in `@nemo-flow/runtime/models`), when set. */
export function llmCostOf(event: ScopeEvent): LlmCost | undefined {
  const c = profileOf(event)?.cost;
  return typeof c === 'object' && c !== null && typeof c.total_usd === 'number' ? c : undefined;
}
