/**
 * Reading configuration text and files. JSON only: the runtime has no dependencies, so no YAML.
 * Parse errors name the line and column.
 */
import { readFile } from 'node:fs/promises';
import type { Diagnostic } from './types.js';
import { findJsonError, lineColumn } from './json-error.js';
import { argError } from './args.js';

export interface ParsedConfig {
  /** The parsed document (undefined when it could not be read or parsed). */
  config: unknown;
  diagnostics: Diagnostic[];
}

/** A parse error as `line L, column C: what`, from our own scan (Node's messages carry no position). */
function describeParseError(text: string, err: Error): string {
  const found = findJsonError(text);
  if (!found) return err.message;
  const { line, column } = lineColumn(text, found.offset);
  return `line ${line}, column ${column}: ${found.message}`;
}

/** Parses configuration text (JSON). A leading byte-order mark is allowed. A non-string `text` is a TypeError. */
export function parseConfig(text: string): ParsedConfig {
  if (typeof text !== 'string') throw argError('parseConfig', 'text', 'a string holding a JSON document', text);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    return {
      config: undefined,
      diagnostics: [diag('CONFIG_PARSE_ERROR', 'the configuration is empty; expected a JSON object like { "version": 1, "components": [] }')],
    };
  }
  try {
    return { config: JSON.parse(body) as unknown, diagnostics: [] };
  } catch (err) {
    const yamlish = !/^\s*[[{]/.test(body);
    const hint = yamlish ? ' (configuration files are JSON; YAML is not supported)' : '';
    return { config: undefined, diagnostics: [diag('CONFIG_PARSE_ERROR', `not valid JSON: ${describeParseError(body, err as Error)}${hint}`)] };
  }
}

/**
 * Reads and parses a configuration file. Problems with the file become diagnostics; only a
 * `path` that is not a non-empty string rejects (with a TypeError).
 */
export async function loadConfigFile(path: string): Promise<ParsedConfig> {
  if (typeof path !== 'string' || path.length === 0) throw argError('loadConfigFile', 'path', 'a non-empty string (a file path)', path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
    return { config: undefined, diagnostics: [diag('CONFIG_UNREADABLE', `cannot read configuration file ${path}: ${why}`)] };
  }
  const parsed = parseConfig(text);
  for (const d of parsed.diagnostics) d.message = `${path}: ${d.message}`;
  return parsed;
}

function diag(code: 'CONFIG_PARSE_ERROR' | 'CONFIG_UNREADABLE', message: string): Diagnostic {
  return { level: 'error', code, component: null, index: null, field: null, message };
}
