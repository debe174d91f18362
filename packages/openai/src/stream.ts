/**
 * Streams: the SDK's `Stream` flows through the runtime's `LlmStream` (chunks seen, END exactly
 * once) and the caller gets a new SDK `Stream` over it sharing the real request's controller, so
 * iteration, `tee()`, `toReadableStream()` and `controller.abort()` behave as the SDK's own.
 */
import { APIUserAbortError, OpenAIError } from 'openai';
import { Stream } from 'openai/core/streaming';
import type OpenAI from 'openai';
import type { LlmStream } from '@nemo-flow/runtime';

/** Errors the source throws only to tell the runtime a stream ended by abort; the caller never sees them. */
const abortMarkers = new WeakSet<object>();

/**
 * The SDK stream as the runtime's source: a stream the SDK ends quietly because its controller was
 * aborted is reported to the runtime as an `APIUserAbortError` (so the END event says it was aborted).
 */
export function sourceOf<T>(stream: Stream<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = stream[Symbol.asyncIterator]();
      return {
        async next() {
          const r = await it.next();
          if (r.done && stream.controller.signal.aborted) {
            const err = new APIUserAbortError();
            abortMarkers.add(err);
            throw err;
          }
          return r;
        },
        return: (v?: unknown) => (it.return ? it.return(v) : Promise.resolve({ done: true as const, value: v as T })),
      };
    },
  };
}

/** The caller's SDK `Stream` over the runtime's stream. */
export function callerStream<T>(llm: LlmStream<T>, controller: AbortController, client: OpenAI): Stream<T> {
  let consumed = false;
  // A stream aborted before anyone iterates it ends its call now, not when the scope ends.
  const onAbort = (): void => {
    if (!consumed) {
      consumed = true;
      const err = new APIUserAbortError();
      abortMarkers.add(err);
      llm.throw(err).catch(() => undefined);
    }
  };
  if (controller.signal.aborted) onAbort();
  else controller.signal.addEventListener('abort', onAbort, { once: true });
  const iterator = (): AsyncIterator<T> => {
    if (consumed && !controller.signal.aborted) throw new OpenAIError('Cannot iterate over a consumed stream, use `.tee()` to split the stream.');
    consumed = true;
    return {
      next: () =>
        llm.next().then(
          (r) => {
            if (r.done) controller.signal.removeEventListener('abort', onAbort);
            return r;
          },
          (err: unknown) => {
            controller.signal.removeEventListener('abort', onAbort);
            if (typeof err === 'object' && err !== null && abortMarkers.has(err)) return { done: true as const, value: undefined };
            throw err;
          },
        ),
      return: (v?: unknown) => {
        controller.signal.removeEventListener('abort', onAbort);
        return llm.return(v) as Promise<IteratorResult<T>>;
      },
    };
  };
  return new Stream<T>(iterator, controller, client);
}
