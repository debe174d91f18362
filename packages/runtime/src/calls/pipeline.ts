/**
 * Pipeline steps shared by tool and LLM calls: conditional guardrails, sanitize guardrails and
 * the execution onion. Each names the failing middleware and keeps the original error as `cause`.
 */
import type { Entry } from '../middleware/types.js';
import { GuardrailRejectedError, MiddlewareError } from '../errors.js';
import { reportFailure } from '../report.js';
import { mutableCopy } from '../payload.js';
import { runInScopeWith } from '../scope.js';
import type { ScopeHandle } from '../scope.js';
import { REDACTED_MARKER } from '../event-redaction.js';
import { isThenable } from '../thenable.js';
import { countInterceptSkip } from '../middleware/skips.js';

export { isThenable };

/**
 * The innermost layer of the execution onion: the real callback, run inside its call. Returns what
 * the callback returns and throws what it throws; `runOnion` makes it a promise (one, not two).
 */
export function callInScope<I, R>(h: ScopeHandle, fn: (input: I) => R | PromiseLike<R>): (input: I) => unknown {
  return (input) => runInScopeWith(h, fn, input);
}

function label(e: Entry): string {
  return `${e.family}:${e.name}`;
}

/** Runs conditional guardrails in order; the first reason wins. */
export async function runConditional(entries: readonly Entry[], target: string, invoke: (e: Entry) => unknown): Promise<GuardrailRejectedError | undefined> {
  return conditionalVerdict(entries, target, invoke, undefined);
}

/**
 * `runConditional`, synchronous while the guardrails are (each `await` of a settled value still
 * costs a promise and a microtask on every call). Throws (or rejects) a `MiddlewareError`. `arg`
 * is handed to `invoke`, so that hot paths can pass a module-level function rather than a closure.
 */
export function conditionalVerdict<A>(
  entries: readonly Entry[],
  target: string,
  invoke: (e: Entry, arg: A, target: string) => unknown,
  arg: A,
  from = 0,
): GuardrailRejectedError | undefined | Promise<GuardrailRejectedError | undefined> {
  for (let i = from; i < entries.length; i++) {
    const e = entries[i]!;
    let reason: unknown;
    try {
      reason = invoke(e, arg, target);
    } catch (err) {
      throw new MiddlewareError(label(e), 'conditional guardrail threw', { cause: err });
    }
    if (isThenable(reason)) {
      return Promise.resolve(reason).then(
        (r) => verdict(e, r, target) ?? conditionalVerdict(entries, target, invoke, arg, i + 1),
        (err: unknown) => {
          throw new MiddlewareError(label(e), 'conditional guardrail threw', { cause: err });
        },
      );
    }
    const v = verdict(e, reason, target);
    if (v) return v;
  }
  return undefined;
}

function verdict(e: Entry, reason: unknown, target: string): GuardrailRejectedError | undefined {
  if (reason === undefined || reason === null) return undefined;
  if (typeof reason !== 'string') {
    throw new MiddlewareError(label(e), `a conditional guardrail must return a rejection reason string or nothing, got ${typeof reason}`);
  }
  return new GuardrailRejectedError(e.name, reason, target);
}

export interface SanitizeResult {
  value: unknown;
  /** A guardrail failed: `value` is the redaction marker (the failure was reported). */
  error?: MiddlewareError;
}

/**
 * Runs sanitize guardrails over `value` (what subscribers will see). The first guardrail gets a
 * private mutable copy (see `mutableCopy`), so editing it in place and returning a new value both
 * change only what subscribers see; returning `undefined` keeps the (edited) value. Synchronous
 * while the guardrails are, so manual lifecycle calls can emit at once. On failure the result is
 * the redaction marker — the unsanitized value never reaches subscribers — and the failure is
 * reported; it never fails the call itself.
 */
export function runSanitize<A>(
  entries: readonly Entry[],
  value: unknown,
  invoke: (e: Entry, v: unknown, arg: A) => unknown,
  arg: A,
  from = 0,
): SanitizeResult | Promise<SanitizeResult> {
  let v = from === 0 && entries.length > 0 ? mutableCopy(value) : value;
  for (let i = from; i < entries.length; i++) {
    const e = entries[i]!;
    let r: unknown;
    try {
      r = invoke(e, v, arg);
    } catch (err) {
      return sanitizeFailed(e, err);
    }
    if (isThenable(r)) {
      const current = v;
      return Promise.resolve(r).then(
        (nv) => runSanitize(entries, nv === undefined ? current : nv, invoke, arg, i + 1),
        (err: unknown) => sanitizeFailed(e, err),
      );
    }
    if (r !== undefined) v = r;
  }
  return { value: v };
}

