/**
 * `nemo_flow.*` attributes: what the runtime knew about an event that no semantic convention has
 * a name for (uuid, parent, category, attribute strings, metadata). Shared by every mapper, so
 * a span in any vocabulary can be traced back to the event stream.
 */
import type { Attributes } from '@opentelemetry/api';
import type { MarkEvent, ScopeEvent } from '@nemo-flow/runtime';
import { boundedStringify, boundedText } from './bounded-json.js';
import {
  ATTR_NEMO_FLOW_ATTRIBUTES,
  ATTR_NEMO_FLOW_CATEGORY,
  ATTR_NEMO_FLOW_DATA,
  ATTR_NEMO_FLOW_DATA_SCHEMA,
  ATTR_NEMO_FLOW_END_METADATA,
  ATTR_NEMO_FLOW_METADATA,
  ATTR_NEMO_FLOW_PARENT_UUID,
  ATTR_NEMO_FLOW_UUID,
} from './semconv.js';

/** True for `null`, `undefined` and objects without own enumerable keys (nothing worth a JSON attribute). */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value !== 'object') return false;
  for (const _ in value) return false;
  return true;
}

/**
 * Adds the start-event `nemo_flow.*` attributes to `attrs`. The event name is left out: mappers
 * add `nemo_flow.name` where the span name does not already carry it (every attribute costs on
 * the hot path).
 */
export function addNemoFlowStartAttributes(event: ScopeEvent, attrs: Attributes, maxLength: number): void {
  attrs[ATTR_NEMO_FLOW_UUID] = event.uuid;
  if (event.parent_uuid) attrs[ATTR_NEMO_FLOW_PARENT_UUID] = event.parent_uuid;
  attrs[ATTR_NEMO_FLOW_CATEGORY] = event.category;
  if (event.attributes.length > 0) attrs[ATTR_NEMO_FLOW_ATTRIBUTES] = event.attributes.slice();
  if (!isEmpty(event.metadata)) attrs[ATTR_NEMO_FLOW_METADATA] = boundedStringify(event.metadata, maxLength);
  if (!isEmpty(event.data_schema)) attrs[ATTR_NEMO_FLOW_DATA_SCHEMA] = boundedStringify(event.data_schema, maxLength);
}

/**
 * Adds the end-event `nemo_flow.*` attributes to `attrs` (creating it when needed) and returns
 * it. How the work ended is the span status (set by the bridge), so a plain successful end adds
 * nothing and costs no allocation.
 */
export function addNemoFlowEndAttributes(event: ScopeEvent, start: ScopeEvent, attrs: Attributes | undefined, maxLength: number): Attributes | undefined {
  // End metadata is usually the start's; record it only when it says something new.
  if (event.metadata !== start.metadata && !isEmpty(event.metadata)) {
    const end = boundedStringify(event.metadata, maxLength);
    if (isEmpty(start.metadata) || end !== boundedStringify(start.metadata, maxLength)) {
      attrs ??= {};
      attrs[ATTR_NEMO_FLOW_END_METADATA] = end;
    }
  }
  return attrs;
}

/** The `nemo_flow.*` attributes of a mark's span event (its data only with content capture). */
export function nemoFlowMarkAttributes(event: MarkEvent, maxLength: number, captureContent: boolean): Attributes {
  const attrs: Attributes = {};
  attrs[ATTR_NEMO_FLOW_UUID] = event.uuid;
  if (event.category) attrs[ATTR_NEMO_FLOW_CATEGORY] = event.category;
  if (!isEmpty(event.metadata)) attrs[ATTR_NEMO_FLOW_METADATA] = boundedStringify(event.metadata, maxLength);
  if (captureContent && event.data !== null && event.data !== undefined) {
    attrs[ATTR_NEMO_FLOW_DATA] = boundedText(event.data, maxLength);
  }
  return attrs;
}
