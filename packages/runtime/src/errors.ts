/** Errors the runtime throws. Each names what was wrong. */

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

/** A guardrail or intercept threw or returned something invalid. The original error is `cause`. */
export class MiddlewareError extends Error {
  override name = 'MiddlewareError';
  constructor(
    /** `family:name`, e.g. `tool_request_intercept:add-defaults`. */
    readonly middleware: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${middleware}: ${message}`, options);
  }
}

/** A scope or call lifecycle was used wrongly (popping out of order, ending twice, bad arguments). */
export class LifecycleError extends Error {
  override name = 'LifecycleError';
}

/**
 * An error's type: its `name`, unless that is the generic `Error` a subclass did not override (as
 * the OpenAI SDK's errors do), then its class name, e.g. `RateLimitError`.
 */
function errorType(err: Error): string {
  const name = err.name;
  if (name && name !== 'Error') return name;
  const ctor = (err as { constructor?: unknown }).constructor;
  const cls = typeof ctor === 'function' ? ctor.name : '';
  return cls && cls !== 'Error' ? cls : 'Error';
}

/** The error name/message pair recorded on end events. */
export function describeError(err: unknown): { type: string; message: string; guardrail?: string } {
  if (err instanceof GuardrailRejectedError) return { type: err.name, message: err.message, guardrail: err.guardrail };
  if (err instanceof Error) return { type: errorType(err), message: err.message };
  if (typeof err === 'string') return { type: 'Error', message: err };
  let message: string;
  try {
    message = JSON.stringify(err) ?? String(err);
  } catch {
    message = String(err);
  }
  return { type: typeof err === 'object' && err !== null ? 'NonErrorObject' : typeof err, message };
}
