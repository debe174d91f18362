/**
 * Session ids and file names. Session ids come from the application (scope metadata), so they
 * are made safe for the file system before they become part of a path: no separators, no
 * traversal, no hidden or device names, bounded length.
 */
import { hashHex } from './hash.js';

/** Longest sanitized id; longer ids are cut and suffixed with a hash of the original. */
export const MAX_ID_LENGTH = 96;

/**
 * Longest rendered file name, in bytes. File systems allow 255; the rest is room for what is added
 * later: `-N` numbering, `.invalid`, and the hidden lock (`.….lock`) and temp names built from it.
 */
export const MAX_NAME_BYTES = 200;

/** The default file name template. */
export const DEFAULT_FILENAME_TEMPLATE = 'trajectory-{session_id}.json';

const PLACEHOLDERS = ['session_id', 'run_id', 'agent_name', 'trajectory_id'] as const;
export type FilenameVars = Record<(typeof PLACEHOLDERS)[number], string>;

/**
 * A file-system-safe form of `raw`: only `[A-Za-z0-9._-]`, no leading dot or dash, at most
 * `MAX_ID_LENGTH` characters, never a Windows device name. Returns `''` when nothing usable is
 * left (the caller then generates an id).
 */
export function sanitizeSessionId(raw: string): string {
  let s = raw.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.\-_]+/, '');
  if (s === '' || /^_*$/.test(s)) return '';
  if (s.length > MAX_ID_LENGTH) s = `${s.slice(0, MAX_ID_LENGTH - 15)}-${hashHex(raw)}`;
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(s)) s = `_${s}`;
  return s;
}

/** Throws a `TypeError` when `template` cannot produce a safe, per-run file name. */
export function checkFilenameTemplate(template: string): void {
  if (/[/\\]/.test(template) || template.includes('\0'))
    throw new TypeError(`ATIF filenameTemplate must be a plain file name (no path separators): ${template}`);
  if (!template.includes('{session_id}') && !template.includes('{run_id}') && !template.includes('{trajectory_id}'))
    throw new TypeError(`ATIF filenameTemplate must contain {session_id}, {run_id} or {trajectory_id}: ${template}`);
  const unknown = /\{([^}]*)\}/g;
  for (let m = unknown.exec(template); m; m = unknown.exec(template)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!))
      throw new TypeError(`ATIF filenameTemplate has an unknown placeholder {${m[1]}}; known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`);
  }
}

/** Fills the template; every value is sanitized again, so no placeholder can add a separator. */
export function renderFilename(template: string, vars: FilenameVars): string {
  const name = template.replace(/\{(session_id|run_id|agent_name|trajectory_id)\}/g, (_, k: keyof FilenameVars) => {
    // An id with nothing usable left falls back to the run's uuid.
    return sanitizeSessionId(vars[k]) || sanitizeSessionId(vars.run_id) || 'unnamed';
  });
  return capName(sanitizeFileName(name));
}

/** The longest prefix of `s` that fits in `max` UTF-8 bytes (never a cut character). */
export function cutBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch);
    if (bytes + b > max) break;
    out += ch;
    bytes += b;
  }
  return out;
}

/** `name` cut to `MAX_NAME_BYTES`, keeping `.json` and adding a hash of the whole name so cut names stay distinct. */
function capName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const ext = name.endsWith('.json') ? '.json' : '';
  const hash = hashHex(name);
  return `${cutBytes(name.slice(0, name.length - ext.length), MAX_NAME_BYTES - ext.length - hash.length - 1)}-${hash}${ext}`;
}

/** A rendered name must still be a plain, visible file name. */
function sanitizeFileName(name: string): string {
  const clean = name.replace(/[/\\\0]/g, '_');
  return clean.startsWith('.') ? `_${clean}` : clean;
}

/** `name` with `-2`, `-3` … inserted before the extension. */
export function numberedName(name: string, n: number): string {
  const dot = name.endsWith('.json') ? name.length - 5 : name.length;
  return `${name.slice(0, dot)}-${n}${name.slice(dot)}`;
}

/** The name an invalid trajectory is written under: `x.json` → `x.invalid.json`. */
export function invalidName(name: string): string {
  return name.endsWith('.json') ? `${name.slice(0, -5)}.invalid.json` : `${name}.invalid.json`;
}
