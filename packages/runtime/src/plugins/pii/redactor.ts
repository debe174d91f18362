/**
 * PII redaction as pure functions. `createPiiRedactor(options)` returns `(value) => redacted`: a
 * copy of the payload with PII in strings replaced, sharing every branch that did not change (and
 * returning the value itself when nothing did). The input is never modified, so it may be a
 * read-only view handed to a sanitize guardrail.
 */
import { createHash } from 'node:crypto';
import { stringifySafe, toJsonSafe } from '../../payload.js';
import { BUILTIN_DETECTORS, PII_DETECTORS, SECRET_KEY, matchAll, type Detector, type PiiDetectorName, type PiiSpan } from './detectors.js';
import { compilePath, matchAny, type PathPattern } from './paths.js';
import { argError, checkFields, checks, optionsArg } from '../args.js';

/**
 * What replaces a finding: `redact` → `[REDACTED:EMAIL]`; `mask` → all but the last characters
 * starred (`************1111`, `j***@example.com`); `hash` → `[EMAIL:1f3a…]` (salted SHA-256, so
 * equal values stay correlatable); `remove` → nothing (a whole field under `redactPaths` is dropped).
 */
export type PiiAction = 'redact' | 'mask' | 'hash' | 'remove';

export const PII_ACTIONS: readonly PiiAction[] = ['redact', 'mask', 'hash', 'remove'];

/** A custom detector. */
export interface PiiRule {
  /** Name; its upper-case form labels replacements (`employee_id` → `[REDACTED:EMPLOYEE_ID]`). */
  name: string;
  /** A regular expression (string source or RegExp); matched globally. */
  pattern: string | RegExp;
  /** Flags for a string `pattern` (e.g. `i`); `g` is always added. */
  flags?: string;
  /** Overrides the redactor's action for this rule. */
  action?: PiiAction;
  /** Literal replacement text (with `redact`), instead of `[REDACTED:NAME]`. */
  replacement?: string;
}

export interface PiiRedactorOptions {
  /** Built-in detectors to run (default: all of `PII_DETECTORS`). */
  detectors?: readonly PiiDetectorName[];
  /** Default `redact`. */
  action?: PiiAction;
  /** Per-detector action overrides. */
  actions?: Partial<Record<PiiDetectorName, PiiAction>>;
  /** Custom detectors; they win over built-ins where findings overlap. */
  rules?: readonly PiiRule[];
  /** Only scan values at (or under) these field paths. Default: everywhere. */
  paths?: readonly string[];
  /** Never touch values at (or under) these paths (wins over everything else). */
  skipPaths?: readonly string[];
  /** Replace the whole value at these paths, whatever it contains (e.g. `**.password`). */
  redactPaths?: readonly string[];
  /** Salt of `hash` (keep it secret, or hashes of guessable values can be reversed by brute force). */
  hashSalt?: string;
}

/** Returns the redacted form of a payload. */
export type PiiRedactor = (value: unknown) => unknown;

/** One finding in a string. */
export interface PiiFinding extends PiiSpan {
  /** Detector or rule name. */
  type: string;
  /** The matched text. */
  text: string;
}

/** Payloads nested deeper than this are cut (what cannot be scanned must not be shown). */
const MAX_DEPTH = 64;
const TOO_DEEP = '[redacted: nested too deeply to scan]';
const CIRCULAR = '[Circular]';
/** Shown for a property (or object) that throws when read. */
const UNREADABLE = '[redacted: unreadable]';
const UNREADABLE_SENTINEL = Symbol('unreadable');
/** Marks a field to drop (`remove` on a whole value). */
const REMOVE = Symbol('remove');

interface ActiveDetector extends Detector {
  action: PiiAction;
  replacement: string | undefined;
}

