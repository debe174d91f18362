/**
 * Event timestamps → OpenTelemetry `HrTime`. Spans take their start and end times from the events,
 * not from the clock when the exporter runs, so a span is exactly as long as the work was.
 */
import type { HrTime } from '@opentelemetry/api';
import { type LifecycleEvent } from '@nemo-flow/runtime';
import { eventTimeMicros } from '@nemo-flow/runtime/exporter-kit';

/** The `HrTime` of an event (exact microseconds for live events; a malformed timestamp → now). */
export function eventHrTime(event: LifecycleEvent): HrTime {
  return fromMicros(eventTimeMicros(event));
}

/** `HrTime` for epoch microseconds (`NaN` → now: a span with a roughly right time beats no span). */
export function fromMicros(micros: number): HrTime {
  if (!Number.isFinite(micros)) micros = Date.now() * 1000;
  const seconds = Math.floor(micros / 1e6);
  return [seconds, Math.round(micros - seconds * 1e6) * 1000];
}
