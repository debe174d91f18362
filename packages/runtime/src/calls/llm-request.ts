/**
 * LLM request handling shared by plain and streaming calls: shape checks, codec decoding that
 * never fails the call, the request-intercept chain, and the event profiles.
 */
import { llmCost } from '../pricing.js';
import type { LlmRequest } from '../types.js';
import type { LlmCodec, NormalizedRequest, NormalizedResponse } from '../codecs/types.js';
import type { Entry, LlmConditionalGuardrail, LlmRequestIntercept, LlmSanitizeGuardrail } from '../middleware/types.js';
import type { LlmHandle } from './handles.js';
import { MiddlewareError, describeValue, errorText } from '../errors.js';
import { stringifySafe } from '../payload.js';
import { readonlyView } from '../readonly.js';
import { reportFailure } from '../report.js';
import { hasSubscribers } from '../subscribers.js';
import { responseCodecFor } from '../codecs/detect.js';
import { LazyRequestAnnotation, LazyResponseAnnotation, summaryFields } from './lazy-annotation.js';
import { runConditional, runSanitize } from './pipeline.js';
import type { SanitizeResult } from './pipeline.js';

/** Checks that `request` is `{ headers?, content }`. `what` names the caller in the error. */
export function checkRequest(request: unknown, what: string): LlmRequest {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new TypeError(`${what}: request must be an object { headers, content }, got ${describeValue(request)}`);
  }
  const r = request as Partial<LlmRequest>;
  if (!('content' in r) || r.content === undefined) throw new TypeError(`${what}: request has no "content" (the provider payload)`);
  if (r.headers !== undefined && (r.headers === null || typeof r.headers !== 'object' || Array.isArray(r.headers))) {
    throw new TypeError(`${what}: request.headers must be an object, got ${describeValue(r.headers)}`);
  }
  if (r.headers === undefined) return { headers: {}, content: r.content };
  return request as LlmRequest;
}

/** The model named by the options, else by the payload's `model` field. */
export function modelOf(modelName: string | undefined, content: unknown, what: string): string | null {
  if (modelName !== undefined) {
    if (typeof modelName !== 'string') throw new TypeError(`${what}: modelName must be a string, got ${describeValue(modelName)}`);
    return modelName;
  }
  const m = content !== null && typeof content === 'object' ? (content as { model?: unknown }).model : undefined;
  return typeof m === 'string' ? m : null;
}

/** Decodes a request; a payload the codec cannot read is reported, never thrown. */
export function safeDecode(codec: LlmCodec | undefined, content: unknown): NormalizedRequest | undefined {
  if (!codec) return undefined;
  try {
    return codec.decode(content);
  } catch (err) {
    reportFailure(`codec:${codec.name}:request`, `codec "${codec.name}" could not decode a request`, err);
    return undefined;
  }
}

/**
 * The normalized request for an event (see `LazyRequestAnnotation`): the top-level fields are
 * decoded now, the conversation when first read. Nothing at all without subscribers.
 */
export function lazyAnnotatedRequest(codec: LlmCodec | undefined, content: unknown): NormalizedRequest | undefined {
  if (!hasSubscribers()) return undefined; // annotations exist only for subscribers
  if (!codec || content === null || typeof content !== 'object' || Array.isArray(content)) return safeDecode(codec, content);
  let summary: NormalizedRequest;
  try {
    summary = codec.decode(summaryFields(content));
  } catch {
    return safeDecode(codec, content); // the full decode reports what is wrong
  }
  return new LazyRequestAnnotation(summary, () => safeDecode(codec, content));
}

/** Decodes a response; a failure is reported and never fails the user's call. */
function decodeResponseSafely(codec: LlmCodec, response: unknown): NormalizedResponse | undefined {
  try {
    return codec.decodeResponse(response);
  } catch (err) {
    reportFailure(`codec:${codec.name}:response`, `codec "${codec.name}" could not decode a response`, err);
    return undefined;
  }
}

/**
 * The normalized response for an event: summarized now when the codec can (see
 * `LazyResponseAnnotation`), its content when first read. Nothing at all without subscribers.
 * `detected`: the codec was picked from the request's shape, so the response's shape may overrule it.
 */
