/**
 * `messages.create` through the runtime: one managed LLM call per SDK call, answered with the
 * SDK's own objects. The caller gets an `APIPromise` of the client's own class at once (the
 * middleware may be async, the SDK's signature is not); the real `create` runs inside the call's
 * innermost layer with the request the middleware produced, so guardrails block before any
 * network request and rewrites are what the server receives.
 */
import { getHandle, LlmHandle, llmCallExecute, llmStreamCallExecute } from '@nemo-flow/runtime';
import type { LlmCallOptions, LlmStream, LlmTransport } from '@nemo-flow/runtime';
import type { Settings } from './options.js';
import { isObject, type ApiPromise, type ApiPromiseClass, type CreateFn, type MessagesResource, type ResponseProps, type SdkClient } from './sdk.js';
import { abortErrorFor, sdkStreamOf, sseProps, type StreamState } from './stream.js';
import { countOn, serverOf, type Wire } from './transport.js';

/** Where a create call comes from: the resource's name prefix and the instrumentation settings. */
export interface Site {
  client: SdkClient;
  prefix: 'anthropic.messages' | 'anthropic.beta.messages';
  settings: Settings;
  /** The call options shared by every call of the site (built on first use). */
  callOptions?: LlmCallOptions;
}

interface CallState extends StreamState {
  /** The caller asked for the raw `Response` (`.asResponse()`) before it arrived: its body is theirs. */
  raw: boolean;
  /** The SDK's promise of the last attempt the pipeline made (none when an intercept answered). */
  inner: ApiPromise<unknown> | undefined;
  wire: Wire;
}

const apiPromiseClasses = new WeakMap<object, ApiPromiseClass>();
const never = new Promise<never>(() => {});

/**
 * The `APIPromise` class of the client's SDK build. `request()` with options that never resolve
 * builds one without sending anything (the SDK awaits the options before it does any work).
 */
function apiPromiseClass(client: SdkClient): ApiPromiseClass {
  let C = apiPromiseClasses.get(client);
  if (!C) {
    C = client.request(never).constructor as ApiPromiseClass;
    apiPromiseClasses.set(client, C);
  }
  return C;
}

function propsOf(p: ApiPromise<unknown>): Promise<ResponseProps> {
  return p._responseProps ? p._responseProps() : (p as unknown as { responsePromise: Promise<ResponseProps> }).responsePromise;
}

/**
 * The props the caller's promise exposes: the real response, without the SDK's own span (the
 * inner promise ends it) and without a retry behind it (the inner promise owns the body).
 */
function callerProps(p: ResponseProps): ResponseProps {
  return { ...p, options: { ...p.options, __span: undefined }, retry: undefined };
}

/** Props for an answer no request produced (an execution intercept answered from a cache). */
function answeredProps(body: string, contentType: string, stream: boolean): ResponseProps {
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': contentType } }),
    options: { method: 'post', path: '/v1/messages', stream },
    controller: new AbortController(),
    requestLogID: 'log_nemo_flow',
    retryOfRequestLogID: undefined,
    startTime: Date.now(),
  };
}

const HELPER = 'x-stainless-helper-method';

/** `messages.stream()` marks its request with the SDK's helper header. */
function viaStreamHelper(options: unknown): boolean {
  if (!isObject(options) || !isObject(options.headers)) return false;
  return (options.headers as Record<string, unknown>)[HELPER] === 'stream';
}

function callOptions(site: Site): LlmCallOptions {
  if (site.callOptions) return site.callOptions;
  const s = site.settings;
  const o: LlmCallOptions = { codec: 'anthropic-messages' };
  if (s.parent) o.parent = s.parent;
  if (s.attributes) o.attributes = s.attributes;
  if (s.metadata !== undefined) o.metadata = s.metadata;
  if (!s.captureContent) o.captureContent = false;
  const server = serverOf(site.client);
  if (server) o.transport = { server_address: server.address, server_port: server.port };
  return (site.callOptions = o);
}

/**
 * Starts counting the call's fetches and returns what stops counting and records the wire facts
 * on the call. Runs inside the call's callback, where the current scope is the call's handle.
 */
function recorder(wire: Wire): () => void {
  const h = getHandle();
  const stop = countOn(wire);
  return () => {
    stop();
    if (!(h instanceof LlmHandle) || wire.attempts === 0) return;
    const facts: LlmTransport = { attempts: wire.attempts };
    if (wire.status !== undefined) facts.http_status = wire.status;
    h.recordTransport(facts);
  };
}

