/**
 * LLM calls. Managed (`llmCallExecute`): the tool pipeline plus codecs — request intercepts may
 * edit the raw request or its normalized form, START carries the normalized request and END the
 * normalized response. Manual (`llmCall` / `llmCallEnd` / `llmCallError`): sanitize guardrails only.
 */
import type { LlmRequest, LlmTransport } from '../types.js';
import type { CodecName, LlmCodec } from '../codecs/types.js';
import { resolveCodec } from '../codecs/index.js';
import type { ScopeHandle } from '../scope.js';
import { runInScope } from '../scope.js';
import { LlmHandle, emitWhenSanitized, endWhenSanitized, mergeTransport, startCall } from './handles.js';
import { closeHandle, parentOf, timeOf } from '../lifecycle.js';
import { resolve } from '../middleware/registry.js';
import type { LlmExecutionIntercept, LlmSanitizeGuardrail } from '../middleware/types.js';
import { LifecycleError, callLabel, checkFunction, checkName, describeError, describeValue, checkOptions } from '../errors.js';
import { checkCallOptions } from './tool.js';
import { callInScope, isThenable, runOnion, runSanitize } from './pipeline.js';
import type { SanitizeResult } from './pipeline.js';
import {
  annotatedForEvent,
  beforeStart,
  checkRequest,
  endProfile,
  lazyAnnotatedRequest,
  modelOf,
  safeDecodeResponse,
  sanitizeResponse,
  startProfile,
} from './llm-request.js';
import { emitStart } from '../events.js';
import { nowMicros } from '../time.js';
import { trackCall } from '../open-calls.js';

export interface LlmCallOptions {
  /** Model name for events and spans (defaults to the payload's `model`). */
  modelName?: string;
  /** Codec for the provider format: an instance, a name, or `'auto'` to detect it from the payload. */
  codec?: LlmCodec | CodecName | 'auto';
  parent?: ScopeHandle;
  data?: unknown;
  metadata?: unknown;
  attributes?: readonly string[];
  /** Start time in epoch microseconds (manual `llmCall` only). */
  timestamp?: number;
  /** Wire facts known before the call (e.g. the server from the client's base URL); on both events. */
  transport?: LlmTransport;
  /**
   * `false`: the call's events carry no request or response payload, and their annotations only the
   * model, parameters, ids, finish reason and usage — no messages, text or tool calls. Default `true`.
   */
  captureContent?: boolean;
}

export interface LlmEndOptions {
  timestamp?: number;
}

/** The real call: receives the (possibly rewritten) request, typed like the one passed in. */
type LlmFn<Q, R> = (request: LlmRequest<Q>) => R | PromiseLike<R>;

/** @internal */
export function newLlmHandle(
  name: string,
  parent: ScopeHandle,
  request: LlmRequest,
  options: LlmCallOptions | undefined,
  micros: number,
  what: string,
  extraAttributes?: string,
): LlmHandle {
  const attrs = extraAttributes ? [...(options?.attributes ?? []), extraAttributes] : options?.attributes;
  const h = new LlmHandle(name, parent, modelOf(options?.modelName, request.content, what), attrs, options?.data, options?.metadata, micros);
  h._codec = codecOf(options?.codec, request.content, what);
  h._codecDetected = options?.codec === undefined || options.codec === 'auto';
  if (options?.transport !== undefined) h._transport = mergeTransport(undefined, options.transport, `${what}: option transport`);
  if (options?.captureContent !== undefined) {
    if (typeof options.captureContent !== 'boolean') throw new TypeError(`${what}: option captureContent must be a boolean`);
    h._noContent = !options.captureContent;
  }
  return h;
}

/** @internal The codec named by a `codec` option; a bad one is a TypeError naming the caller. */
export function codecOf(spec: unknown, content: unknown, what: string): LlmCodec | undefined {
  try {
    return resolveCodec(spec as LlmCodec | CodecName | 'auto' | undefined, content);
  } catch (err) {
    if (spec === undefined || spec === 'auto') throw err;
    throw new TypeError(`${what}: codec must be an LlmCodec, a codec name or "auto", got ${describeValue(spec)} (${describeError(err).message})`);
  }
}

function finish(h: LlmHandle, data: unknown, annotatedResponse: unknown, error: unknown, failed: boolean): void {
  if (h._open) closeHandle(h, nowMicros(), data, endProfile(h, annotatedResponse), failed ? describeError(error) : undefined);
}

/**
 * Runs an LLM call through the middleware pipeline. Resolves to the callback's real response;
 * rejects with its original error, a `GuardrailRejectedError` or a `MiddlewareError`.
 * `fn` receives the request typed like `request` (`Q` is the provider's parameter type, inferred),
 * and the promise resolves to what `fn` returns, so SDK calls need no casts.
 */
export function llmCallExecute<Q, R>(name: string, request: LlmRequest<Q>, fn: LlmFn<Q, R>, options?: LlmCallOptions): Promise<Awaited<R>> {
  const what = callLabel('llmCallExecute', name);
  checkName(name, what);
  checkFunction(fn, what, 'fn');
  const req = checkRequest(request, what);
  checkCallOptions(options, what);
  const parent = parentOf(options?.parent, what);
  const h = newLlmHandle(name, parent, req, options, nowMicros(), what);
  const lists = {
    cond: resolve('llm_conditional_execution', parent),
    req: resolve('llm_request_intercept', parent),
    sreq: resolve('llm_sanitize_request', parent),
    sres: resolve('llm_sanitize_response', parent),
    exec: resolve('llm_execution_intercept', parent),
  };
  // Request intercepts keep the content's shape, so the callback is trusted with `Q` from here on.
  const f = fn as LlmFn<unknown, R>;
  if (lists.cond.length + lists.req.length + lists.sreq.length + lists.sres.length + lists.exec.length === 0) {
    return runPlain(h, req, f);
  }
  return runManaged(h, req, f, lists);
}

