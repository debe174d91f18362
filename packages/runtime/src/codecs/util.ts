/**
 * Small helpers shared by the codecs: type guards, structural equality for decoded values, and the
 * internal path-carrying error that becomes a `CodecError` at the codec boundary.
 */
import { CodecError, type CodecName, type ContentPart, type NormalizedMessage, type Role } from './types.js';
import { isPlainObject } from '../object.js';

export type Obj = Record<string, unknown>;

/** A plain object (not null, not an array). */
export const isObj: (v: unknown) => v is Obj = isPlainObject;

/** A finite number, or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `v` when it is an array, else undefined. */
export function arr(v: unknown): readonly unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

export function hasOwn(o: object, key: string): boolean {
  return Object.hasOwn(o, key);
}

/** Sets `o[key] = v`, or deletes the key when `v` is undefined. */
export function setOrDelete(o: Obj, key: string, v: unknown): void {
  if (v === undefined) delete o[key];
  else o[key] = v;
}

/**
 * Structural equality of JSON-like values. A property holding `undefined` counts as absent, so a
 * middleware that writes `msg.name = undefined` has not changed the message.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a !== a && b !== b; // NaN
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Obj;
  const rb = b as Obj;
  let na = 0;
  for (const k in ra) {
    const va = ra[k];
    if (va === undefined) continue;
    na++;
    if (!deepEqual(va, rb[k])) return false;
  }
  let nb = 0;
  for (const k in rb) if (rb[k] !== undefined) nb++;
  return na === nb;
}

/**
 * Separator between separate text parts of one message. Assistant output arrives split into
 * fragments of one text (e.g. Anthropic splits text around citations), so those are concatenated;
 * parts written by users or tools are separate blocks, joined by a newline.
 */
export function textSeparator(role: Role): string {
  return role === 'assistant' ? '' : '\n';
}

/** The text parts of `parts`, joined. */
export function partsText(parts: readonly ContentPart[], sep: string): string {
  let text = '';
  let first = true;
  for (const p of parts) {
    if (p.type !== 'text') continue;
    text = first ? p.text : text + sep + p.text;
    first = false;
  }
  return text;
}

/**
 * Sets `msg.text` / `msg.parts` from decoded parts: a single text part (or none) stays plain text;
 * anything else keeps the parts.
 */
export function setParts(msg: NormalizedMessage, parts: ContentPart[], sep: string): void {
  if (parts.length === 0) return;
  if (parts.length === 1 && parts[0].type === 'text') {
    msg.text = parts[0].text;
    return;
  }
  msg.text = partsText(parts, sep);
  msg.parts = parts;
}

/** A data URL for an inline image. */
export function dataUrl(mediaType: string | undefined, data: string): string {
  return `data:${mediaType ?? 'application/octet-stream'};base64,${data}`;
}

const DATA_URL = /^data:([^;,]+);base64,/;

/** The media type and base64 data of a `data:` URL; undefined for any other URL. */
export function splitDataUrl(url: string): { media_type: string; data: string } | undefined {
  const m = DATA_URL.exec(url);
  return m ? { media_type: m[1], data: url.slice(m[0].length) } : undefined;
}

/**
 * Internal decode failure. Its `path` is relative to where it was thrown; each enclosing level
 * prepends its own segment (only on failure), and the codec turns it into a `CodecError`.
 */
export class PathError extends Error {
  constructor(
    public path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Rethrows `e` with `segment` prepended to its path (when it is a PathError). */
export function rethrowAt(e: unknown, segment: string): never {
  if (e instanceof PathError) {
    const p = e.path;
    e.path = p === '' ? segment : p[0] === '[' ? segment + p : `${segment}.${p}`;
  }
  throw e;
}

/** Converts an internal PathError into the public CodecError; other errors pass through. */
export function toCodecError(e: unknown, codec: CodecName): never {
  if (e instanceof PathError) throw new CodecError(e.message, codec, e.path === '' ? undefined : e.path);
  throw e;
}

/** Describes a value's type for error messages. */
export function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function expected(path: string, what: string, got: unknown): PathError {
  return new PathError(path, `expected ${what}, got ${typeOf(got)}`);
}

/** Decodes a content array with `decodePart` and sets the message's text/parts. */
export function decodePartsInto(msg: NormalizedMessage, raw: readonly unknown[], decodePart: (part: unknown, index: number) => ContentPart, sep: string): void {
  const parts = new Array<ContentPart>(raw.length);
  for (let j = 0; j < raw.length; j++) parts[j] = decodePart(raw[j], j);
  setParts(msg, parts, sep);
}

/** Best-effort text of a provider content array (used on responses): `text` fields joined. */
export function textOfBlocks(raw: readonly unknown[], sep: string): string {
  let text = '';
  let first = true;
  for (const b of raw) {
    if (!isObj(b) || typeof b.text !== 'string') continue;
    text = first ? b.text : text + sep + b.text;
    first = false;
  }
  return text;
}

/** The URL to send for an image part: its URL, or a data URL built from inline data. */
export function imageUrlOf(p: { url?: string; data?: string; media_type?: string }): string | undefined {
  if (p.url !== undefined) return p.url;
  if (p.data !== undefined) return dataUrl(p.media_type, p.data);
  return undefined;
}
