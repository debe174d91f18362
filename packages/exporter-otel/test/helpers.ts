/** Test helpers: hand-built lifecycle events (for edge cases the runtime API never produces) and setup. */
import { ATOF_VERSION, formatMicros, nowMicros, uuidv7 } from '@nemo-flow/runtime/exporter-kit';
import type { EventError, LifecycleEvent, MarkEvent, ScopeEvent, ScopeType } from '@nemo-flow/runtime';
import { OtelExporter, type OtelExporterOptions } from '@nemo-flow/exporter-otel';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';

let clock = nowMicros();
/** Strictly increasing timestamps, 1 ms apart, so durations are predictable. */
export function nextTime(): number {
  clock += 1000;
  return clock;
}

export interface ScopeSpec {
  name: string;
  category?: ScopeType;
  parent?: string | null;
  data?: unknown;
  metadata?: unknown;
  attributes?: string[];
  profile?: ScopeEvent['category_profile'];
}

/** A start event; returns it with its uuid. */
export function startEvent(spec: ScopeSpec, micros = nextTime()): ScopeEvent {
  return {
    kind: 'scope',
    atof_version: ATOF_VERSION,
    uuid: uuidv7(),
    parent_uuid: spec.parent ?? null,
    timestamp: formatMicros(micros),
    name: spec.name,
    data: spec.data ?? null,
    data_schema: null,
    metadata: spec.metadata ?? null,
    scope_category: 'start',
    attributes: spec.attributes ?? [],
    category: spec.category ?? 'function',
    category_profile: spec.profile ?? null,
  };
}

/** The end event matching `start`. */
export function endEvent(
  start: ScopeEvent,
  opts: { data?: unknown; error?: EventError; profile?: ScopeEvent['category_profile']; metadata?: unknown } = {},
  micros = nextTime(),
): ScopeEvent {
  const e: ScopeEvent = {
    ...start,
    timestamp: formatMicros(micros),
    scope_category: 'end',
    data: opts.data ?? null,
    metadata: opts.metadata ?? start.metadata,
    category_profile: opts.profile ?? start.category_profile,
    status: opts.error ? 'error' : 'ok',
  };
  if (opts.error) e.error = opts.error;
  return e;
}

export function markEvent(name: string, parent: string | null, data: unknown = null, metadata: unknown = null, micros = nextTime()): MarkEvent {
  return {
    kind: 'mark',
    atof_version: ATOF_VERSION,
    uuid: uuidv7(),
    parent_uuid: parent,
    timestamp: formatMicros(micros),
    name,
    data,
    data_schema: null,
    metadata,
    category: null,
    category_profile: null,
  };
}

/** Feeds events to the exporter in order. */
export function feed(exporter: { onEvent(e: LifecycleEvent): void }, ...events: LifecycleEvent[]): void {
  for (const e of events) exporter.onEvent(e);
}

/** A receiver plus an exporter pointed at it; `done()` shuts both down. */
export async function setup(
  options: OtelExporterOptions = {},
  receiverStatus?: number,
): Promise<{
  receiver: OtlpReceiver;
  exporter: OtelExporter;
  done(): Promise<void>;
}> {
  const receiver = await startOtlpReceiver(receiverStatus === undefined ? {} : { status: receiverStatus });
  const exporter = new OtelExporter({ endpoint: receiver.url, ...options });
  return {
    receiver,
    exporter,
    done: async () => {
      await exporter.shutdown({ timeoutMillis: 2000 });
      await receiver.close();
    },
  };
}

export { collectFailures } from '../../../test/support/failures.js';
export { freePort } from '../../../test/support/free-port.js';

/** Feeds `n` complete spans named `${prefix}-i`. */
export function completeSpans(exporter: { onEvent(e: LifecycleEvent): void }, n: number, prefix = 'done'): void {
  for (let i = 0; i < n; i++) {
    const s = startEvent({ name: `${prefix}-${i}` });
    feed(exporter, s, endEvent(s));
  }
}
