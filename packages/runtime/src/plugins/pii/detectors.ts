/**
 * Built-in PII detectors: each finds spans of a string. Patterns favour precision over recall
 * where a false positive would garble ordinary text (dates, versions, ids): phone numbers need
 * separators or a leading `+` and 10–15 digits; card numbers must pass the Luhn check; IP
 * addresses are validated by `node:net`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { luhnDigits } from './luhn.js';

export type PiiDetectorName = 'email' | 'phone' | 'credit_card' | 'api_key' | 'ip_address';

/** Every built-in detector, in the order overlapping findings are resolved (earlier wins). */
export const PII_DETECTORS: readonly PiiDetectorName[] = ['api_key', 'email', 'credit_card', 'ip_address', 'phone'];

/** A span of text a detector or rule found. */
export interface PiiSpan {
  start: number;
  end: number;
}

export interface Detector {
  /** Detector or rule name. */
  name: string;
  /** Upper-case label used in replacements, e.g. `EMAIL`. */
  label: string;
  find(text: string): PiiSpan[];
}

/** All matches of a global regex (empty matches skipped), optionally filtered. */
export function matchAll(re: RegExp, text: string, accept?: (m: RegExpExecArray) => PiiSpan | undefined): PiiSpan[] {
  const out: PiiSpan[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const span = accept ? accept(m) : { start: m.index, end: m.index + m[0].length };
    if (span) out.push(span);
  }
  return out;
}

const EMAIL = /(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g;

// Digit groups separated by single spaces or dashes, not part of a longer number.
const CARD_CANDIDATE = /(?<![\d.,-])\d+(?:[ -]\d+)*(?![\d]|[.,]\d)/g;

function findCards(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const c of matchAll(CARD_CANDIDATE, text)) {
    if (c.end - c.start < 13) continue; // fewer than 13 characters cannot hold 13 digits
    // The candidate's digits, and for each group of digits its text span and offset into them.
    const digits: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const offsets: number[] = [];
    for (let k = c.start; k < c.end; ) {
      while (k < c.end && !isDigit(text.charCodeAt(k))) k++;
      if (k >= c.end) break;
      starts.push(k);
      offsets.push(digits.length);
      while (k < c.end && isDigit(text.charCodeAt(k))) digits.push(text.charCodeAt(k++) - 48);
      ends.push(k);
    }
    offsets.push(digits.length);
    // Earliest start, then longest run of whole groups with 13–19 digits that passes Luhn.
    for (let i = 0; i < starts.length; i++) {
      let found: PiiSpan | undefined;
      for (let j = i; j < starts.length; j++) {
        const n = offsets[j + 1]! - offsets[i]!;
        if (n > 19) break;
        if (n >= 13 && luhnDigits(digits, offsets[i]!, offsets[j + 1]!)) found = { start: starts[i]!, end: ends[j]! };
      }
      if (found) {
        out.push(found);
        while (i + 1 < starts.length && starts[i + 1]! < found.end) i++;
      }
    }
  }
  return out;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const PHONE = /(?<![\w+.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?![\w]|[.-]\d)/g;
const PHONE_E164 = /(?<![\w+])\+\d{8,15}(?!\w)/g;

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) n++;
  return n;
}

function findPhones(text: string): PiiSpan[] {
  const grouped = matchAll(PHONE, text, (m) => {
    const n = digitCount(m[0]);
    return n >= 10 && n <= 15 ? { start: m.index, end: m.index + m[0].length } : undefined;
  });
  return [...grouped, ...matchAll(PHONE_E164, text)];
}

const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g;
const IPV6 = /(?<![\w:.])(?:[A-Fa-f0-9]{0,4}:){2,7}(?:[A-Fa-f0-9]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/g;

function findIps(text: string): PiiSpan[] {
  const v4 = matchAll(IPV4, text, (m) => (isIPv4(m[0]) ? { start: m.index, end: m.index + m[0].length } : undefined));
  if (!text.includes(':')) return v4;
  const v6 = matchAll(IPV6, text, (m) => {
    const s = m[0];
    // `::` alone or a time like 12:30:45 are not addresses worth hiding.
    return /[A-Fa-f0-9]/.test(s) && isIPv6(s) ? { start: m.index, end: m.index + s.length } : undefined;
  });
  return [...v4, ...v6];
}

/** Token formats of well-known providers and JWTs: the whole match is the secret. */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\b(?:sk|pk|rk)-(?:proj-|ant-(?:api\d\d-)?|live-|test-)?[A-Za-z0-9_-]{16,}/g,
  /\bnvapi-[A-Za-z0-9_-]{20,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bAIza[0-9A-Za-z_-]{35}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
];

/**
 * A label, then the secret right after it: bearer tokens and `key=value` secrets. Not written as
 * one regex with a lookbehind: a lookbehind ending in `\s*` re-scans a whitespace run at every
 * position of it, which is quadratic on long runs.
 */
const LABELLED_PATTERNS: ReadonlyArray<{ label: RegExp; value: RegExp }> = [
  { label: /\bBearer\s+/gi, value: /[A-Za-z0-9\-._~+/]{8,}=*/y },
  {
    label: /\b(?:api[_-]?key|apikey|secret|token|password|passwd|access[_-]?key)["']?\s*[:=]\s*["']?/gi,
    value: /[^\s"',;]{8,}/y,
  },
];

/**
 * The secrets after each label. A label inside a secret already found is skipped, so every
 * character is matched a bounded number of times (`token=token=…` is one secret, not n).
 */
function matchLabelled(p: { label: RegExp; value: RegExp }, text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  let covered = 0;
  p.label.lastIndex = 0;
  for (let m = p.label.exec(text); m; m = p.label.exec(text)) {
    const at = m.index + m[0].length;
    if (at < covered) continue;
    p.value.lastIndex = at;
    const v = p.value.exec(text);
    if (v) {
      out.push({ start: at, end: at + v[0].length });
      covered = at + v[0].length;
    }
  }
  return out;
}

function findKeys(text: string): PiiSpan[] {
  const out = LABELLED_PATTERNS.flatMap((re) => matchLabelled(re, text));
  for (const re of TOKEN_PATTERNS) for (const s of matchAll(re, text)) out.push(s);
  return out;
}

/** Object keys whose string value is a credential as a whole (checked by the `api_key` detector). */
export const SECRET_KEY =
  /^(authorization|proxy-authorization|x-api-key|api[-_]?key|apikey|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|secret[-_]?key|secret|password|passwd)$/i;

export const BUILTIN_DETECTORS: Readonly<Record<PiiDetectorName, Detector>> = {
  email: { name: 'email', label: 'EMAIL', find: (t) => (t.includes('@') ? matchAll(EMAIL, t) : []) },
  phone: { name: 'phone', label: 'PHONE', find: findPhones },
  credit_card: { name: 'credit_card', label: 'CREDIT_CARD', find: findCards },
  api_key: { name: 'api_key', label: 'API_KEY', find: findKeys },
  ip_address: { name: 'ip_address', label: 'IP_ADDRESS', find: findIps },
};
