/**
 * Streaming LLM calls. The callback returns an AsyncIterable of chunks; stream execution
 * intercepts wrap it; the caller iterates an `LlmStream`. Every chunk goes to the collector and
 * the codec's accumulator; the END event fires exactly once — on completion, on error, or when
 * the consumer stops early (`return()`, e.g. `break` in `for await`). A stream never iterated
 * stays open until its parent scope ends, which ends it with error type `NotEnded`.
 */
import type { LlmRequest } from '../types.js';
import type { LlmCodec, StreamAccumulator } from '../codecs/types.js';
import { responseCodecFor } from '../codecs/detect.js';
import { runInScope } from '../scope.js';
import { startCall } from './handles.js';
import type { LlmHandle } from './handles.js';
import { closeHandle, parentOf } from '../lifecycle.js';
import { resolve } from '../middleware/registry.js';
import type { LlmStreamExecutionIntercept } from '../middleware/types.js';
import { callLabel, checkFunction, checkName, describeError } from '../errors.js';
import { checkCallOptions } from './tool.js';
import { reportFailure } from '../report.js';
import { hasSubscribers } from '../subscribers.js';
import { isThenable, runOnion } from './pipeline.js';
import { annotatedForEvent, beforeStart, checkRequest, endProfile, safeDecodeResponse, sanitizeResponse } from './llm-request.js';
import { newLlmHandle } from './llm.js';
import type { LlmCallOptions } from './llm.js';
import { startProfile } from './llm-request.js';
import { nowMicros } from '../time.js';

export interface LlmStreamOptions<C> extends LlmCallOptions {
  /**
   * Sees every chunk as it passes. A collector that throws, or returns a promise that rejects, is
   * reported; the stream goes on (a returned promise is not awaited).
   */
  collector?: (chunk: C) => void | PromiseLike<void>;
  /** Builds the aggregated response recorded on the END event (defaults to the codec's accumulation). */
  finalizer?: () => unknown;
}

/** The real streaming call: receives the (possibly rewritten) request, typed like the one passed in. */
type StreamFn<C, Q> = (request: LlmRequest<Q>) => AsyncIterable<C> | Iterable<C> | PromiseLike<AsyncIterable<C> | Iterable<C>>;

function toAsyncIterable<C>(value: unknown, what: string): AsyncIterable<C> {
  if (value !== null && typeof value === 'object') {
    if (typeof (value as AsyncIterable<C>)[Symbol.asyncIterator] === 'function') return value as AsyncIterable<C>;
    if (typeof (value as Iterable<C>)[Symbol.iterator] === 'function') {
      const it = value as Iterable<C>;
      return (async function* () {
        yield* it;
      })();
    }
  }
  throw new TypeError(`${what}: the stream callback must return an AsyncIterable of chunks, got ${value === null ? 'null' : typeof value}`);
}

/**
 * A streaming LLM response: iterate it with `for await`. Ends the call's lifecycle exactly once.
 */
export class LlmStream<C = unknown> implements AsyncIterableIterator<C> {
  readonly #h: LlmHandle;
  readonly #source: AsyncIterable<C>;
  readonly #options: LlmStreamOptions<C> | undefined;
  readonly #sres: ReturnType<typeof resolve>;
  #it: AsyncIterator<C> | undefined;
  #acc: StreamAccumulator | undefined;
  #chunks = 0;
  #done = false;

  /** @internal */
  constructor(h: LlmHandle, source: AsyncIterable<C>, options: LlmStreamOptions<C> | undefined, sres: ReturnType<typeof resolve>) {
    this.#h = h;
    this.#source = source;
    this.#options = options;
    this.#sres = sres;
    if (h._codec && hasSubscribers()) this.#accumulateWith(h._codec);
  }

