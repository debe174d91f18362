/**
 * Typed calls: the managed tool, LLM and streaming LLM calls with a codec or a schema at each JSON
 * boundary. Middleware and subscribers see JSON; the callback and the caller see application
 * types. A value an intercept left alone reaches the callback as the very object passed in; an
 * edited one is decoded (and validated) again first.
 */
import type { Json, LlmRequest } from '../types.js';
import { toolCallExecute } from '../calls/tool.js';
import type { ToolCallOptions } from '../calls/tool.js';
import { llmCallExecute } from '../calls/llm.js';
import type { LlmCallOptions } from '../calls/llm.js';
import { llmStreamCallExecute } from '../calls/stream.js';
import type { LlmStream, LlmStreamOptions } from '../calls/stream.js';
import type { LlmHandle } from '../calls/handles.js';
import { reportFailure } from '../report.js';
import type { ValueCodec } from './value-codecs.js';
import { isStandardSchema, validated } from './standard-schema.js';
import type { InferOutput, StandardResult, StandardSchemaV1 } from './standard-schema.js';

/** A codec, or a Standard Schema validator (its JSON form is the value itself). */
export type CodecOrSchema<T> = ValueCodec<T> | StandardSchemaV1<unknown, T>;

function checkBoundary(b: unknown, what: string, option: string): void {
  if (b === undefined || isStandardSchema(b)) return;
  const c = b as Partial<ValueCodec<unknown>> | null;
  if (typeof c !== 'object' || c === null || typeof c.toJson !== 'function' || typeof c.fromJson !== 'function') {
    throw new TypeError(`${what}: options.${option} must be a ValueCodec ({ toJson, fromJson }) or a Standard Schema validator`);
  }
}

function toJson<T>(b: CodecOrSchema<T> | undefined, value: T): unknown {
  return b === undefined || isStandardSchema(b) ? value : b.toJson(value);
}

function isThenable<T>(v: unknown): v is PromiseLike<T> {
  return typeof v === 'object' && v !== null && typeof (v as PromiseLike<T>).then === 'function';
}

/** JSON → T: decoded by a codec, validated by a schema (async validators too; sync ones stay sync). */
function fromJson<T>(b: CodecOrSchema<T> | undefined, json: unknown, target: string): T | PromiseLike<T> {
  if (b === undefined) return json as T;
  if (isStandardSchema(b)) {
    const result = b['~standard'].validate(json);
    return isThenable<StandardResult<T>>(result) ? result.then((r) => validated(r, target)) : validated(result, target);
  }
  return b.fromJson(json as Json);
}

/**
 * The value to hand on: the original when the JSON form came back untouched and no schema has to
 * check it, else the JSON decoded.
 */
function recover<T>(b: CodecOrSchema<T> | undefined, json: unknown, sent: unknown, original: T, target: string): T | PromiseLike<T> {
  if (json === sent && !isStandardSchema(b)) return original;
  return fromJson(b, json, target);
}

/** `then` without a microtask when the value is already there. */
function andThen<T, U>(v: T | PromiseLike<T>, f: (v: T) => U | PromiseLike<U>): U | PromiseLike<U> {
  return isThenable<T>(v) ? v.then(f) : f(v);
}

export interface TypedToolOptions<A, R> extends ToolCallOptions {
  /** Arguments: a codec, or a schema that validates them before the tool runs. */
  args?: CodecOrSchema<A>;
  /** Result: a codec, or a schema that validates what the tool returns. */
  result?: CodecOrSchema<R>;
}

/** `typedToolExecute` with a schema: `args` is untrusted input, the tool gets the schema's output. */
export function typedToolExecute<S extends StandardSchemaV1, R>(
  name: string,
  args: unknown,
  fn: (args: InferOutput<S>) => R | PromiseLike<R>,
  options: TypedToolOptions<InferOutput<S>, Awaited<R>> & { args: S },
): Promise<Awaited<R>>;
export function typedToolExecute<A, R>(
  name: string,
  args: A,
  fn: (args: A) => R | PromiseLike<R>,
  options?: TypedToolOptions<A, Awaited<R>>,
): Promise<Awaited<R>>;
/**
 * Runs a tool like `toolCallExecute`, with `options.args` / `options.result` at the JSON boundary.
 * Invalid arguments reject with a `ValidationError` before the tool runs; the END event records it.
 */
