/**
 * Router hints (opt-in): per-call predictions for routers that read agent hints, such as NVIDIA
 * Dynamo's `nvext.agent_hints`. Injected into a header (JSON text) and/or a body path; both
 * settings apply when both are given. Hints are advisory: a value the caller already set at that
 * header or path is kept, and a request that cannot take them is sent unchanged.
 *
 * Fields: `osl` (median output tokens at this call position), `iat` (median ms from the end of
 * this call to the next one, when runs usually go on), `remaining_calls` (mean LLM calls left in
 * the run), `latency_sensitivity` (request-local override, else the configured default) and
 * `prefix_id` (id of the stable prompt prefix).
 */
import type { LlmRequestIntercept } from '@nemo-flow/runtime';
import type { LlmRequest } from '@nemo-flow/runtime';
import { detectCodec } from '@nemo-flow/runtime/codecs';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';
import type { AdaptiveCore } from './core.js';
import { predictCall } from './learners.js';
import { shapeOf, type PromptLayout } from './prompt-layout.js';
import { ANTHROPIC_PRICES, crossRunBreakEven } from './pricing.js';
import { prefixId, reuseEstimator, stableBoundary } from './stability.js';
import { currentLatencySensitivity } from './latency.js';
import { isPlainObject as isObj } from '@nemo-flow/runtime/exporter-kit';

export const HINT_FIELDS = ['osl', 'iat', 'remaining_calls', 'latency_sensitivity', 'prefix_id'] as const;
export type HintField = (typeof HINT_FIELDS)[number];

export interface AgentHints {
  osl?: number;
  iat?: number;
  remaining_calls?: number;
  latency_sensitivity?: number;
  prefix_id?: string;
}

export interface HintsOptions {
  /** Middleware priority (default 910, after the cache governor). */
  priority?: number;
  /** Header that receives the hints as JSON text (default: none). */
  header?: string | null;
  /** Dotted body path that receives the hints object (default `nvext.agent_hints`; null for none). */
  bodyPath?: string | null;
  /** Latency sensitivity sent when the request sets none (default: not sent). */
  latencySensitivity?: number;
  /** Fields to send (default all). */
  fields?: readonly HintField[];
  /** Calls at a position needed before its predictions are sent (default 1). */
  minObservations?: number;
}

export interface ResolvedHintsOptions {
  priority: number;
  header: string | null;
  bodyPath: string[] | null;
  latencySensitivity: number | undefined;
  fields: ReadonlySet<HintField>;
  minObservations: number;
}

export const DEFAULT_HINTS_BODY_PATH = 'nvext.agent_hints';

/** Splits a dotted body path; throws a TypeError on an empty segment. */
export function parseBodyPath(path: string): string[] {
  const segs = path.split('.');
  if (path.length === 0 || segs.some((s) => s.length === 0))
    throw new TypeError(`body path ${JSON.stringify(path)} must be dot-separated non-empty names, e.g. "nvext.agent_hints"`);
  return segs;
}