  /** The accumulation only feeds the END event's annotation. */
  #accumulateWith(codec: LlmCodec): void {
    this.#acc = undefined;
    try {
      this.#acc = codec.createAccumulator();
    } catch (err) {
      reportFailure(`codec:${codec.name}:stream`, 'codec could not create a stream accumulator', err);
    }
  }

  /** The call's handle (its uuid is the event / span id). */
  get handle(): LlmHandle {
    return this.#h;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<C>> {
    if (this.#done) return { done: true, value: undefined };
    let r: IteratorResult<C>;
    try {
      this.#it ??= runInScope(this.#h, () => this.#source[Symbol.asyncIterator]());
      r = await this.#it.next();
    } catch (err) {
      await this.#finish(err, true, false);
      throw err;
    }
    if (r.done) {
      await this.#finish(undefined, false, true);
      return r;
    }
    this.#observe(r.value);
    return r;
  }

  /** Stops early (what `break` in `for await` calls): closes the source and ends the call. */
  async return(value?: unknown): Promise<IteratorResult<C>> {
    if (!this.#done) {
      try {
        await this.#it?.return?.();
      } catch (err) {
        reportFailure(`stream-return:${this.#h.name}`, `closing the stream of "${this.#h.name}" failed`, err);
      }
      await this.#finish(undefined, false, false);
    }
    return { done: true, value: value as C };
  }

  /** Aborts with an error: closes the source and ends the call with that error. */
  async throw(err?: unknown): Promise<IteratorResult<C>> {
    if (!this.#done) {
      try {
        await this.#it?.return?.();
      } catch {
        // the source failing to close adds nothing to the error being thrown
      }
      await this.#finish(err, true, false);
    }
    throw err;
  }

  #observe(chunk: C): void {
    if (this.#chunks++ === 0) this.#firstChunk(chunk);
    const collector = this.#options?.collector;
    if (collector) {
      try {
        const r = collector(chunk) as unknown;
        if (isThenable(r)) {
          // An async collector: its rejection is contained like a throw, never an unhandled rejection.
          Promise.resolve(r).then(undefined, (err: unknown) => reportFailure(`collector:${this.#h.name}`, `the collector of "${this.#h.name}" rejected`, err));
        }
      } catch (err) {
        reportFailure(`collector:${this.#h.name}`, `the collector of "${this.#h.name}" threw`, err);
      }
    }
    if (this.#acc) {
      try {
        this.#acc.push(chunk);
      } catch (err) {
        reportFailure(`codec:${this.#h._codec!.name}:stream`, 'codec could not accumulate a stream chunk', err);
        this.#acc = undefined;
      }
    }
  }

  /** Time to first chunk, unless the integration recorded its own. */
  #firstChunk(chunk: C): void {
    const h = this.#h;
    // A detected codec gives way to the format the first chunk is really in.
    if (h._codecDetected && hasSubscribers()) {
      const codec = responseCodecFor(h._codec, true, chunk);
      if (codec && codec !== h._codec) {
        h._codec = codec;
        this.#accumulateWith(codec);
      }
    }
    if (h._transport?.time_to_first_chunk_ms !== undefined) return;
    h._transport = { ...h._transport, time_to_first_chunk_ms: (nowMicros() - h.startMicros) / 1000 };
  }

  async #finish(error: unknown, failed: boolean, completed: boolean): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    const h = this.#h;
    const streamInfo = { stream: { chunks: this.#chunks, completed } };
    if (failed) {
      if (h._open) closeHandle(h, nowMicros(), null, endProfile(h, undefined, streamInfo), describeError(error));
      return;
    }
    let aggregated: unknown;
    try {
      aggregated = this.#acc?.finish();
    } catch (err) {
      reportFailure(`codec:${h._codec!.name}:stream`, 'codec could not finish a stream accumulation', err);
    }
    let response: unknown = aggregated ?? null;
    const finalizer = this.#options?.finalizer;
    if (finalizer) {
      try {
        response = await finalizer();
      } catch (err) {
        reportFailure(`finalizer:${h.name}`, `the finalizer of "${h.name}" threw`, err);
        response = null;
      }
    }
    const out = await sanitizeResponse(this.#sres, response);
    // The annotation must never show what a sanitizer removed: the raw-chunk aggregate is used
    // only when the response subscribers see is the one produced, unsanitized.
    // Sanitizers work on a copy: without a finalizer, what they return is the sanitized aggregate.
    const unsanitized = out.value === response;
    let annotated: unknown;
    if (!out.error) {
      const decoded = finalizer && out.value !== null && out.value !== undefined ? safeDecodeResponse(h._codec, out.value, h._codecDetected) : undefined;
      const sanitizedAggregate = !finalizer && aggregated !== undefined && out.value !== null && typeof out.value === 'object' ? out.value : undefined;
      annotated = decoded ?? (unsanitized ? aggregated : sanitizedAggregate);
    }
    if (h._open) closeHandle(h, nowMicros(), out.value, endProfile(h, annotated, streamInfo), undefined);
  }
}

/**
 * Runs a streaming LLM call through the middleware pipeline. Resolves, once the stream is open,
 * to an `LlmStream` to iterate; rejects like `llmCallExecute` when the call cannot start.
 * `C` (the chunk type) and `Q` (the request content type) are inferred from `fn` and `request`.
 */
export async function llmStreamCallExecute<C = unknown, Q = unknown>(
  name: string,
  request: LlmRequest<Q>,
  fn: StreamFn<C, Q>,
  options?: LlmStreamOptions<C>,
): Promise<LlmStream<C>> {
  const what = callLabel('llmStreamCallExecute', name);
  checkName(name, what);
  checkFunction(fn, what, 'fn');
  const req = checkRequest(request, what);
  checkCallOptions(options, what);
  if (options?.collector !== undefined) checkFunction(options.collector, what, 'collector');
  if (options?.finalizer !== undefined) checkFunction(options.finalizer, what, 'finalizer');
  const parent = parentOf(options?.parent, what);
  const h = newLlmHandle(name, parent, req, options, nowMicros(), what, 'streaming');
  const codec = h._codec;
  const pre = await beforeStart(
    h,
    req,
    codec,
    resolve('llm_conditional_execution', parent),
    resolve('llm_request_intercept', parent),
    resolve('llm_sanitize_request', parent),
  );
  startCall(h, pre.start.value, startProfile(h, annotatedForEvent(codec, pre)));
  const failure = pre.failure;
  if (failure) {
    closeHandle(h, nowMicros(), null, endProfile(h, undefined), describeError(failure));
    throw failure;
  }
  let source: AsyncIterable<C>;
  try {
    source = (await runOnion(
      resolve('llm_stream_execution_intercept', parent),
      pre.request,
      // Request intercepts keep the content's shape, so the callback is trusted with `Q`.
      async (r) => toAsyncIterable<C>(await runInScope(h, () => (fn as StreamFn<C, unknown>)(r)), what),
      async (e, r, next) =>
        toAsyncIterable<C>(
          await (e.fn as LlmStreamExecutionIntercept)(r, next as (r: LlmRequest) => Promise<AsyncIterable<unknown>>, { name, handle: h }),
          what,
        ),
      undefined,
    )) as AsyncIterable<C>;
  } catch (err) {
    closeHandle(h, nowMicros(), null, endProfile(h, undefined), describeError(err));
    throw err;
  }
  return new LlmStream<C>(h, source, options, resolve('llm_sanitize_response', parent));
}
