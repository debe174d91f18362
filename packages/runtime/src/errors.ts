/** Errors the runtime throws. Each names what was wrong. */
import { stringifySafe } from './payload.js';

/** A conditional-execution guardrail refused the call. The callback did not run. */
export class GuardrailRejectedError extends Error {
  override name = 'GuardrailRejectedError';
  constructor(
    /** The guardrail's registered name. */
    readonly guardrail: string,
    /** The reason string the guardrail returned. */
    readonly reason: string,
    /** The tool or LLM call's name. */
    readonly target: string,
  ) {
    super(`guardrail "${guardrail}" rejected "${target}": ${reason}`);
  }
}

/**
 * A guardrail or intercept threw or returned something invalid. The message includes the original
 * error's message (what logs show); the original error itself is `cause`.
 */
export class MiddlewareError extends Error {
  override name = 'MiddlewareError';
  constructor(
    /** `family:name`, e.g. `tool_request_intercept:add-defaults`. */
    readonly middleware: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${middleware}: ${message}${options && 'cause' in options ? `: ${errorText(options.cause)}` : ''}`, options);
  }
}

/** A scope or call lifecycle was used wrongly (popping out of order, ending twice, bad arguments). */
export class LifecycleError extends Error {
  override name = 'LifecycleError';
}

/**
 * An error's type: its `name`, unless that is the generic `Error` a subclass did not override (as
 * the OpenAI SDK's errors do), then its class name, e.g. `RateLimitError`. May throw (getters).
 */
function errorType(err: Error): string {
  const name = err.name;
  if (typeof name === 'string' && name && name !== 'Error') return name;
  const ctor = (err as { constructor?: unknown }).constructor;
  const cls = typeof ctor === 'function' && typeof ctor.name === 'string' ? ctor.name : '';
  return cls && cls !== 'Error' ? cls : 'Error';
}

/** Never throws: `String(v)` or a description of why it could not be converted. */
function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    try {
      return Object.prototype.toString.call(v);
    } catch {
      return '[unprintable value]';
    }
  }
}

/** The message of an error of any kind (an Error's message, else a safe rendering). Never throws. */
export function errorText(err: unknown): string {
  return describeError(err).message;
}

/**
 * The error name/message pair recorded on end events. Total: a thrown value of any kind (a
 * null-prototype object, an object holding a BigInt, a Symbol, a revoked proxy, an Error whose
 * `message` getter throws) gets a description; this never throws.
 */
export function describeError(err: unknown): { type: string; message: string; guardrail?: string; stack?: string } {
  try {
    if (err instanceof GuardrailRejectedError) return { type: err.name, message: err.message, guardrail: err.guardrail };
    if (err instanceof Error) {
      const out: { type: string; message: string; stack?: string } = {
        type: errorType(err),
        message: typeof err.message === 'string' ? err.message : safeString(err.message),
      };
      const stack = err.stack;
      // Not enumerable: exporters read it (exception.stacktrace), files and JSON copies of events leave it out.
      if (typeof stack === 'string' && stack.length > 0) Object.defineProperty(out, 'stack', { value: stack, enumerable: false });
      return out;
    }
  } catch {
    return { type: 'Error', message: '[unreadable error]' };
  }
  if (typeof err === 'string') return { type: 'Error', message: err };
  if (typeof err !== 'object' || err === null) return { type: err === null ? 'null' : typeof err, message: safeString(err) };
  let message: string | undefined;
  try {
    message = JSON.stringify(err);
  } catch {
    // a BigInt, a cycle, a throwing getter: the safe conversion below
  }
  if (message === undefined) message = stringifySafe(err);
  return { type: 'NonErrorObject', message };
}

/** A short rendering of a wrong argument for error messages (`42`, `"x"`, `null`, `an array`, `Symbol(s)`). Never throws. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
    case 'object':
      return 'an object';
    case 'function':
      return 'a function';
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return `${safeString(v)}n`;
    default:
      return safeString(v);
  }
}

/** `fn("name")` when `name` is a printable string, else `fn` (error-message prefixes must not throw on a Symbol name). */
export function callLabel(fn: string, name: unknown): string {
  return typeof name === 'string' && name.length > 0 && name.length <= 200 ? `${fn}("${name}")` : fn;
}

/*
 * Argument checks shared by the public entry points. Each message starts with the function (and
 * the call's name when printable), names the argument, and says what was expected and what came.
 */

/** `name` must be a non-empty string. */
export function checkName(name: unknown, what: string, arg = 'name'): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`${what}: ${arg} must be a non-empty string, got ${describeValue(name)}`);
}

/** `fn` must be a function. */
export function checkFunction(fn: unknown, what: string, arg: string): void {
  if (typeof fn !== 'function') throw new TypeError(`${what}: ${arg} must be a function, got ${describeValue(fn)}`);
}

/** `options` must be an object (or absent). */
export function checkOptions(options: unknown, what: string, arg = 'options'): void {
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    throw new TypeError(`${what}: ${arg} must be an object, got ${describeValue(options)}`);
  }
}