/** Replaces `create` on one resource instance. */
export function wrapCreate(resource: MessagesResource, original: CreateFn, site: Site): CreateFn {
  return function create(this: MessagesResource, params: unknown, options?: unknown): ApiPromise<unknown> {
    const self = (this as MessagesResource | undefined) ?? resource;
    if (!isObject(params)) return original.call(self, params, options);
    const name = site.settings.name ?? `${site.prefix}.${viaStreamHelper(options) ? 'stream' : 'create'}`;
    const state: CallState = { raw: false, inner: undefined, wire: { attempts: 0, status: undefined }, sdkStream: undefined, abortError: undefined };
    const send = (content: unknown): ApiPromise<unknown> => {
      const inner = original.call(self, content, options);
      state.inner = inner;
      return inner;
    };
    return params.stream === true ? streamCall(site, name, params, send, state) : plainCall(site, name, params, send, state);
  };
}

function plainCall(site: Site, name: string, params: object, send: (c: unknown) => ApiPromise<unknown>, state: CallState): ApiPromise<unknown> {
  const result = llmCallExecute(
    name,
    { headers: {}, content: params },
    (req) => {
      const record = recorder(state.wire);
      let inner: ApiPromise<unknown>;
      try {
        inner = send(req.content);
      } catch (e) {
        record();
        throw e;
      }
      // A caller that took the raw response reads its body; the call ends at the headers.
      return propsOf(inner)
        .then(() => (state.raw ? null : inner))
        .then(
          (v) => {
            record();
            return v;
          },
          (e: unknown) => {
            record();
            throw e;
          },
        );
    },
    callOptions(site),
  );
  // The caller's promise settles with the call's (not the SDK's, which settles a few ticks before
  // the call has ended), so code after `await` sees the call ended.
  const props = result.then((value) =>
    state.inner ? propsOf(state.inner).then(callerProps) : answeredProps(JSON.stringify(value), 'application/json', false),
  );
  return callerPromise(site.client, props, () => result, state);
}

/** A caller taking the raw response (`.asResponse()`) before it arrived gets its body unread. */
function watchRaw(p: ApiPromise<unknown>, state: CallState): void {
  const asResponse = p.asResponse;
  p.asResponse = function (this: ApiPromise<unknown>) {
    state.raw = true;
    return asResponse.call(this);
  };
}

function streamCall(site: Site, name: string, params: object, send: (c: unknown) => ApiPromise<unknown>, state: CallState): ApiPromise<unknown> {
  const client = site.client;
  const result = llmStreamCallExecute<unknown>(
    name,
    { headers: {}, content: params },
    async (req) => {
      const record = recorder(state.wire);
      try {
        await propsOf(send(req.content));
      } finally {
        record();
      }
      const inner = state.inner!;
      if (state.raw) return [];
      const stream = (await inner) as StreamState['sdkStream'] & object;
      state.sdkStream = stream;
      return watchEnd(stream, state, client);
    },
    callOptions(site),
  );
  const props = result.then((ls) => {
    if (state.raw) void ls.return();
    // answered without a request: a response whose body is the answer's events (made once: its
    // body reads the call's stream)
    return state.inner ? propsOf(state.inner).then(callerProps) : sseProps(ls, undefined);
  });
  let parsed: Promise<unknown> | undefined;
  const parse = (): Promise<unknown> =>
    (parsed ??= result.then((ls: LlmStream<unknown>) => {
      if (state.sdkStream) return sdkStreamOf(ls, state, client);
      // answered without a request: the SDK builds its own Stream over that response
      return new (apiPromiseClass(client))<unknown>(client, props);
    }));
  const p = callerPromise(client, props, parse, state);
  // Message threads (the tool runner) read the props and parse the body themselves: they get the
  // events as they passed through the call, re-framed as server-sent events.
  let threadProps: Promise<ResponseProps> | undefined;
  p._responseProps = () => (threadProps ??= Promise.all([props, result]).then(([pr, ls]) => (state.sdkStream ? sseProps(ls, pr, state) : pr)));
  return p;
}

/** The caller's `APIPromise`: the client's own class, parsing to the call's result. */
function callerPromise(client: SdkClient, props: Promise<ResponseProps>, parse: () => unknown, state: CallState): ApiPromise<unknown> {
  const C = apiPromiseClass(client);
  const p = new C<unknown>(client, props, parse);
  watchRaw(p, state);
  return p;
}

/**
 * The SDK stream as the call's source. The SDK ends a stream whose controller was aborted as if it
 * had completed; the call records it as aborted (and the caller still sees a quiet end).
 */
function watchEnd(stream: StreamState['sdkStream'] & object, state: CallState, client: SdkClient): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]() {
      const it = stream[Symbol.asyncIterator]();
      return {
        next: () =>
          it.next().then((r) => {
            if (r.done) {
              if (stream.controller.signal.aborted) throw (state.abortError = abortErrorFor(client));
            }
            return r;
          }),
        return: (v?: unknown) => (it.return ? it.return(v) : Promise.resolve({ done: true as const, value: v })),
      };
    },
  };
}
