/**
 * Hands the caller the SDK's own `APIPromise` for a call that runs through the runtime: its value is
 * what the pipeline resolved to, its raw response (`.withResponse()`, `.asResponse()`, the props the
 * SDK's helpers read in `_thenUnwrap`) the one of the real HTTP request. When middleware answered
 * without a request (a cache, a router), a synthetic 200 JSON response stands in.
 */
import { APIPromise } from 'openai';
import type OpenAI from 'openai';

/** The SDK's response props (what `_thenUnwrap` passes its transform). */
export type ResponseProps = Parameters<Parameters<APIPromise<unknown>['_thenUnwrap']>[0]>[1];

/** What a pipeline run produced: the value for the caller and the real response props, if a request was made. */
export interface Outcome {
  data: unknown;
  props: ResponseProps | undefined;
  /** Streams: the caller took the raw response (`.asResponse()`) and reads the body itself. */
  onRaw?: () => void;
}

function syntheticProps(path: string, body: unknown, data: unknown, streamed: boolean): ResponseProps {
  const response = new Response(streamed ? null : JSON.stringify(data ?? null), { status: 200, headers: { 'content-type': 'application/json' } });
  return {
    response,
    options: { method: 'post', path, body } as ResponseProps['options'],
    controller: new AbortController(),
    requestLogID: 'nemo-flow',
    retryOfRequestLogID: undefined,
    startTime: Date.now(),
  };
}

/** An `APIPromise` settling with `outcome`. */
export function sdkPromise(client: OpenAI, path: string, body: unknown, streamed: boolean, outcome: Promise<Outcome>): APIPromise<unknown> {
  const props = outcome.then((o) => o.props ?? syntheticProps(path, body, o.data, streamed));
  // The SDK parses only after the props resolved; by then `outcome` has too.
  const promise = new APIPromise<unknown>(client, props, () => outcome.then((o) => o.data));
  promise.asResponse = () => outcome.then((o) => rawResponse(o, props, true));
  // `.withResponse()` also hands over the stream object, which reads the body: the call goes on.
  promise.withResponse = async () => {
    const [data, response] = await Promise.all([promise, outcome.then((o) => rawResponse(o, props, false))]);
    return { data, response, request_id: response.headers.get('x-request-id') };
  };
  return promise;
}

/**
 * The raw `Response` for `.asResponse()` / `.withResponse()`. A JSON body was read to give the call
 * its result, so the caller gets the same status and headers with that result as the body; a
 * stream's body is unread and handed over as is (the call then ends: the caller reads it).
 */
async function rawResponse(o: Outcome, props: Promise<ResponseProps>, handOver: boolean): Promise<Response> {
  const r = (await props).response;
  if (!r.bodyUsed) {
    if (handOver) o.onRaw?.();
    return r;
  }
  return new Response(JSON.stringify(o.data ?? null), { status: r.status, statusText: r.statusText, headers: r.headers });
}