export function typedToolExecute<A, R>(
  name: string,
  args: A,
  fn: (args: A) => R | PromiseLike<R>,
  options?: TypedToolOptions<A, Awaited<R>>,
): Promise<Awaited<R>> {
  const what = `typedToolExecute("${String(name)}")`;
  const argsB = options?.args;
  const resultB = options?.result;
  let sent: unknown;
  try {
    checkBoundary(argsB, what, 'args');
    checkBoundary(resultB, what, 'result');
    sent = toJson(argsB, args);
  } catch (err) {
    return Promise.reject(err);
  }
  let real: Awaited<R> | undefined;
  let realJson: unknown;
  const finish = (r: Awaited<R>): unknown => {
    real = r;
    realJson = toJson(resultB, r);
    return realJson;
  };
  const check = isStandardSchema(resultB) ? (r: Awaited<R>) => andThen(fromJson(resultB, r, `${what} result`), finish) : finish;
  const out = toolCallExecute(
    name,
    sent,
    (json) => andThen(andThen(recover(argsB, json, sent, args, `${what} arguments`), fn), (r) => check(r as Awaited<R>)),
    options,
  );
  if (resultB === undefined) return out as Promise<Awaited<R>>;
  // An execution intercept may answer with another JSON value (a cache, a fallback): decode that one.
  return out.then((o) => (o === realJson ? (real as Awaited<R>) : (fromJson(resultB, o, `${what} result`) as Awaited<R>)));
}

export interface TypedLlmOptions<Q, R> extends LlmCallOptions {
  /** The request content: a codec or a schema. Codecs and middleware see its JSON form. */
  request?: CodecOrSchema<Q>;
  /** The response: a codec or a schema. */
  response?: CodecOrSchema<R>;
}

/** Runs `fn` with the request decoded back to `Q` when an intercept edited its JSON form. */
async function typedRequest<Q>(b: CodecOrSchema<Q> | undefined, r: LlmRequest, sent: unknown, original: LlmRequest<Q>, target: string): Promise<LlmRequest<Q>> {
  if (r.content === sent && !isStandardSchema(b)) return r.headers === original.headers ? original : { headers: r.headers, content: original.content };
  return { headers: r.headers, content: await fromJson(b, r.content, target) };
}

function checkRequestShape(request: unknown, what: string): asserts request is LlmRequest {
  if (typeof request !== 'object' || request === null || !('content' in request))
    throw new TypeError(`${what}: request must be an object { headers, content }`);
}

/** Runs an LLM call like `llmCallExecute`, with `options.request` / `options.response` at the JSON boundary. */
export async function typedLlmExecute<Q, R>(
  name: string,
  request: LlmRequest<Q>,
  fn: (request: LlmRequest<Q>) => R | PromiseLike<R>,
  options?: TypedLlmOptions<Q, Awaited<R>>,
): Promise<Awaited<R>> {
  const what = `typedLlmExecute("${String(name)}")`;
  checkRequestShape(request, what);
  checkBoundary(options?.request, what, 'request');
  checkBoundary(options?.response, what, 'response');
  const reqB = options?.request;
  const resB = options?.response;
  const sent = toJson(reqB, request.content);
  let real: Awaited<R> | undefined;
  let realJson: unknown;
  const out = await llmCallExecute(
    name,
    { headers: request.headers, content: sent },
    async (r) => {
      let res = await fn(await typedRequest(reqB, r, sent, request, `${what} request`));
      if (isStandardSchema(resB)) res = (await fromJson(resB, res, `${what} response`)) as Awaited<R>;
      real = res;
      realJson = toJson(resB, res);
      return realJson;
    },
    options,
  );
  return out === realJson ? (real as Awaited<R>) : ((await fromJson(resB, out, `${what} response`)) as Awaited<R>);
}

export interface TypedLlmStreamOptions<Q, C, R> extends Omit<LlmStreamOptions<unknown>, 'collector' | 'finalizer'> {
  request?: CodecOrSchema<Q>;
  /** Each chunk: stream intercepts see its JSON form; the collector and the caller get `C`. */
  chunk?: CodecOrSchema<C>;
  /** The finalizer's value, recorded on the END event in its JSON form. */
  response?: CodecOrSchema<R>;
  /** Sees every decoded chunk. A throwing or rejecting collector is reported; the stream goes on. */
  collector?: (chunk: C) => void | Promise<void>;
  /** Builds the aggregated response recorded on the END event. */
  finalizer?: () => R;
}