/** Compiles a rule's pattern; throws a TypeError naming the rule when it is not a valid regex. */
export function compileRule(rule: PiiRule): RegExp {
  const flags = (f: string): string => (f.includes('g') ? f : f + 'g');
  if (rule.pattern instanceof RegExp) return new RegExp(rule.pattern.source, flags(rule.pattern.flags));
  if (typeof rule.pattern !== 'string' || rule.pattern === '') throw new TypeError(`PII rule "${rule.name}": pattern must be a non-empty regular expression`);
  try {
    return new RegExp(rule.pattern, flags(rule.flags ?? ''));
  } catch (err) {
    throw new TypeError(`PII rule "${rule.name}": invalid regular expression: ${(err as Error).message}`);
  }
}

function checkAction(action: unknown, fn: string, arg: string): PiiAction {
  if (!PII_ACTIONS.includes(action as PiiAction)) throw argError(fn, arg, `one of ${PII_ACTIONS.join(', ')}`, action);
  return action as PiiAction;
}

const isArray = (v: unknown): boolean => Array.isArray(v);

/** Checks the options argument of `fn` (shapes only; names, actions, regexes and paths are checked where they are compiled). */
function optionsOf(fn: string, value: unknown): PiiRedactorOptions {
  const options = optionsArg<PiiRedactorOptions>(fn, 'options', value) ?? {};
  checkFields(fn, 'options', options, {
    detectors: [isArray, `an array of detector names (${PII_DETECTORS.join(', ')})`],
    actions: [checks.isObject, 'an object of detector name → action'],
    rules: [isArray, 'an array of { name, pattern, flags?, action?, replacement? }'],
    paths: [isArray, 'an array of field paths'],
    skipPaths: [isArray, 'an array of field paths'],
    redactPaths: [isArray, 'an array of field paths'],
    hashSalt: [checks.isString, 'a string'],
  });
  return options;
}

function buildDetectors(options: PiiRedactorOptions, fn: string): ActiveDetector[] {
  const base = options.action === undefined ? 'redact' : checkAction(options.action, fn, 'options.action');
  const out: ActiveDetector[] = [];
  (options.rules ?? []).forEach((rule, i) => {
    if (!checks.isObject(rule)) throw argError(fn, `options.rules[${i}]`, 'an object like { name: "employee_id", pattern: "EMP-\\d{6}" }', rule);
    if (typeof rule.name !== 'string' || rule.name === '') throw argError(fn, `options.rules[${i}].name`, 'a non-empty string', rule.name);
    if (rule.replacement !== undefined && typeof rule.replacement !== 'string')
      throw argError(fn, `options.rules[${i}].replacement`, 'a string', rule.replacement);
    const re = compileRule(rule);
    out.push({
      name: rule.name,
      label: rule.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_'),
      find: (t) => matchAll(re, t),
      action: rule.action === undefined ? base : checkAction(rule.action, fn, `options.rules[${i}].action`),
      replacement: rule.replacement,
    });
  });
  const wanted = options.detectors ?? PII_DETECTORS;
  for (const name of wanted)
    if (!PII_DETECTORS.includes(name))
      throw new TypeError(
        `${fn}: unknown detector ${typeof name === 'string' ? JSON.stringify(name) : String(typeof name)}; expected ${PII_DETECTORS.join(', ')}`,
      );
  for (const name of PII_DETECTORS) {
    if (!wanted.includes(name)) continue;
    const own = options.actions?.[name];
    out.push({ ...BUILTIN_DETECTORS[name], action: own === undefined ? base : checkAction(own, fn, `options.actions.${name}`), replacement: undefined });
  }
  return out;
}

function mask(text: string): string {
  // An address keeps its domain (useful when debugging routing), never the local part's length.
  if (/^[^@\s]+@[^@\s]+$/.test(text)) return `${text[0]}***${text.slice(text.lastIndexOf('@'))}`;
  let alnum = 0;
  for (const ch of text) if (/[A-Za-z0-9]/.test(ch)) alnum++;
  const keep = alnum >= 12 ? 4 : alnum >= 8 ? 2 : 0;
  let seen = 0;
  let out = '';
  for (const ch of text) {
    if (/[A-Za-z0-9]/.test(ch)) {
      seen++;
      out += seen > alnum - keep ? ch : '*';
    } else out += ch;
  }
  return out;
}

