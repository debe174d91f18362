/**
 * The public data types of the runtime: JSON payloads, scope categories and the lifecycle
 * event contract (NeMo Flow ATOF 0.1 field names, plus an end status).
 */

import type { LlmCost } from './pricing.js';

/** A JSON-compatible value. Payloads should be of this shape; see README "Payloads". */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** What kind of work a scope stands for. Serialized as `category` on events. */
export const ScopeType = {
  Agent: 'agent',
  Function: 'function',
  Tool: 'tool',
  Llm: 'llm',
  Retriever: 'retriever',
  Embedder: 'embedder',
  Reranker: 'reranker',
  Guardrail: 'guardrail',
  Evaluator: 'evaluator',
  Custom: 'custom',
  Unknown: 'unknown',
} as const;
export type ScopeType = (typeof ScopeType)[keyof typeof ScopeType];

/** Every valid scope type, in declaration order. */
export const SCOPE_TYPES: readonly ScopeType[] = Object.values(ScopeType);

/** The ATOF version written in every event. */
export const ATOF_VERSION = '0.1';

/** How a scope, tool call or LLM call ended. Present on every `end` event. */
export type EndStatus = 'ok' | 'error';

/** The error recorded on an `end` event whose status is `error`. */
export interface EventError {
  /** The error's class name (`error.name`), e.g. `TypeError`, `GuardrailRejectedError`. */
  type: string;
  /** The error message. */
  message: string;
  /** Set when a guardrail rejected the call: the guardrail's registered name. */
  guardrail?: string;
  /**
   * The thrown Error's stack, when it had one. Not enumerable, so copies and comparisons of live
   * events leave it out; exporters record it as `exception.stacktrace` and serialized events (ATOF
   * files, `JSON.stringify(event)`) write it, so `nemo-flow view` can show it.
   */
  stack?: string;
}

/**
 * How an LLM call went over the wire, as the integration that made it knows it. Provider-neutral;
 * every field is optional. On LLM events as `category_profile.transport`: facts given at the start
 * (option `transport`) on both events, facts recorded during the call on the end event.
 */
export interface LlmTransport {
  /** Host of the provider endpoint, e.g. from the client's base URL. */
  server_address?: string;
  /** Port of the provider endpoint (the scheme's default when the URL has none). */
  server_port?: number;
  /** HTTP status of the last response (a failing one included). */
  http_status?: number;
  /** HTTP attempts the call made, the client's own retries included (1 = no retry). */
  attempts?: number;
  /** Streams: milliseconds from the call's start to its first chunk (the runtime measures it). */
  time_to_first_chunk_ms?: number;
  /**
   * Who serves the call, as OpenTelemetry's `gen_ai.provider.name` (`openai`, `anthropic`,
   * `gcp.gemini`, `aws.bedrock`…), for formats many providers share (the AI SDK's). Exporters
   * prefer it to what the codec's format implies.
   */
  provider_name?: string;
}

/** Per-category extra information on scope events. */
export interface LlmCategoryProfile {
  model_name: string | null;
  /** Wire facts of the call, when known — see `LlmTransport`. */
  transport?: LlmTransport;
  /** Codec-normalized request (start events) — see `NormalizedRequest`. */
  annotated_request?: unknown;
  /** Codec-normalized response (end events) — see `NormalizedResponse`. */
  annotated_response?: unknown;
  /** End events with usage: what the call cost, from the model price table — see `LlmCost` in `@nemo-flow/runtime/models`. */
  cost?: LlmCost;
}

export interface ToolCategoryProfile {
  tool_call_id: string | null;
}

export type CategoryProfile = LlmCategoryProfile | ToolCategoryProfile | Record<string, unknown>;

interface EventBase {
  atof_version: typeof ATOF_VERSION;
  /** UUIDv7. A scope's (or call's) start and end event share it. */
  uuid: string;
  /** The enclosing scope's uuid (the stack's implicit root for top-level scopes). */
  parent_uuid: string | null;
  /** RFC 3339 UTC timestamp with microseconds, e.g. `2026-11-24T03:06:37.428899Z`. */
  timestamp: string;
  name: string;
  /** The payload: scope input/output, tool args/result, LLM request/response, mark data. */
  data: unknown;
  data_schema: unknown;
  metadata: unknown;
}

/** Start or end of a scope, a tool call or an LLM call. */
export interface ScopeEvent extends EventBase {
  kind: 'scope';
  scope_category: 'start' | 'end';
  /** Sorted attribute strings, e.g. `["streaming"]`. */
  attributes: readonly string[];
  category: ScopeType;
  category_profile: CategoryProfile | null;
  /** End events only: how the work ended. */
  status?: EndStatus;
  /** End events with status `error` only. */
  error?: EventError;
}

/** A point-in-time milestone. */
export interface MarkEvent extends EventBase {
  kind: 'mark';
  category: ScopeType | null;
  category_profile: CategoryProfile | null;
}

/** One entry of the lifecycle stream. Handed to subscribers read-only. */
export type LifecycleEvent = ScopeEvent | MarkEvent;

/** A subscriber callback. It may be sync or async; what it throws or rejects never reaches the app. */
export type Subscriber = (event: LifecycleEvent) => void | Promise<void>;

/** An LLM request as the runtime carries it: transport headers plus the provider payload. */
export interface LlmRequest<C = unknown> {
  headers: Record<string, unknown>;
  content: C;
}