/** A typed stream: iterate it with `for await`; stopping early ends the call, as with `LlmStream`. */
export class TypedLlmStream<C> implements AsyncIterableIterator<C> {
  readonly #inner: LlmStream<unknown>;
  readonly #decode: (json: unknown) => C | PromiseLike<C>;
  readonly #collector: ((chunk: C) => void | Promise<void>) | undefined;

  /** @internal */
  constructor(inner: LlmStream<unknown>, decode: (json: unknown) => C | PromiseLike<C>, collector: ((chunk: C) => void | Promise<void>) | undefined) {
    this.#inner = inner;
    this.#decode = decode;
    this.#collector = collector;
  }

  /** The call's handle (its uuid, name, parent). */
  get handle(): LlmHandle {
    return this.#inner.handle;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<C>> {
    const r = await this.#inner.next();
    if (r.done) return { done: true, value: undefined };
    let chunk: C;
    try {
      chunk = await this.#decode(r.value);
    } catch (err) {
      // A chunk that cannot be decoded fails the stream: the call ends with that error.
      await this.#inner.throw(err).catch(() => undefined);
      throw err;
    }
    this.#collect(chunk);
    return { done: false, value: chunk };
  }

  async return(value?: unknown): Promise<IteratorResult<C>> {
    await this.#inner.return(value);
    return { done: true, value: undefined };
  }

  async throw(err?: unknown): Promise<IteratorResult<C>> {
    await this.#inner.throw(err);
    return { done: true, value: undefined };
  }

  #collect(chunk: C): void {
    const collector = this.#collector;
    if (!collector) return;
    const name = this.#inner.handle.name;
    const report = (err: unknown) => reportFailure(`collector:${name}`, `the collector of "${name}" threw`, err);
    try {
      const p = collector(chunk);
      if (p && typeof (p as Promise<void>).then === 'function') (p as Promise<void>).then(undefined, report);
    } catch (err) {
      report(err);
    }
  }
}

/**
 * Runs a streaming LLM call like `llmStreamCallExecute`, with codecs or schemas for the request,
 * each chunk and the aggregated response.
 */
export async function typedLlmStreamExecute<Q, C, R = unknown>(
  name: string,
  request: LlmRequest<Q>,
  fn: (request: LlmRequest<Q>) => AsyncIterable<C> | Iterable<C> | PromiseLike<AsyncIterable<C> | Iterable<C>>,
  options?: TypedLlmStreamOptions<Q, C, R>,
): Promise<TypedLlmStream<C>> {
  const what = `typedLlmStreamExecute("${String(name)}")`;
  checkRequestShape(request, what);
  checkBoundary(options?.request, what, 'request');
  checkBoundary(options?.chunk, what, 'chunk');
  checkBoundary(options?.response, what, 'response');
  const { request: reqB, chunk: chunkB, response: resB, collector, finalizer, ...rest } = options ?? {};
  if (collector !== undefined && typeof collector !== 'function') throw new TypeError(`${what}: options.collector must be a function`);
  if (finalizer !== undefined && typeof finalizer !== 'function') throw new TypeError(`${what}: options.finalizer must be a function`);
  const sent = toJson(reqB, request.content);
  // Chunks the stream passes on untouched are handed back as the very objects the source yielded.
  const originals = new WeakMap<object, C>();
  const encode = (c: C): unknown => {
    const j = toJson(chunkB, c);
    if (typeof j === 'object' && j !== null && !isStandardSchema(chunkB)) originals.set(j, c);
    return j;
  };
  const decode = (j: unknown): C | PromiseLike<C> => {
    const o = typeof j === 'object' && j !== null ? originals.get(j) : undefined;
    return o !== undefined ? o : fromJson(chunkB, j, `${what} chunk`);
  };
  const inner = await llmStreamCallExecute<unknown>(
    name,
    { headers: request.headers, content: sent },
    async (r) => mapChunks(await fn(await typedRequest(reqB, r, sent, request, `${what} request`)), encode),
    { ...rest, ...(finalizer ? { finalizer: () => toJson(resB, finalizer()) } : {}) },
  );
  return new TypedLlmStream<C>(inner, decode, collector);
}

async function* mapChunks<C>(source: AsyncIterable<C> | Iterable<C>, encode: (c: C) => unknown): AsyncGenerator<unknown> {
  for await (const c of source) yield encode(c);
}
