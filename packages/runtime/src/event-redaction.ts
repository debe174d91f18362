/**
 * Internal to the runtime (no entry point exports it; an internal tag here would strip the import
 * below from the declarations): redaction of the event parts no sanitize guardrail reaches: the
 * input and output of plain scopes, mark data, every event's metadata and error description. Tool
 * and LLM payloads go through the sanitize guardrails instead. The `pii_redaction` component installs a redactor
 * here; with none installed, building an event costs one length check more.
 */
import type { EventError } from './types.js';
import { reportFailure } from './report.js';

/** What subscribers see in place of a payload whose sanitize guardrail failed or threw. */
export const REDACTED_MARKER = '[redacted: sanitize guardrail failed]';

/** Which part of an event a value is. */
export type EventPart = 'scope_input' | 'scope_output' | 'mark_data' | 'metadata' | 'error';

/** Returns what subscribers see instead of `value`. Must not modify `value`. Synchronous. */
export type EventPartRedactor = (value: unknown, part: EventPart) => unknown;

let redactors: ReadonlyArray<readonly [string, EventPartRedactor]> = [];

/** Installs a redactor under a unique name (the plugin system's full name). */
export function addEventRedactor(name: string, fn: EventPartRedactor): void {
  if (redactors.some(([n]) => n === name)) throw new TypeError(`event redactor "${name}" is already installed`);
  redactors = [...redactors, [name, fn]];
}

/** Removes a redactor. Returns whether it was installed. */
export function removeEventRedactor(name: string): boolean {
  const next = redactors.filter(([n]) => n !== name);
  const removed = next.length !== redactors.length;
  redactors = next;
  return removed;
}

/** True when events must go through `redactPart` / `redactError`. */
export function redactingEvents(): boolean {
  return redactors.length > 0;
}

/**
 * What subscribers see of `value`. A redactor that throws is reported and the part becomes the
 * redaction marker: what could not be redacted is never shown.
 */
export function redactPart(value: unknown, part: EventPart): unknown {
  if (value === null || value === undefined) return value;
  let v: unknown = value;
  for (const [name, fn] of redactors) {
    try {
      v = fn(v, part);
    } catch (err) {
      reportFailure(`event-redactor:${name}`, `event redactor "${name}" failed; the ${part} shows a redaction marker`, err);
      return REDACTED_MARKER;
    }
  }
  return v;
}

/** The error description subscribers see: every string of it redacted, the shape kept. */
export function redactError(error: EventError): EventError {
  // A copy without the stack (not enumerable, so the spread leaves it out): a stack repeats the
  // message and is not scanned, so with redaction on it is not shown at all.
  const plain: EventError = { ...error };
  const r = redactPart(plain, 'error') as Partial<EventError> | null;
  if (r === plain) return plain;
  if (r !== null && typeof r === 'object' && typeof r.type === 'string' && typeof r.message === 'string') return r as EventError;
  return { type: 'Error', message: REDACTED_MARKER, ...(error.guardrail !== undefined ? { guardrail: error.guardrail } : {}) };
}
