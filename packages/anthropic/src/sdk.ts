/**
 * The parts of `@anthropic-ai/sdk` this package touches, described structurally: the SDK's own
 * classes are used through the objects it hands out (its `APIPromise`, its `Stream`), never
 * imported, so a client from either of the SDK's builds (CJS or ESM) gets its own classes back.
 */

/** What `APIPromise` resolves its raw side to (the SDK's `APIResponseProps`). */
export interface ResponseProps {
  response: Response;
  options: Record<string, unknown>;
  controller: AbortController;
  requestLogID: string;
  retryOfRequestLogID: string | undefined;
  startTime: number;
  retry?: unknown;
  [key: string]: unknown;
}

/** The SDK's `APIPromise`. */
export interface ApiPromise<T> extends Promise<T> {
  asResponse(): Promise<Response>;
  withResponse(): Promise<{ data: T; response: Response; request_id: string | null | undefined }>;
  /** Internal in 1.x; message threads read it. */
  _responseProps?(): Promise<ResponseProps>;
}

/** The `APIPromise` constructor of one SDK build. */
export type ApiPromiseClass = new <T>(
  client: SdkClient,
  responsePromise: Promise<ResponseProps>,
  parseResponse?: (client: SdkClient, props: ResponseProps) => T | Promise<T>,
) => ApiPromise<T>;

/** The SDK's `Stream`. */
export interface SdkStream<T> extends AsyncIterable<T> {
  controller: AbortController;
}

export type SdkStreamClass = new <T>(iterator: () => AsyncIterator<T>, controller: AbortController, client?: SdkClient) => SdkStream<T>;

export type Fetch = (url: unknown, init?: unknown) => Promise<Response>;

export type CreateFn = (this: MessagesResource, params: unknown, options?: unknown) => ApiPromise<unknown>;

export interface MessagesResource {
  create: CreateFn;
  toolRunner?: (this: MessagesResource, body: unknown, options?: unknown) => unknown;
  _client?: SdkClient;
}

/** A client instance (`Anthropic` / `BaseAnthropic`). */
export interface SdkClient {
  baseURL?: string;
  messages?: MessagesResource;
  beta?: { messages?: MessagesResource };
  request(options: unknown): ApiPromise<unknown>;
  fetch?: Fetch;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
