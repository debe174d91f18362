/**
 * Checks `AtifExporter` / `buildTrajectories` options up front, so a wrong one is a `TypeError`
 * naming it instead of an engine error later.
 */
import { describeValue } from '@nemo-flow/runtime/exporter-kit';
import type { AtifExporterOptions } from './exporter.js';

function fail(who: string, option: string, expected: string, got: unknown): never {
  throw new TypeError(`${who}: ${option} must be ${expected}, got ${describeValue(got)}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function checkExporterOptions(options: AtifExporterOptions, who = 'AtifExporter'): void {
  if (!isObject(options)) throw new TypeError(`${who}: options must be an object, got ${describeValue(options)}`);
  const o = options as Record<string, unknown>;
  const optional = (name: string, ok: (v: unknown) => boolean, expected: string): void => {
    const v = o[name]; // read once: a getter is asked one time
    if (v !== undefined && !ok(v)) fail(who, name, expected, v);
  };
  const nonEmptyString = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
  optional('dir', nonEmptyString, 'a non-empty string (a directory path)');
  optional('filenameTemplate', nonEmptyString, 'a non-empty string such as "trajectory-{session_id}.json"');
  optional('onWritten', (v) => typeof v === 'function', 'a function');
  optional('onWriteError', (v) => typeof v === 'function', 'a function');
  optional('writeOnExit', (v) => typeof v === 'boolean', 'a boolean');
  optional('validate', (v) => typeof v === 'boolean', 'a boolean');
  optional('schemaVersion', (v) => v === 'ATIF-v1.6' || v === 'ATIF-v1.7', '"ATIF-v1.6" or "ATIF-v1.7"');
  optional('agentName', nonEmptyString, 'a non-empty string');
  optional('agentVersion', nonEmptyString, 'a non-empty string');
  optional('sessionId', nonEmptyString, 'a non-empty string');
  optional('onTrajectory', (v) => typeof v === 'function', 'a function (json, trajectory) => void | Promise<void>');
  if (o.pricing !== undefined) {
    if (!isObject(o.pricing)) fail(who, 'pricing', 'an object of model name → { inputPerMTok, outputPerMTok, cachedInputPerMTok? }', o.pricing);
    for (const [model, p] of Object.entries(o.pricing)) {
      if (!isObject(p)) fail(who, `pricing.${model}`, 'an object { inputPerMTok, outputPerMTok, cachedInputPerMTok? }', p);
      for (const key of ['inputPerMTok', 'outputPerMTok', 'cachedInputPerMTok']) {
        const v = p[key];
        if (v === undefined && key === 'cachedInputPerMTok') continue;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(who, `pricing.${model}.${key}`, 'a finite number ≥ 0 (USD per million tokens)', v);
      }
    }
  }
}