function runPlain<R>(h: LlmHandle, request: LlmRequest, fn: LlmFn<unknown, R>): Promise<Awaited<R>> {
  const codec = h._codec;
  startCall(h, request, startProfile(h, lazyAnnotatedRequest(codec, request.content)));
  let r: R | PromiseLike<R>;
  try {
    r = runInScope(h, () => fn(request));
  } catch (err) {
    finish(h, null, undefined, err, true);
    return Promise.reject(err);
  }
  if (isThenable(r)) {
    return Promise.resolve(r).then(
      (v) => {
        finish(h, v, safeDecodeResponse(codec, v, h._codecDetected), undefined, false);
        return v;
      },
      (err: unknown) => {
        finish(h, null, undefined, err, true);
        throw err;
      },
    );
  }
  finish(h, r, safeDecodeResponse(codec, r, h._codecDetected), undefined, false);
  return Promise.resolve(r as Awaited<R>);
}

interface Lists {
  cond: ReturnType<typeof resolve>;
  req: ReturnType<typeof resolve>;
  sreq: ReturnType<typeof resolve>;
  sres: ReturnType<typeof resolve>;
  exec: ReturnType<typeof resolve>;
}

async function runManaged<R>(h: LlmHandle, request: LlmRequest, fn: LlmFn<unknown, R>, lists: Lists): Promise<Awaited<R>> {
  const codec = h._codec;
  const pre = await beforeStart(h, request, codec, lists.cond, lists.req, lists.sreq);
  startCall(h, pre.start.value, startProfile(h, annotatedForEvent(codec, pre)));
  const failure = pre.failure;
  if (failure) {
    finish(h, null, undefined, failure, true);
    throw failure;
  }
  let result: unknown;
  try {
    result = await runOnion(
      lists.exec,
      pre.request,
      callInScope(h, fn),
      (e, r, next) => (e.fn as LlmExecutionIntercept)(r, next, { name: h.name, handle: h }),
      undefined,
    );
  } catch (err) {
    finish(h, null, undefined, err, true);
    throw err;
  }
  const out = await sanitizeResponse(lists.sres, result);
  finish(h, out.value, out.error ? undefined : safeDecodeResponse(codec, out.value, h._codecDetected), undefined, false);
  return result as Awaited<R>;
}

/** Starts a manual LLM call. Sanitize-request guardrails apply to the start event; nothing blocks. */
export function llmCall(name: string, request: LlmRequest, options?: LlmCallOptions): LlmHandle {
  const what = callLabel('llmCall', name);
  checkName(name, what);
  const req = checkRequest(request, what);
  checkCallOptions(options, what);
  const parent = parentOf(options?.parent, what);
  const h = newLlmHandle(name, parent, req, options, timeOf(options?.timestamp, what), what);
  trackCall(h);
  const sreq = resolve('llm_sanitize_request', parent);
  const s = sreq.length === 0 ? { value: req } : runSanitize(sreq, req, (e, v) => (e.fn as LlmSanitizeGuardrail)(v), undefined);
  emitWhenSanitized(h, s, (r) => {
    const shown = r.value as LlmRequest;
    const annotated =
      r.value === req
        ? lazyAnnotatedRequest(h._codec, req.content)
        : shown && typeof shown === 'object'
          ? lazyAnnotatedRequest(h._codec, shown.content)
          : undefined;
    emitStart(h, h.startMicros, h._noContent ? null : r.value, startProfile(h, annotated));
  });
  return h;
}

function endManual(handle: LlmHandle, what: string, response: unknown, error: unknown, failed: boolean, options: LlmEndOptions | undefined): void {
  if (!(handle instanceof LlmHandle)) throw new TypeError(`${what}: handle must be an LlmHandle returned by llmCall, got ${describeValue(handle)}`);
  checkOptions(options, what);
  if (!handle._open) throw new LifecycleError(`${what}: LLM call "${handle.name}" has already ended`);
  const micros = timeOf(options?.timestamp, what);
  const s = failed ? { value: null } : sanitizeResponse(resolve('llm_sanitize_response', handle.parent!), response);
  const close = (r: SanitizeResult): void => {
    const err = failed ? describeError(error) : undefined;
    const annotated = err || r.error ? undefined : safeDecodeResponse(handle._codec, r.value, handle._codecDetected);
    closeHandle(handle, micros, r.value, endProfile(handle, annotated), err);
  };
  endWhenSanitized(handle, s, close);
}

/** Ends a manual LLM call with the provider response. Ending twice is a `LifecycleError`. */
export function llmCallEnd(handle: LlmHandle, response: unknown, options?: LlmEndOptions): void {
  endManual(handle, 'llmCallEnd', response, undefined, false, options);
}

/** Ends a manual LLM call with an error. */
export function llmCallError(handle: LlmHandle, error: unknown, options?: LlmEndOptions): void {
  endManual(handle, 'llmCallError', null, error, true, options);
}
