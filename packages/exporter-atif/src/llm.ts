/**
 * Reading LLM events: the provider-neutral request and response, taken from the event's codec
 * annotations when the runtime added them, else decoded here with the runtime's codecs (best
 * effort: an unreadable payload yields `undefined`, never an exception).
 */
import { detectCodec, detectResponseCodec, getCodec } from '@nemo-flow/runtime/codecs';
import type { ScopeEvent } from '@nemo-flow/runtime';
import type { CodecName, LlmCodec, NormalizedRequest, NormalizedResponse } from '@nemo-flow/runtime/codecs';

/** The request of an LLM start event, normalized. */
export function readRequest(event: ScopeEvent): NormalizedRequest | undefined {
  const profile = event.category_profile as { annotated_request?: unknown } | null;
  const annotated = profile?.annotated_request;
  if (isNormalizedRequest(annotated)) return annotated;
  const content = requestContent(event.data);
  if (content === undefined) return undefined;
  try {
    const codec = detectCodec(content);
    const decoded = codec?.decode(content);
    return isNormalizedRequest(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** The response of an LLM end event, normalized; `format` is the request's codec when known. */
export function readResponse(event: ScopeEvent, format: CodecName | undefined): NormalizedResponse | undefined {
  const profile = event.category_profile as { annotated_response?: unknown } | null;
  const annotated = profile?.annotated_response;
  if (isNormalizedResponse(annotated)) return annotated;
  const data = event.data;
  // A stream without a finalizer ends with the codec-accumulated response, already normalized.
  if (isNormalizedResponse(data)) return data;
  if (data === null || typeof data !== 'object') return undefined;
  const tried = new Set<LlmCodec>();
  const attempt = (codec: LlmCodec | undefined): NormalizedResponse | undefined => {
    if (!codec || tried.has(codec)) return undefined;
    tried.add(codec);
    try {
      const r = codec.decodeResponse(data);
      return isNormalizedResponse(r) ? r : undefined;
    } catch {
      return undefined;
    }
  };
  try {
    return attempt(format ? getCodec(format) : undefined) ?? attempt(detectResponseCodec(data));
  } catch {
    return undefined;
  }
}

/** The provider payload inside the `{ headers, content }` envelope (or the bare payload). */
function requestContent(data: unknown): unknown {
  if (data === null || typeof data !== 'object') return undefined;
  const d = data as { content?: unknown; headers?: unknown };
  if ('content' in d && d.content !== null && typeof d.content === 'object') return d.content;
  return data;
}

function isNormalizedRequest(v: unknown): v is NormalizedRequest {
  return v !== null && typeof v === 'object' && Array.isArray((v as { messages?: unknown }).messages);
}

function isNormalizedResponse(v: unknown): v is NormalizedResponse {
  if (v === null || typeof v !== 'object') return false;
  const r = v as { text?: unknown; tool_calls?: unknown; provider_format?: unknown };
  return typeof r.text === 'string' && Array.isArray(r.tool_calls) && typeof r.provider_format === 'string';
}