/** A header name as HTTP allows it (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function resolveHints(o: HintsOptions): ResolvedHintsOptions {
  const header = o.header ?? null;
  if (header !== null && !HEADER_NAME.test(header)) throw new TypeError(`hints header ${JSON.stringify(header)} is not a valid HTTP header name`);
  const bodyPath = o.bodyPath === undefined ? parseBodyPath(DEFAULT_HINTS_BODY_PATH) : o.bodyPath === null ? null : parseBodyPath(o.bodyPath);
  if (header === null && bodyPath === null) throw new TypeError('hints need a header or a body path (both are null)');
  return {
    priority: o.priority ?? 910,
    header,
    bodyPath,
    latencySensitivity: o.latencySensitivity,
    fields: new Set(o.fields ?? HINT_FIELDS),
    minObservations: o.minObservations ?? 1,
  };
}

type Obj = Record<string, unknown>;

/** The hints for a call about to start in the current context, and the request's layout when one was computed. */
export function computeHints(core: AdaptiveCore, content: unknown, o: ResolvedHintsOptions): { hints: AgentHints; layout: PromptLayout | undefined } {
  const site = core.site();
  const hints: AgentHints = {};
  const pred = site.model ? predictCall(site.model, site.position) : undefined;
  if (pred && pred.samples >= o.minObservations) {
    if (o.fields.has('osl') && pred.outputTokens !== undefined) hints.osl = Math.round(pred.outputTokens);
    // A run usually ending after this position has no next call to time.
    if (o.fields.has('iat') && pred.timeToNextMs !== undefined && (pred.continueProbability ?? 0) >= 0.5) hints.iat = Math.round(pred.timeToNextMs);
    if (o.fields.has('remaining_calls') && pred.remainingCalls !== undefined) hints.remaining_calls = Math.round(pred.remainingCalls * 10) / 10;
  }
  if (o.fields.has('latency_sensitivity')) {
    const s = currentLatencySensitivity() ?? o.latencySensitivity;
    if (s !== undefined) hints.latency_sensitivity = s;
  }
  let layout: PromptLayout | undefined;
  if (o.fields.has('prefix_id') && isObj(content)) {
    layout = core.layout(content, detectCodec(content)?.name);
    const b = layout
      ? stableBoundary(layout, {
          reuse: reuseEstimator(site.model, shapeOf(layout), o.minObservations),
          threshold: crossRunBreakEven(ANTHROPIC_PRICES),
          coldStart: 'structural',
          maxPrefixMessages: core.maxPrefixMessages,
        })
      : undefined;
    if (b) hints.prefix_id = prefixId(b.prefixHash);
  }
  return { hints, layout };
}

/**
 * The request with `hints` added at the header and/or body path. Values the caller set are kept
 * (a header already present, keys already in the body object). Returns undefined when nothing
 * could be added; throws a TypeError when the body path runs into a non-object value.
 */
export function injectHints(request: LlmRequest, hints: AgentHints, header: string | null, bodyPath: readonly string[] | null): LlmRequest | undefined {
  if (Object.keys(hints).length === 0) return undefined;
  let headers = request.headers;
  let content = request.content;
  if (header !== null) {
    const lower = header.toLowerCase();
    if (!Object.keys(headers).some((k) => k.toLowerCase() === lower)) headers = { ...headers, [header]: JSON.stringify(hints) };
  }
  if (bodyPath !== null) {
    if (!isObj(content)) throw new TypeError('hints: the request body is not an object');
    const root: Obj = { ...content };
    let cur = root;
    for (let i = 0; i < bodyPath.length - 1; i++) {
      const k = bodyPath[i]!;
      const v = cur[k];
      if (v !== undefined && !isObj(v))
        throw new TypeError(`hints: body path ${bodyPath.join('.')} meets a non-object at "${bodyPath.slice(0, i + 1).join('.')}"`);
      cur = cur[k] = { ...(v ?? {}) };
    }
    const last = bodyPath[bodyPath.length - 1]!;
    const existing = cur[last];
    if (existing !== undefined && !isObj(existing)) throw new TypeError(`hints: body path ${bodyPath.join('.')} holds a non-object value`);
    cur[last] = { ...hints, ...(existing ?? {}) };
    content = root;
  }
  if (headers === request.headers && content === request.content) return undefined;
  return { headers, content };
}

export function createHintsIntercept(core: AdaptiveCore, o: ResolvedHintsOptions): LlmRequestIntercept {
  return (ctx) => {
    try {
      const { hints, layout } = computeHints(core, ctx.request.content, o);
      const next = injectHints(ctx.request, hints, o.header, o.bodyPath);
      if (!next) return undefined;
      // Hints sit outside the prompt blocks: the layout stays valid for the new payload.
      if (layout && isObj(next.content) && next.content !== ctx.request.content) core.rememberLayout(next.content, layout);
      return { request: next };
    } catch (err) {
      reportFailure('adaptive:hints', 'adaptive router hints could not be added; the request was sent without them', err);
      return undefined;
    }
  };
}