function hash(text: string, label: string, salt: string): string {
  return `[${label}:${createHash('sha256').update(salt).update('\0').update(text).digest('hex').slice(0, 16)}]`;
}

function replacementFor(text: string, d: Pick<ActiveDetector, 'action' | 'label' | 'replacement'>, salt: string): string {
  switch (d.action) {
    case 'redact':
      return d.replacement ?? `[REDACTED:${d.label}]`;
    case 'mask':
      return mask(text);
    case 'hash':
      return hash(text, d.label, salt);
    case 'remove':
      return '';
  }
}

type Found = PiiSpan & { detector: ActiveDetector };

/**
 * Findings of every detector, overlaps resolved: detector order first (rules, then built-ins),
 * then position (within one detector, the earlier start wins). Linear in the number of findings:
 * accepted spans stay sorted and disjoint, each detector's spans are checked against them in one
 * sweep and merged in.
 */
function scan(text: string, detectors: readonly ActiveDetector[]): Found[] {
  let accepted: Found[] = [];
  for (const detector of detectors) {
    const spans = detector.find(text);
    if (spans.length === 0) continue;
    if (!isSorted(spans)) spans.sort((a, b) => a.start - b.start); // stable: list order breaks ties
    const mine: Found[] = [];
    let lastEnd = -1;
    let j = 0;
    for (const s of spans) {
      if (s.start < lastEnd) continue; // overlaps a span of this detector
      while (j < accepted.length && accepted[j]!.end <= s.start) j++;
      if (j < accepted.length && accepted[j]!.start < s.end) continue; // overlaps an earlier detector's
      mine.push({ start: s.start, end: s.end, detector });
      lastEnd = s.end;
    }
    accepted = accepted.length === 0 ? mine : mergeSorted(accepted, mine);
  }
  return accepted;
}

function isSorted(spans: readonly PiiSpan[]): boolean {
  for (let i = 1; i < spans.length; i++) if (spans[i]!.start < spans[i - 1]!.start) return false;
  return true;
}

function mergeSorted(a: readonly Found[], b: readonly Found[]): Found[] {
  const out: Found[] = [];
  let i = 0;
  let k = 0;
  while (i < a.length && k < b.length) out.push(a[i]!.start <= b[k]!.start ? a[i++]! : b[k++]!);
  while (i < a.length) out.push(a[i++]!);
  while (k < b.length) out.push(b[k++]!);
  return out;
}