function sanitizeFailed(e: Entry, err: unknown): SanitizeResult {
  reportFailure(label(e), `sanitize guardrail "${e.name}" failed; subscribers see a redaction marker, the call goes on`, err);
  return {
    value: REDACTED_MARKER,
    error: new MiddlewareError(label(e), 'sanitize guardrail threw; the event carries a redaction marker', { cause: err }),
  };
}

/**
 * What runs once the onion settles, with its `ctx`. Given to `runOnion`, it runs in the onion's own
 * outermost reaction: a `.then` on the result would cost a promise, a reaction and two closures
 * more on every call.
 */
export interface OnionEnd<C> {
  ok(value: unknown, ctx: C): unknown;
  fail(err: unknown, ctx: C): unknown;
}

/** No `end`: the onion's own result. */
const SETTLED: OnionEnd<unknown> = {
  ok: (v) => v,
  fail: (err) => {
    throw err;
  },
};

/**
 * Runs execution intercepts as an onion (lowest priority outermost) around `inner`. Errors of
 * `inner` pass through unchanged; an error an intercept raises itself is wrapped, naming it.
 * `ctx` is handed to `invoke` (a module-level function on hot paths, not a closure per call) and
 * to `end`.
 */
export function runOnion<I, C>(
  entries: readonly Entry[],
  input: I,
  inner: (input: I) => unknown,
  invoke: (e: Entry, input: I, next: (input: I) => Promise<unknown>, ctx: C) => unknown,
  ctx: C,
  end: OnionEnd<C> = SETTLED as OnionEnd<C>,
): Promise<unknown> {
  if (entries.length === 0) {
    let r: unknown;
    try {
      r = inner(input);
    } catch (err) {
      return settle(end, Promise.reject(err), ctx);
    }
    return settle(end, Promise.resolve(r), ctx);
  }
  return new Onion(entries, inner, invoke, ctx, end).level(0, input);
}

function settle<C>(end: OnionEnd<C>, p: Promise<unknown>, ctx: C): Promise<unknown> {
  if (end === SETTLED) return p;
  return p.then(
    (v) => end.ok(v, ctx),
    (err: unknown) => end.fail(err, ctx),
  );
}

/** One run of the onion: its state in one object rather than a closure per helper. */
class Onion<I, C> {
  /** Errors of `inner`, passed through unwrapped; the set is made on the first failure only. */
  private errors: Set<unknown> | undefined = undefined;

  constructor(
    private readonly entries: readonly Entry[],
    private readonly inner: (input: I) => unknown,
    private readonly invoke: (e: Entry, input: I, next: (input: I) => Promise<unknown>, ctx: C) => unknown,
    private readonly ctx: C,
    private readonly end: OnionEnd<C>,
  ) {}

  level(depth: number, i: I): Promise<unknown> {
    if (depth >= this.entries.length) return this.innermost(i);
    const e = this.entries[depth]!;
    let called = false;
    const next = (ni: I): Promise<unknown> => {
      called = true;
      return this.level(depth + 1, ni);
    };
    let r: unknown;
    const outermost = depth === 0;
    try {
      r = this.invoke(e, i, next, this.ctx);
    } catch (err) {
      const w = this.wrap(e, err);
      return outermost ? settle(this.end, Promise.reject(w), this.ctx) : Promise.reject(w);
    }
    return Promise.resolve(r).then(
      (v) => {
        if (!called) countInterceptSkip(e); // shown by diagnostics(): a forgotten `next` is a common bug
        return outermost ? this.end.ok(v, this.ctx) : v;
      },
      (err: unknown) => {
        const w = this.wrap(e, err);
        if (outermost) return this.end.fail(w, this.ctx);
        throw w;
      },
    );
  }

  private innermost(i: I): Promise<unknown> {
    let r: unknown;
    try {
      r = this.inner(i);
    } catch (err) {
      this.passThrough(err);
      return Promise.reject(err);
    }
    // A plain value needs no rejection handler: one promise instead of two.
    if (!isThenable(r)) return Promise.resolve(r);
    return Promise.resolve(r).then(undefined, (err: unknown) => {
      this.passThrough(err);
      throw err;
    });
  }

  private passThrough(err: unknown): void {
    (this.errors ??= new Set()).add(err);
  }

  /** An intercept's own error, wrapped to name it; `inner`'s errors and middleware errors pass unchanged. */
  private wrap(e: Entry, err: unknown): unknown {
    if (this.errors?.has(err) || err instanceof MiddlewareError || err instanceof GuardrailRejectedError) return err;
    const w = new MiddlewareError(label(e), 'execution intercept threw', { cause: err });
    this.passThrough(w);
    return w;
  }
}
