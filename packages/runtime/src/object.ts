/** The one "is this a plain JSON-like object" test every package uses. */

/** True for an object that is not null and not an array (what a JSON object parses to). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
