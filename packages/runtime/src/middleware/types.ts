/**
 * The middleware families and their callback signatures. Every callback may be sync or async.
 */
import type { LlmRequest } from '../types.js';
import type { NormalizedRequest } from '../codecs/types.js';
import type { ScopeHandle } from '../scope.js';

type MaybePromise<T> = T | Promise<T>;

/** Returns a rejection reason to block the call, or nothing to allow it. */
export type ToolConditionalGuardrail = (name: string, args: unknown) => MaybePromise<string | undefined | null | void>;
/** Returns the args the tool will really receive. Do not mutate `args` in place: return a new value. */
export type ToolRequestIntercept = (name: string, args: unknown) => MaybePromise<unknown>;
/**
 * Returns what subscribers see instead of `value` (args on start, result on end). `value` is a private
 * copy: edit it in place or return a new value (`undefined` keeps the edited copy). A throw never fails
 * the call: subscribers see `REDACTED_MARKER` and the failure is reported.
 */
export type ToolSanitizeGuardrail = (name: string, value: unknown) => MaybePromise<unknown>;

/** Information about the call an execution intercept wraps. */
export interface CallInfo {
  /** Tool or LLM name. */
  name: string;
  /** The call's handle (its uuid is the span / event uuid). */
  handle: ScopeHandle;
}

/**
 * Wraps the real tool callback. Call `next(args)` to run the rest of the chain (each call runs it
 * again — that is how a retry works), or return a result without calling it.
 */
export type ToolExecutionIntercept = (args: unknown, next: (args: unknown) => Promise<unknown>, info: CallInfo) => MaybePromise<unknown>;

export type LlmConditionalGuardrail = (request: LlmRequest) => MaybePromise<string | undefined | null | void>;

/** What an LLM request intercept receives. */
export interface LlmInterceptContext {
  name: string;
  /** The request as it stands (read-only: return a new one to change it). */
  request: LlmRequest;
  /** The codec-normalized request when a codec is active: yours to edit in place or replace. */
  annotated: NormalizedRequest | undefined;
}

/**
 * Returns the edited `{ request, annotated }` (either may be replaced), or nothing for no change.
 * A replaced `request` is re-decoded; otherwise `annotated` (edited in place or replaced) is
 * encoded back into the request through the codec.
 */
export type LlmRequestIntercept = (ctx: LlmInterceptContext) => MaybePromise<Partial<Pick<LlmInterceptContext, 'request' | 'annotated'>> | undefined | void>;

/** Returns what subscribers see instead of the request (start) or response (end); `value` is a private copy, as for tools. */
export type LlmSanitizeGuardrail = (value: unknown) => MaybePromise<unknown>;

export type LlmExecutionIntercept = (request: LlmRequest, next: (request: LlmRequest) => Promise<unknown>, info: CallInfo) => MaybePromise<unknown>;

/** Wraps the chunk flow of a streaming call: return the stream the caller (and the next layer out) sees. */
export type LlmStreamExecutionIntercept = (
  request: LlmRequest,
  next: (request: LlmRequest) => Promise<AsyncIterable<unknown>>,
  info: CallInfo,
) => MaybePromise<AsyncIterable<unknown>>;

/** Callback type of each family. */
export interface FamilyCallbacks {
  tool_conditional_execution: ToolConditionalGuardrail;
  tool_request_intercept: ToolRequestIntercept;
  tool_sanitize_request: ToolSanitizeGuardrail;
  tool_sanitize_response: ToolSanitizeGuardrail;
  tool_execution_intercept: ToolExecutionIntercept;
  llm_conditional_execution: LlmConditionalGuardrail;
  llm_request_intercept: LlmRequestIntercept;
  llm_sanitize_request: LlmSanitizeGuardrail;
  llm_sanitize_response: LlmSanitizeGuardrail;
  llm_execution_intercept: LlmExecutionIntercept;
  llm_stream_execution_intercept: LlmStreamExecutionIntercept;
}

export type Family = keyof FamilyCallbacks;

export const FAMILIES: readonly Family[] = [
  'tool_conditional_execution',
  'tool_request_intercept',
  'tool_sanitize_request',
  'tool_sanitize_response',
  'tool_execution_intercept',
  'llm_conditional_execution',
  'llm_request_intercept',
  'llm_sanitize_request',
  'llm_sanitize_response',
  'llm_execution_intercept',
  'llm_stream_execution_intercept',
];

/** One registration. */
export interface Entry<F extends Family = Family> {
  family: F;
  name: string;
  priority: number;
  fn: FamilyCallbacks[F];
  /** Request intercepts only: stop every later entry after this one. */
  breakChain: boolean;
  /** The scope it is local to, or null for global. */
  scope: ScopeHandle | null;
  /** Global registration order, for stable ties. */
  seq: number;
}

/** Options accepted by every `register*` function. */
export interface RegisterOptions {
  /** Register scope-locally: active for calls inside this scope, removed when it ends. */
  scope?: ScopeHandle;
}

/** Options of request intercepts. */
export interface InterceptOptions extends RegisterOptions {
  /** Stop every later request intercept (global and scope-local) after this one. */
  breakChain?: boolean;
}

/** A row of `listMiddleware()`. */
export interface MiddlewareRegistration {
  family: Family;
  name: string;
  priority: number;
  breakChain: boolean;
  /** Uuid and name of the scope it is local to; null for global. */
  scope: { uuid: string; name: string } | null;
}