function redactString(text: string, detectors: readonly ActiveDetector[], salt: string): string {
  if (text.length < 5) return text;
  const found = scan(text, detectors);
  if (found.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const f of found) {
    parts.push(text.slice(at, f.start), replacementFor(text.slice(f.start, f.end), f.detector, salt));
    at = f.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

function isPlain(v: object): boolean {
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Finds PII in one string (no replacement): what `createPiiRedactor` with the same options would replace. */
export function findPii(text: string, options?: Pick<PiiRedactorOptions, 'detectors' | 'rules'>): PiiFinding[] {
  if (typeof text !== 'string') throw argError('findPii', 'text', 'a string', text);
  return scan(text, buildDetectors(optionsOf('findPii', options), 'findPii')).map((f) => ({
    type: f.detector.name,
    start: f.start,
    end: f.end,
    text: text.slice(f.start, f.end),
  }));
}

/**
 * Builds a redactor. Throws a TypeError for invalid options (unknown detector or action, bad regex,
 * bad path) so mistakes surface when it is created, not on the first payload.
 */
export function createPiiRedactor(options?: PiiRedactorOptions): PiiRedactor {
  options = optionsOf('createPiiRedactor', options);
  const detectors = buildDetectors(options, 'createPiiRedactor');
  const compileAll = (list: readonly string[] | undefined, what: string): PathPattern[] =>
    (list ?? []).map((p) => {
      try {
        return compilePath(p);
      } catch (err) {
        throw new TypeError(`createPiiRedactor: ${what}: ${(err as Error).message}`);
      }
    });
  const include = compileAll(options.paths, 'paths');
  const skip = compileAll(options.skipPaths, 'skipPaths');
  const whole = compileAll(options.redactPaths, 'redactPaths');
  const salt = options.hashSalt ?? '';
  const base = options.action ?? 'redact';
  const apiKey = detectors.find((d) => d.name === 'api_key' && BUILTIN_DETECTORS.api_key.find === d.find);
  const cardOrPhone = detectors.filter((d) => d.name === 'credit_card' || d.name === 'phone');
  const wholeValue = { action: base, label: 'REDACTED', replacement: '[REDACTED]' };
  const walk = (value: unknown, inScope: boolean, depth: number, path: string[], active: Set<object>): unknown => {
    if (skip.length > 0 && matchAny(skip, path)) return value;
    if (whole.length > 0 && path.length > 0 && matchAny(whole, path)) {
      if (base === 'remove') return REMOVE;
      return replacementFor(typeof value === 'string' ? value : stringifySafe(value), wholeValue, salt);
    }
    const scoped = inScope || (include.length > 0 && matchAny(include, path));
    switch (typeof value) {
      case 'string': {
        if (!scoped) return value;
        const key = path[path.length - 1];
        if (apiKey && key !== undefined && SECRET_KEY.test(key) && value.length > 0) return replacementFor(value, apiKey, salt);
        return redactString(value, detectors, salt);
      }
      case 'number': {
        // Card and phone numbers stored as numbers.
        if (!scoped || cardOrPhone.length === 0 || !Number.isSafeInteger(value) || Math.abs(value) < 1e9) return value;
        const text = String(value);
        const r = redactString(text, cardOrPhone, salt);
        return r === text ? value : r;
      }
      case 'object':
        break;
      default:
        return value;
    }
    if (value === null) return null;
    const obj = value as object;
    if (active.has(obj)) return CIRCULAR;
    if (depth >= MAX_DEPTH) return TOO_DEEP;
    try {
      return walkObject(obj, inScope, scoped, depth, path, active);
    } catch {
      // A revoked proxy, a throwing `ownKeys` trap: what cannot be read cannot be shown.
      return UNREADABLE;
    }
  };

  const walkObject = (obj: object, inScope: boolean, scoped: boolean, depth: number, path: string[], active: Set<object>): unknown => {
    if (!isPlain(obj)) {
      if (obj instanceof Date || obj instanceof RegExp) return obj;
      // Class instances (SDK objects, Map, Error): scan their JSON form; keep the instance when clean.
      const json = toJsonSafe(obj);
      const r = walk(json, inScope, depth, path, active);
      return r === json ? obj : r;
    }
    active.add(obj);
    try {
      // Each property is read once (a getter may have side effects); one that throws shows a marker.
      const isArray = Array.isArray(obj);
      const keys = isArray ? undefined : Object.keys(obj);
      const n = isArray ? (obj as unknown[]).length : keys!.length;
      let changed = false;
      const results: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const k = isArray ? String(i) : keys![i]!;
        let v: unknown;
        let r: unknown;
        try {
          v = (obj as Record<string, unknown>)[k];
          path.push(k);
          try {
            r = walk(v, scoped, depth + 1, path, active);
          } finally {
            path.pop();
          }
        } catch {
          v = UNREADABLE_SENTINEL;
          r = UNREADABLE;
        }
        results.push(r);
        if (!Object.is(r, v)) changed = true;
      }
      if (!changed) return obj;
      if (isArray) return results.filter((r) => r !== REMOVE);
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) if (results[i] !== REMOVE) out[keys![i]!] = results[i];
      return out;
    } finally {
      active.delete(obj);
    }
  };

  return (value: unknown): unknown => {
    const r = walk(value, include.length === 0, 0, [], new Set());
    return r === REMOVE ? null : r;
  };
}
