/**
 * Field paths into payloads: dot-separated keys (`content.messages.0.content`), `[n]` accepted for
 * array indices, `*` for any one key or index, `**` for any number of levels
 * (`**.password` = a `password` key anywhere).
 */

export type PathPattern = readonly string[];

/** Parses a path pattern; throws a TypeError describing what is wrong. */
export function compilePath(path: string): PathPattern {
  if (typeof path !== 'string' || path.trim() === '') throw new TypeError('a field path must be a non-empty string');
  const normalized = path.trim().replace(/\[([^\]]*)\]/g, '.$1');
  const segments = normalized.split('.');
  const start = segments[0] === '' ? 1 : 0; // "[0].x" → ".0.x"
  const out = segments.slice(start);
  if (out.length === 0 || out.some((s) => s === ''))
    throw new TypeError(`field path ${JSON.stringify(path)} has an empty segment; expected keys separated by dots, like "content.messages.*.content"`);
  return out;
}

/** Whether `pattern` matches the whole of `path`. */
export function matchPath(pattern: PathPattern, path: readonly string[], pi = 0, xi = 0): boolean {
  while (pi < pattern.length) {
    const p = pattern[pi]!;
    if (p === '**') {
      if (pi === pattern.length - 1) return true;
      for (let k = xi; k <= path.length; k++) if (matchPath(pattern, path, pi + 1, k)) return true;
      return false;
    }
    if (xi >= path.length) return false;
    if (p !== '*' && p !== path[xi]) return false;
    pi++;
    xi++;
  }
  return xi === path.length;
}

/** Whether any pattern matches `path`. */
export function matchAny(patterns: readonly PathPattern[], path: readonly string[]): boolean {
  for (const p of patterns) if (matchPath(p, path)) return true;
  return false;
}