export function safeDecodeResponse(requestCodec: LlmCodec | undefined, response: unknown, detected = false): NormalizedResponse | undefined {
  if (!hasSubscribers()) return undefined; // annotations exist only for subscribers
  if (typeof response !== 'object' || response === null) return undefined; // e.g. a sanitizer's string: nothing to decode
  const codec = responseCodecFor(requestCodec, detected, response);
  if (!codec) return undefined;
  if (typeof codec.summarizeResponse !== 'function') return decodeResponseSafely(codec, response);
  let summary: NormalizedResponse;
  try {
    summary = codec.summarizeResponse(response);
  } catch {
    return decodeResponseSafely(codec, response); // the full decode reports what is wrong
  }
  return new LazyResponseAnnotation(summary, () => decodeResponseSafely(codec, response));
}

/** Result of the steps before the START event. */
export interface PreStart {
  request: LlmRequest;
  /** Normalized form of the request the callback will receive (for intercept chains and events). */
  annotated: NormalizedRequest | undefined;
  /** What subscribers see. */
  start: SanitizeResult;
  /** A rejection or middleware failure: the call must end with it without running. */
  failure: unknown;
}

/** Conditional guardrails → request intercepts → sanitize-request. */
export async function beforeStart(
  h: LlmHandle,
  request: LlmRequest,
  codec: LlmCodec | undefined,
  cond: readonly Entry[],
  req: readonly Entry[],
  sreq: readonly Entry[],
): Promise<PreStart> {
  let failure: unknown;
  let annotated: NormalizedRequest | undefined;
  try {
    failure = await runConditional(cond, h.name, (e) => (e.fn as LlmConditionalGuardrail)(readonlyView(request)));
    if (!failure && req.length > 0) {
      annotated = safeDecode(codec, request.content);
      for (const e of req) {
        const ctx = { name: h.name, request, annotated };
        let res: Awaited<ReturnType<LlmRequestIntercept>>;
        try {
          res = await (e.fn as LlmRequestIntercept)(ctx);
        } catch (err) {
          throw new MiddlewareError(`${e.family}:${e.name}`, 'request intercept threw', { cause: err });
        }
        const next = applyIntercept(e, request, ctx.annotated, res, codec);
        request = next.request;
        annotated = next.annotated;
        if (e.breakChain) break;
      }
    }
  } catch (err) {
    failure = err;
  }
  const start = await runSanitize(sreq, request, (e, v) => (e.fn as LlmSanitizeGuardrail)(v), undefined);
  return { request, annotated, start, failure };
}

/**
 * Folds one intercept's result into the request. Only `annotated` edited (in place or replaced):
 * it is encoded back into the request. Only `request` replaced: it is re-decoded. Both: the
 * annotated edits are merged onto the decode of the new raw request and encoded onto it, so both
 * survive — new raw keys included; where both sides changed the same field, the annotated edit wins.
 */
