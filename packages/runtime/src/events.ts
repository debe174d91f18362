/**
 * Builds lifecycle events and hands them to the dispatcher. Events are frozen and their payloads
 * are read-only views of the caller's values: nothing is copied or serialized here.
 */
import { ATOF_VERSION } from './types.js';
import type { CategoryProfile, EndStatus, EventError, LifecycleEvent, MarkEvent, ScopeEvent, ScopeType } from './types.js';
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
 * only on end events): engines keep one hidden class for all of them.
 */
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
  const e = {
    kind: 'scope',
    atof_version: ATOF_VERSION,
    uuid: handle.uuid,
    parent_uuid: handle.parent ? handle.parent.uuid : null,
    timestamp: formatMicros(micros),
    name: handle.name,
    data: readonlyView(data ?? null),
    data_schema: null,
    metadata: readonlyView(metadata ?? null),
    scope_category: phase,
    attributes: handle.attributes,
    category: handle.scopeType,
    category_profile: readonlyView(profile),
    status,
    error: error === undefined ? undefined : Object.freeze(error),
  } as ScopeEvent;
  (e as { [MICROS]?: number })[MICROS] = micros;
  return Object.freeze(e);
}

/** @internal Emits the start event of a scope or call. */
export function emitStart(handle: ScopeHandle, micros: number, data: unknown, profile: CategoryProfile | null): void {
  if (!hasSubscribers()) return;
  dispatch(scopeEvent(handle, 'start', micros, data, profile, undefined, undefined), handle.parent);
}

/** @internal Emits the end event of a scope or call (delivered to the scope's own local subscribers too). */
export function emitEnd(
  handle: ScopeHandle,
  micros: number,
  data: unknown,
  profile: CategoryProfile | null,
  error: EventError | undefined,
): void {
  if (!hasSubscribers()) return;
  dispatch(scopeEvent(handle, 'end', micros, data, profile, error ? 'error' : 'ok', error), handle);
}

/** @internal Emits a mark under `parent`. */
export function emitMark(
  name: string,
  parent: ScopeHandle,
  micros: number,
  data: unknown,
  metadata: unknown,
  category: ScopeType | null,
): void {
  if (!hasSubscribers()) return;
  if (redactingEvents()) {
    data = redactPart(data, 'mark_data');
    metadata = redactPart(metadata, 'metadata');
  }
  const e: MarkEvent & { [MICROS]: number } = {
    kind: 'mark',
    atof_version: ATOF_VERSION,
    uuid: uuidv7(),
    parent_uuid: parent.uuid,
    timestamp: formatMicros(micros),
    name,
    data: readonlyView(data ?? null),
    data_schema: null,
    metadata: readonlyView(metadata ?? null),
    category,
    category_profile: null,
    [MICROS]: micros,
  };
  dispatch(Object.freeze(e), parent);
}
