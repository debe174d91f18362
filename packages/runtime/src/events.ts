/**
 * Builds lifecycle events and hands them to the dispatcher. Events are frozen and their payloads
 * are read-only views of the caller's values: nothing is copied or serialized here.
 */
import { ATOF_VERSION } from './types.js';
import type { CategoryProfile, EndStatus, EventError, Json, LifecycleEvent, MarkEvent, ScopeEvent, ScopeType } from './types.js';
import { eventToJson } from './payload.js';
import type { ScopeHandle } from './scope.js';
import { formatMicros, parseTimestampMicros } from './time.js';
import { readonlyView } from './readonly.js';
import { uuidv7 } from './uuid.js';
import { dispatch, hasSubscribers } from './subscribers.js';
import { redactError, redactPart, redactingEvents } from './event-redaction.js';

const MICROS = Symbol('nemo_flow.timestamp_micros');

/** Epoch microseconds of an event (exact for live events; parsed from `timestamp` otherwise). */
export function eventTimeMicros(event: LifecycleEvent): number {
  const m = (event as { [MICROS]?: number })[MICROS];
  return m !== undefined ? m : parseTimestampMicros(event.timestamp);
}

/**
 * A scope event with one fixed shape (every field assigned in the same order, `status`/`error`
 * only on end events): engines keep one hidden class for all of them. Events are class instances
 * only for the `toJSON` on their prototype (not an own key: `Object.keys` and spreads see just
 * the ATOF fields), which makes plain `JSON.stringify(event)` safe on any payload.
 */
class ScopeEventRecord {
  constructor(
    handle: ScopeHandle,
    phase: 'start' | 'end',
    micros: number,
    data: unknown,
    metadata: unknown,
    profile: CategoryProfile | null,
    status: EndStatus | undefined,
    error: EventError | undefined,
  ) {
    const e = this as unknown as Record<string | symbol, unknown>;
    e.kind = 'scope';
    e.atof_version = ATOF_VERSION;
    e.uuid = handle.uuid;
    e.parent_uuid = handle.parent ? handle.parent.uuid : null;
    e.timestamp = formatMicros(micros);
    e.name = handle.name;
    e.data = readonlyView(data ?? null);
    e.data_schema = null;
    e.metadata = readonlyView(metadata ?? null);
    e.scope_category = phase;
    e.attributes = handle.attributes;
    e.category = handle.scopeType;
    e.category_profile = readonlyView(profile);
    e.status = status;
    e.error = error === undefined ? undefined : Object.freeze(error);
    e[MICROS] = micros;
  }

  /** The event as JSON (what `serializeEvent` writes): never throws on circular or BigInt payloads. */
  toJSON(): Json {
    return eventToJson(this);
  }
}

class MarkEventRecord {
  constructor(name: string, parent: ScopeHandle, micros: number, data: unknown, metadata: unknown, category: ScopeType | null) {
    const e = this as unknown as Record<string | symbol, unknown>;
    e.kind = 'mark';
    e.atof_version = ATOF_VERSION;
    e.uuid = uuidv7();
    e.parent_uuid = parent.uuid;
    e.timestamp = formatMicros(micros);
    e.name = name;
    e.data = readonlyView(data ?? null);
    e.data_schema = null;
    e.metadata = readonlyView(metadata ?? null);
    e.category = category;
    e.category_profile = null;
    e[MICROS] = micros;
  }

  /** The event as JSON (what `serializeEvent` writes): never throws on circular or BigInt payloads. */
  toJSON(): Json {
    return eventToJson(this);
  }
}

function scopeEvent(
  handle: ScopeHandle,
  phase: 'start' | 'end',
  micros: number,
  data: unknown,
  profile: CategoryProfile | null,
  status: EndStatus | undefined,
  error: EventError | undefined,
): ScopeEvent {
  let metadata = handle.metadata;
  if (redactingEvents()) {
    // Call payloads (profile set) went through the sanitize guardrails already.
    if (profile === null) data = redactPart(data, phase === 'start' ? 'scope_input' : 'scope_output');
    metadata = redactPart(metadata, 'metadata');
    if (error !== undefined) error = redactError(error);
  }
  return Object.freeze(new ScopeEventRecord(handle, phase, micros, data, metadata, profile, status, error)) as unknown as ScopeEvent;
}

/** @internal Emits the start event of a scope or call. */
export function emitStart(handle: ScopeHandle, micros: number, data: unknown, profile: CategoryProfile | null): void {
  if (!hasSubscribers()) return;
  dispatch(scopeEvent(handle, 'start', micros, data, profile, undefined, undefined), handle.parent);
}

/** @internal Emits the end event of a scope or call (delivered to the scope's own local subscribers too). */
export function emitEnd(handle: ScopeHandle, micros: number, data: unknown, profile: CategoryProfile | null, error: EventError | undefined): void {
  if (!hasSubscribers()) return;
  dispatch(scopeEvent(handle, 'end', micros, data, profile, error ? 'error' : 'ok', error), handle);
}

/** @internal Emits a mark under `parent`. */
export function emitMark(name: string, parent: ScopeHandle, micros: number, data: unknown, metadata: unknown, category: ScopeType | null): void {
  if (!hasSubscribers()) return;
  if (redactingEvents()) {
    data = redactPart(data, 'mark_data');
    metadata = redactPart(metadata, 'metadata');
  }
  dispatch(Object.freeze(new MarkEventRecord(name, parent, micros, data, metadata, category)) as unknown as MarkEvent, parent);
}