function applyIntercept(
  e: Entry,
  request: LlmRequest,
  afterInPlace: NormalizedRequest | undefined,
  res: unknown,
  codec: LlmCodec | undefined,
): { request: LlmRequest; annotated: NormalizedRequest | undefined } {
  const where = `${e.family}:${e.name}`;
  if (res !== undefined && res !== null && typeof res !== 'object') {
    throw new MiddlewareError(where, `a request intercept must return { request?, annotated? } or nothing, got ${typeof res}`);
  }
  const out = (res ?? {}) as { request?: unknown; annotated?: NormalizedRequest };
  let next = request;
  let annotated = out.annotated ?? afterInPlace;
  if (out.request !== undefined && out.request !== request) {
    try {
      next = checkRequest(out.request, where);
    } catch (err) {
      throw new MiddlewareError(where, `returned a malformed LLM request: ${errorText(err)}`);
    }
    const fresh = safeDecode(codec, next.content);
    if (!codec || !fresh || !annotated) return { request: next, annotated: fresh };
    // What the intercept saw, before any in-place edit: the decode of the request it was given.
    const pristine = safeDecode(codec, request.content);
    if (!pristine || sameJson(annotated, pristine)) return { request: next, annotated: fresh };
    annotated = mergeAnnotatedEdits(pristine, fresh, annotated);
  }
  if (!codec || !annotated) return { request: next, annotated };
  try {
    return { request: { headers: next.headers, content: codec.encode(annotated, next.content) }, annotated };
  } catch (err) {
    throw new MiddlewareError(where, `its annotated request could not be encoded by codec "${codec.name}"`, { cause: err });
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || stringifySafe(a) === stringifySafe(b);
}

/**
 * Three-way merge of normalized requests: start from `fresh` (the new raw request decoded) and
 * apply every field `edited` changed relative to `pristine`; `params` and `extra` key by key.
 */
function mergeAnnotatedEdits(pristine: NormalizedRequest, fresh: NormalizedRequest, edited: NormalizedRequest): NormalizedRequest {
  const merged = mergeKeys(
    pristine as unknown as Record<string, unknown>,
    fresh as unknown as Record<string, unknown>,
    edited as unknown as Record<string, unknown>,
    true,
  );
  return merged as unknown as NormalizedRequest;
}

function mergeKeys(pristine: Record<string, unknown>, fresh: Record<string, unknown>, edited: Record<string, unknown>, top: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fresh };
  for (const k of new Set([...Object.keys(edited), ...Object.keys(pristine)])) {
    const e = edited[k];
    const p = pristine[k];
    if (top && (k === 'params' || k === 'extra')) {
      out[k] = mergeKeys(asRecord(p), asRecord(fresh[k]), asRecord(e), false);
      continue;
    }
    if (sameJson(e, p)) continue; // untouched on the annotated side: the raw side's value (or absence) stands
    if (e === undefined) delete out[k];
    else out[k] = e;
  }
  return out;
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

/** The annotated request subscribers may see: re-derived from the sanitized request when a sanitizer changed it. */
export function annotatedForEvent(codec: LlmCodec | undefined, real: PreStart): NormalizedRequest | undefined {
  const shown = real.start.value as LlmRequest | undefined;
  if (shown === real.request) return real.annotated ?? lazyAnnotatedRequest(codec, real.request.content);
  if (!codec || shown === null || typeof shown !== 'object' || !('content' in shown)) return undefined;
  return lazyAnnotatedRequest(codec, shown.content);
}

/** The parts of a normalized request that are not conversation content. */
function requestWithoutContent(r: NormalizedRequest): NormalizedRequest {
  const out: NormalizedRequest = { provider_format: r.provider_format, messages: [], params: r.params, extra: {} };
  if (r.model !== undefined) out.model = r.model;
  if (r.stream !== undefined) out.stream = r.stream;
  return out;
}

/** The parts of a normalized response that are not conversation content. */
function responseWithoutContent(r: NormalizedResponse): NormalizedResponse {
  const out: NormalizedResponse = { provider_format: r.provider_format, text: '', tool_calls: [] };
  if (r.id !== undefined) out.id = r.id;
  if (r.model !== undefined) out.model = r.model;
  if (r.finish_reason !== undefined) out.finish_reason = r.finish_reason;
  if (r.raw_finish_reason !== undefined) out.raw_finish_reason = r.raw_finish_reason;
  if (r.usage !== undefined) out.usage = r.usage;
  return out;
}

export function startProfile(h: LlmHandle, annotated: NormalizedRequest | undefined): Record<string, unknown> {
  if (h._noContent && annotated) annotated = requestWithoutContent(annotated);
  const p: Record<string, unknown> = annotated === undefined ? { model_name: h.modelName } : { model_name: h.modelName, annotated_request: annotated };
  if (h._transport) p.transport = h._transport;
  return p;
}

export function endProfile(h: LlmHandle, annotatedResponse: unknown, extra?: Record<string, unknown>): Record<string, unknown> {
  const p: Record<string, unknown> = { model_name: h.modelName };
  if (h._noContent && annotatedResponse !== null && typeof annotatedResponse === 'object')
    annotatedResponse = responseWithoutContent(annotatedResponse as NormalizedResponse);
  if (annotatedResponse !== undefined) p.annotated_response = annotatedResponse;
  const resp = annotatedResponse as NormalizedResponse | null | undefined;
  if (resp && typeof resp === 'object' && resp.usage) {
    const cost = llmCost(typeof resp.model === 'string' && resp.model ? resp.model : h.modelName, resp.usage);
    if (cost) p.cost = cost;
  }
  if (extra) Object.assign(p, extra);
  if (h._transport) p.transport = h._transport;
  return p;
}

/** Runs sanitize-response over `response`. */
export function sanitizeResponse(sres: readonly Entry[], response: unknown): SanitizeResult | Promise<SanitizeResult> {
  return sres.length === 0 ? { value: response } : runSanitize(sres, response, (e, v) => (e.fn as LlmSanitizeGuardrail)(v), undefined);
}
