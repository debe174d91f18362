/**
 * `input.value` / `output.value` with their `*.mime_type`: a string payload is shown as text, any
 * other payload as JSON (bounded by the attribute budget, never serialized whole when huge).
 * A hidden payload shows the redaction marker and no MIME type, as OpenInference's masking does.
 *
 * One function per attribute pair rather than one taking the keys: a store to a key that varies
 * per call is a slow generic lookup in V8, and these run twice on every span.
 */
import type { Attributes } from '@opentelemetry/api';
import { truncateString } from '@nemo-flow/exporter-otel';
import { jsonText, unwrap } from './json.js';
import { INPUT_MIME_TYPE, INPUT_VALUE, MimeType, OUTPUT_MIME_TYPE, OUTPUT_VALUE } from './names.js';
import { REDACTED_VALUE } from './trace-config.js';

/** The attribute text of a payload: a string as-is (cut), anything else as bounded JSON. */
function valueText(payload: unknown, maxLength: number): string {
  return typeof payload === 'string' ? truncateString(payload, maxLength) : jsonText(unwrap(payload), maxLength);
}

function mimeTypeOf(payload: unknown): MimeType {
  return typeof payload === 'string' ? MimeType.TEXT : MimeType.JSON;
}

/** Sets `input.value`/`input.mime_type` for `payload`; nothing for `null`/`undefined`. */
export function addInputValue(attrs: Attributes, payload: unknown, hidden: boolean, maxLength: number): void {
  if (payload === null || payload === undefined) return;
  if (hidden) {
    attrs[INPUT_VALUE] = REDACTED_VALUE;
    return;
  }
  attrs[INPUT_VALUE] = valueText(payload, maxLength);
  attrs[INPUT_MIME_TYPE] = mimeTypeOf(payload);
}

/** Sets `output.value`/`output.mime_type` for `payload`; nothing for `null`/`undefined`. */
export function addOutputValue(attrs: Attributes, payload: unknown, hidden: boolean, maxLength: number): void {
  if (payload === null || payload === undefined) return;
  if (hidden) {
    attrs[OUTPUT_VALUE] = REDACTED_VALUE;
    return;
  }
  attrs[OUTPUT_VALUE] = valueText(payload, maxLength);
  attrs[OUTPUT_MIME_TYPE] = mimeTypeOf(payload);
}
