/**
 * The Standard Schema interface (https://standardschema.dev), which zod, valibot and arktype
 * implement: a few types, declared here so the runtime needs no dependency. Validation failures
 * become a `ValidationError` naming each path and issue.
 */

/** A validator implementing Standard Schema v1 (`~standard`). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export type StandardResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<StandardIssue> };

export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** What a schema produces once validation succeeds. */
export type InferOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];

/** One validation problem: where (`city`, `items[2].price`, or `''` for the value itself) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** A value did not pass its schema. `issues` lists every problem; the message names them all. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    /** What was validated, e.g. `typedToolExecute("get_weather") arguments`. */
    readonly target: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(`${target} failed validation: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
  }
}

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const std = (value as { '~standard'?: { validate?: unknown } })['~standard'];
  return typeof std === 'object' && std !== null && typeof std.validate === 'function';
}

function formatPath(path: StandardIssue['path']): string {
  let out = '';
  for (const seg of path ?? []) {
    const key = typeof seg === 'object' && seg !== null ? seg.key : seg;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** A validation result's value, or a `ValidationError` naming each issue. */
export function validated<T>(result: StandardResult<T>, target: string): T {
  if (result.issues)
    throw new ValidationError(
      target,
      result.issues.map((i) => ({ path: formatPath(i.path), message: String(i.message) })),
    );
  return result.value;
}
