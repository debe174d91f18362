/**
 * The caller's side of a streamed call: the SDK's own `Stream` class over the runtime's
 * `LlmStream`, so iteration, `tee()`, `toReadableStream()` and `controller.abort()` behave as the
 * SDK's, and every event passes through the call (collector, accumulator, one END event).
 */
import type { LlmStream } from '@nemo-flow/runtime';
import type { ResponseProps, SdkClient, SdkStream, SdkStreamClass } from './sdk.js';

export interface StreamState {
  /** The stream the SDK returned for the last attempt. */
  sdkStream: SdkStream<unknown> | undefined;
  /** The error the call ended with when the caller aborted (the caller does not see it). */
  abortError: unknown;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** The SDK's `APIUserAbortError` of the client's build (a same-named Error if it has none). */
export function abortErrorFor(client: SdkClient): Error {
  const C = (client.constructor as { APIUserAbortError?: new () => Error }).APIUserAbortError;
  if (typeof C === 'function') return new C();
  const e = new Error('Request was aborted.');
  e.name = 'APIUserAbortError';
  return e;
}

/** Iterates the call once; an abort the call recorded ends quietly, as the SDK's own stream does. */
function callerIterator(ls: LlmStream<unknown>, state: StreamState): AsyncIterator<unknown> {
  return {
    next: () =>
      ls.next().catch((e: unknown) => {
        if (e !== undefined && e === state.abortError) return DONE;
        throw e;
      }),
    return: (v?: unknown) => ls.return(v),
  };
}

/** A `Stream` of the SDK's own class, reading the call. Single-consumer, like the SDK's. */
export function sdkStreamOf(ls: LlmStream<unknown>, state: StreamState, client: SdkClient): SdkStream<unknown> {
  const inner = state.sdkStream!;
  const C = inner.constructor as SdkStreamClass;
  let consumed = false;
  return new C<unknown>(
    () => {
      // a second iteration gets the SDK's own "consumed stream" error from the inner stream
      if (consumed) return inner[Symbol.asyncIterator]();
      consumed = true;
      return callerIterator(ls, state);
    },
    inner.controller,
    client,
  );
}

const encoder = new TextEncoder();

/**
 * Props whose body is the call's events framed again as server-sent events, for SDK code that
 * parses a streamed response itself (message threads) and for answers no request produced.
 */
export function sseProps(ls: LlmStream<unknown>, base: ResponseProps | undefined, state?: StreamState): ResponseProps {
  const it = state ? callerIterator(ls, state) : ls;
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      try {
        const r = await it.next();
        if (r.done) return ctrl.close();
        const ev = r.value as { type?: unknown };
        const type = typeof ev?.type === 'string' ? `event: ${ev.type}\n` : '';
        ctrl.enqueue(encoder.encode(`${type}data: ${JSON.stringify(r.value)}\n\n`));
      } catch (e) {
        ctrl.error(e);
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
  const headers = base ? base.response.headers : new Headers({ 'content-type': 'text/event-stream' });
  const response = new Response(body, { status: 200, headers });
  if (base) return { ...base, response, options: { ...base.options, __span: undefined }, retry: undefined };
  return {
    response,
    options: { method: 'post', path: '/v1/messages', stream: true },
    controller: new AbortController(),
    requestLogID: 'log_nemo_flow',
    retryOfRequestLogID: undefined,
    startTime: Date.now(),
  };
}
