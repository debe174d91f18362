/**
 * Typed reading of one JSON object of a configuration. Each getter returns the value when it has
 * the expected shape, else reports a diagnostic naming the field and what was expected and returns
 * undefined. `done()` reports the fields nobody asked for. The same code serves validation (which
 * keeps the findings) and activation (which ignores them), so both always agree.
 */
import type { PluginDiagnostic } from './types.js';
import { isPlainObject } from '../object.js';

/** Where findings go: a `ValidationContext`, or a sink that drops them. */
export interface Findings {
  report(diagnostic: PluginDiagnostic): void;
  unknownField(field: string, known: readonly string[]): void;
  unsupportedValue(field: string, message: string): void;
}

/** Findings are dropped (activation re-reads a configuration that validation already reported on). */
export const SILENT: Findings = { report() {}, unknownField() {}, unsupportedValue() {} };

/** The JSON type of a value, for messages. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** `isPlainObject` under the name the configuration code uses. */
export const isObject: (v: unknown) => v is Record<string, unknown> = isPlainObject;

function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

export class FieldReader {
  readonly #known = new Set<string>();

  constructor(
    readonly findings: Findings,
    readonly obj: Readonly<Record<string, unknown>>,
    /** Path of `obj`, relative to the component's `config` ('' for the config itself). */
    readonly path: string,
  ) {}

  /** Path of a field of this object. */
  field(key: string): string {
    return join(this.path, key);
  }

  #wrongType(key: string, expected: string, got: unknown): undefined {
    this.findings.report({ code: 'INVALID_TYPE', field: this.field(key), message: `expected ${expected}, got ${jsonType(got)}` });
    return undefined;
  }

  /** Declares fields read some other way (so `done()` does not call them unknown). */
  known(...keys: string[]): this {
    for (const k of keys) this.#known.add(k);
    return this;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  raw(key: string): unknown {
    this.#known.add(key);
    return this.obj[key];
  }

  string(key: string, options: { required?: boolean; nonEmpty?: boolean } = {}): string | undefined {
    const v = this.raw(key);
    if (v === undefined) {
      if (options.required) this.findings.report({ code: 'MISSING_FIELD', field: this.field(key), message: 'is required (a string)' });
      return undefined;
    }
    if (typeof v !== 'string') return this.#wrongType(key, 'a string', v);
    if (options.nonEmpty !== false && v.length === 0) {
      this.findings.report({ code: 'INVALID_VALUE', field: this.field(key), message: 'expected a non-empty string' });
      return undefined;
    }
    return v;
  }

  boolean(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') return this.#wrongType(key, 'true or false', v);
    return v;
  }

  number(key: string, rule: NumberRule = {}): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.#wrongType(key, rule.integer ? 'an integer' : 'a number', v);
    const bad = (what: string): undefined => {
      this.findings.report({ code: 'INVALID_VALUE', field: this.field(key), message: `expected ${what}, got ${v}` });
      return undefined;
    };
    if (rule.integer && !Number.isInteger(v)) return bad('an integer');
    if (rule.min !== undefined && v < rule.min) return bad(`a number >= ${rule.min}`);
    if (rule.max !== undefined && v > rule.max) return bad(`a number <= ${rule.max}`);
    return v;
  }

  /** One of `values`; another string is an unsupported value (policy), another type an error. */
  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const expected = values.map((x) => JSON.stringify(x)).join(', ');
    if (typeof v !== 'string') return this.#wrongType(key, `one of ${expected}`, v);
    if (!(values as readonly string[]).includes(v)) {
      this.findings.unsupportedValue(this.field(key), `${JSON.stringify(v)} is not supported; expected one of ${expected}`);
      return undefined;
    }
    return v as T;
  }

  /** An object of string values. */
  stringRecord(key: string): Record<string, string> | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isObject(v)) return this.#wrongType(key, 'an object of strings', v);
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') {
        this.findings.report({ code: 'INVALID_TYPE', field: join(this.field(key), k), message: `expected a string, got ${jsonType(x)}` });
        continue;
      }
      out[k] = x;
    }
    return out;
  }

  /** An object whose values are strings, numbers or booleans (e.g. resource attributes). */
  scalarRecord(key: string): Record<string, string | number | boolean> | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isObject(v)) return this.#wrongType(key, 'an object of strings, numbers or booleans', v);
    const out: Record<string, string | number | boolean> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string' && typeof x !== 'boolean' && !(typeof x === 'number' && Number.isFinite(x))) {
        this.findings.report({ code: 'INVALID_TYPE', field: join(this.field(key), k), message: `expected a string, number or boolean, got ${jsonType(x)}` });
        continue;
      }
      out[k] = x;
    }
    return out;
  }

  stringArray(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.#wrongType(key, 'an array of strings', v);
    const out: string[] = [];
    v.forEach((x, i) => {
      if (typeof x === 'string') out.push(x);
      else this.findings.report({ code: 'INVALID_TYPE', field: `${this.field(key)}[${i}]`, message: `expected a string, got ${jsonType(x)}` });
    });
    return out;
  }

  /** A nested object as its own reader. */
  object(key: string): FieldReader | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isObject(v)) return this.#wrongType(key, 'an object', v);
    return new FieldReader(this.findings, v, this.field(key));
  }

  /** Reports every field not read or declared. Keys starting with `$` (comments, `$schema`) are allowed anywhere. */
  done(): void {
    const known = [...this.#known];
    for (const k of Object.keys(this.obj)) {
      if (!this.#known.has(k) && !k.startsWith('$')) this.findings.unknownField(this.field(k), known);
    }
  }
}
