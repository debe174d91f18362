/** Handles of in-flight tool and LLM calls. A call is a scope too: work inside it is parented to it. */
import { ScopeHandle, normalizeAttributes } from '../scope.js';
import type { CategoryProfile, LlmTransport } from '../types.js';
import type { LlmCodec } from '../codecs/types.js';
import { emitStart } from '../events.js';
import { detachHandle } from '../lifecycle.js';
import { trackPending } from '../subscribers.js';
import { isThenable } from './pipeline.js';
import type { SanitizeResult } from './pipeline.js';
import { trackCall } from '../open-calls.js';

/** What tool and LLM calls share beyond being scopes. */
abstract class CallHandle extends ScopeHandle {
  /** @internal The category profile of the call's events. */
  abstract _profile: CategoryProfile;
  /** @internal Manual calls only: the pending emission of an event waiting for an async sanitizer. */
  _deferred: Promise<void> | undefined = undefined;
  /** @internal Option `captureContent: false`: events carry no payload (LLM calls: content-free annotations too). */
  _noContent = false;
}

/** A tool call in flight (from `toolCall`, or inside `toolCallExecute`). */
export class ToolHandle extends CallHandle {
  /** The provider's tool call id, when known. */
  readonly toolCallId: string | null;
  /** @internal */ _profile: CategoryProfile;

  /** @internal */
  constructor(
    name: string,
    parent: ScopeHandle,
    toolCallId: string | null,
    attributes: readonly string[] | undefined,
    data: unknown,
    metadata: unknown,
    micros: number,
  ) {
    super(name, 'tool', parent, normalizeAttributes(attributes), data, metadata, micros);
    this.toolCallId = toolCallId;
    this._profile = { tool_call_id: toolCallId };
  }
}

/** An LLM call in flight (from `llmCall`, or inside `llmCallExecute` / `llmStreamCallExecute`). */
export class LlmHandle extends CallHandle {
  /** The model, when known (option `modelName`, else the request's `model`). */
  readonly modelName: string | null;
  /** @internal */ _profile: CategoryProfile;
  /** @internal The codec used for this call's request, reused for its response. */
  _codec: LlmCodec | undefined;
  /** @internal The codec was detected from the request (not named): the response's shape may overrule it. */
  _codecDetected: boolean;

  /** @internal Wire facts recorded so far (`category_profile.transport`). */
  _transport: LlmTransport | undefined;

  /** @internal */
  constructor(
    name: string,
    parent: ScopeHandle,
    modelName: string | null,
    attributes: readonly string[] | undefined,
    data: unknown,
    metadata: unknown,
    micros: number,
  ) {
    super(name, 'llm', parent, normalizeAttributes(attributes), data, metadata, micros);
    this.modelName = modelName;
    this._profile = { model_name: modelName };
    this._codec = undefined;
    this._codecDetected = false;
    this._transport = undefined;
  }

  /**
   * Records how the call went over the wire (server, HTTP status, attempts…), merged into what was
   * recorded before; shown on the end event as `category_profile.transport`. For integrations: inside
   * a managed call's callback `getHandle()` is this handle; a stream's is `LlmStream.handle`.
   */
  recordTransport(facts: LlmTransport): void {
    this._transport = mergeTransport(this._transport, facts, 'recordTransport');
  }
}

const TRANSPORT_FIELDS = 'server_address, server_port, http_status, attempts, time_to_first_chunk_ms, provider_name';

function badField(what: string, key: string, expected: string): TypeError {
  return new TypeError(`${what}: transport field "${key}" must be ${expected}`);
}

/** @internal Checks `facts` and returns `prior` with them merged in (a new object: events keep the old one). */
export function mergeTransport(prior: LlmTransport | undefined, facts: unknown, what: string): LlmTransport {
  if (facts === null || typeof facts !== 'object' || Array.isArray(facts)) throw new TypeError(`${what}: facts must be an object of LlmTransport fields`);
  const f = facts as Record<string, unknown>;
  const out: Record<string, unknown> = prior === undefined ? {} : { ...prior };
  // A switch over the keys present: integrations record facts several times per call.
  for (const key in f) {
    if (!Object.hasOwn(f, key)) continue;
    const value = f[key];
    switch (key) {
      case 'server_address':
      case 'provider_name':
        if (value === undefined) break;
        if (typeof value !== 'string' || value.length === 0) throw badField(what, key, 'a non-empty string');
        out[key] = value;
        break;
      case 'server_port':
      case 'http_status':
      case 'attempts':
      case 'time_to_first_chunk_ms':
        if (value === undefined) break;
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw badField(what, key, 'a finite number ≥ 0');
        out[key] = value;
        break;
      default:
        throw new TypeError(`${what}: unknown transport field "${key}" (expected one of ${TRANSPORT_FIELDS})`);
    }
  }
  return out as LlmTransport;
}

/** @internal Registers a call under its parent (so a scope ending first can end it) and emits its start. */
export function startCall(handle: ToolHandle | LlmHandle, startData: unknown, profile: CategoryProfile): void {
  trackCall(handle);
  emitStart(handle, handle.startMicros, handle._noContent ? null : startData, profile);
}

/**
 * @internal Manual calls: emits as soon as the sanitize result is ready — now when the sanitizers
 * were synchronous, else when they resolve — always after the call's earlier deferred emission,
 * so start stays before end. `flushSubscribers()` waits for deferred emissions.
 */
export function emitWhenSanitized(h: CallHandle, s: SanitizeResult | Promise<SanitizeResult>, emit: (r: SanitizeResult) => void): void {
  const prior = h._deferred;
  if (!prior && !isThenable(s)) return emit(s);
  const p = Promise.all([prior, s]).then(([, r]) => emit(r));
  h._deferred = p;
  trackPending(p);
}

/** @internal Manual calls: ends now, or — detached at once, so ending twice stays an error — once the sanitizer resolves. */
export function endWhenSanitized(h: CallHandle, s: SanitizeResult | Promise<SanitizeResult>, close: (r: SanitizeResult) => void): void {
  if (!h._deferred && !isThenable(s)) return close(s);
  detachHandle(h);
  emitWhenSanitized(h, s, close);
}
