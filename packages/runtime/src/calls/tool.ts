/**
 * Tool calls. Managed (`toolCallExecute`): conditional guardrails → request intercepts →
 * sanitize-request → START → execution intercepts → the tool → sanitize-response → END.
 * Manual (`toolCall` / `toolCallEnd` / `toolCallError`): sanitize guardrails only, never blocking.
 */
import type { ScopeHandle } from '../scope.js';
import { checkAttributes, runInScope } from '../scope.js';
import { ToolHandle, emitWhenSanitized, endWhenSanitized, startCall } from './handles.js';
import { closeHandle, parentOf, timeOf } from '../lifecycle.js';
import { resolve } from '../middleware/registry.js';
import type { Entry, ToolConditionalGuardrail, ToolExecutionIntercept, ToolRequestIntercept, ToolSanitizeGuardrail } from '../middleware/types.js';
import { readonlyView } from '../readonly.js';
import { LifecycleError, MiddlewareError, callLabel, checkFunction, checkName, checkOptions, describeError, describeValue } from '../errors.js';
import { callInScope, conditionalVerdict, isThenable, runOnion, runSanitize, type OnionEnd } from './pipeline.js';
import { emitStart } from '../events.js';
import { nowMicros } from '../time.js';
import { trackCall } from '../open-calls.js';

export interface ToolCallOptions {
  /** The provider's tool call id (links the call to the LLM turn that requested it). */
  toolCallId?: string;
  /** Parent scope; defaults to the current scope. */
  parent?: ScopeHandle;
  /** Application data kept on the handle. */
  data?: unknown;
  /** Recorded on the call's events. */
  metadata?: unknown;
  attributes?: readonly string[];
  /** Start time in epoch microseconds (manual `toolCall` only). */
  timestamp?: number;
  /** `false`: the call's events carry no arguments or result (the tool and the caller still get them). Default `true`. */
  captureContent?: boolean;
}

export interface EndOptions {
  /** End time in epoch microseconds. */
  timestamp?: number;
}

type ToolFn<A, R> = (args: A) => R | PromiseLike<R>;

/** @internal Checks a call's options (cheap: nothing is walked unless given). */
export function checkCallOptions(options: { attributes?: unknown } | undefined, what: string): void {
  if (options === undefined) return;
  checkOptions(options, what);
  if (options?.attributes !== undefined) checkAttributes(options.attributes, what);
}

function newHandle(name: string, parent: ScopeHandle, options: ToolCallOptions | undefined, micros: number, what: string): ToolHandle {
  const id = options?.toolCallId;
  if (id !== undefined && id !== null && typeof id !== 'string') throw new TypeError(`${what}: toolCallId must be a string, got ${describeValue(id)}`);
  const h = new ToolHandle(name, parent, id ?? null, options?.attributes, options?.data, options?.metadata, micros);
  const capture = options?.captureContent;
  if (capture !== undefined) {
    if (typeof capture !== 'boolean') throw new TypeError(`${what}: captureContent must be a boolean, got ${describeValue(capture)}`);
    h._noContent = !capture;
  }
  return h;
}

function end(h: ToolHandle, data: unknown, failed: boolean, err?: unknown): void {
  if (h._open) closeHandle(h, nowMicros(), data, h._profile, failed ? describeError(err) : undefined);
}

/**
 * Runs a tool through the middleware pipeline and emits its start/end events. Resolves to the
 * tool's real return value; rejects with its original error (or a `GuardrailRejectedError` /
 * `MiddlewareError` naming the middleware).
 */
export function toolCallExecute<A, R>(name: string, args: A, fn: ToolFn<A, R>, options?: ToolCallOptions): Promise<Awaited<R>> {
  const what = callLabel('toolCallExecute', name);
  checkName(name, what);
  checkFunction(fn, what, 'fn');
  checkCallOptions(options, what);
  const parent = parentOf(options?.parent, what);
  const cond = resolve('tool_conditional_execution', parent);
  const req = resolve('tool_request_intercept', parent);
  const sreq = resolve('tool_sanitize_request', parent);
  const sres = resolve('tool_sanitize_response', parent);
  const exec = resolve('tool_execution_intercept', parent);
  if (cond.length + req.length + sreq.length + sres.length + exec.length === 0) {
    return runPlain(newHandle(name, parent, options, nowMicros(), what), args, fn);
  }
  return runManaged(name, args, fn, newHandle(name, parent, options, nowMicros(), what), cond, req, sreq, sres, exec);
}

/** @internal The request-intercept chain: each entry's result (unless `undefined`) is the next one's args. */
export async function runToolRequestIntercepts(entries: readonly Entry[], name: string, args: unknown): Promise<unknown> {
  return requestIntercepts(entries, name, args, 0);
}

/** The chain, synchronous while the intercepts are (an `await` per entry costs a promise each call). */
function requestIntercepts(entries: readonly Entry[], name: string, args: unknown, from: number): unknown {
  let real = args;
  for (let i = from; i < entries.length; i++) {
    const e = entries[i]!;
    let v: unknown;
    try {
      v = (e.fn as ToolRequestIntercept)(name, real);
    } catch (err) {
      throw requestInterceptFailed(e, err);
    }
    if (isThenable(v)) {
      const before = real;
      return Promise.resolve(v).then(
        (nv) => {
          const next = nv === undefined ? before : nv;
          return e.breakChain ? next : requestIntercepts(entries, name, next, i + 1);
        },
        (err: unknown) => {
          throw requestInterceptFailed(e, err);
        },
      );
    }
    if (v !== undefined) real = v;
    if (e.breakChain) break;
  }
  return real;
}

function requestInterceptFailed(e: Entry, err: unknown): MiddlewareError {
  return new MiddlewareError(`${e.family}:${e.name}`, 'request intercept threw', { cause: err });
}

/** No middleware: the call costs two events and the callback. */
function runPlain<A, R>(h: ToolHandle, args: A, fn: ToolFn<A, R>): Promise<Awaited<R>> {
  startCall(h, args, h._profile);
  let r: R | PromiseLike<R>;
  try {
    r = runInScope(h, () => fn(args));
  } catch (err) {
    end(h, null, true, err);
    return Promise.reject(err);
  }
  if (isThenable(r)) {
    return Promise.resolve(r).then(
      (v) => {
        end(h, v, false);
        return v;
      },
      (err: unknown) => {
        end(h, null, true, err);
        throw err;
      },
    );
  }
  end(h, r, false);
  return Promise.resolve(r as Awaited<R>);
}

// Module-level invokers: the pipeline hands them the call's name (or handle), so that a tool call
// through middleware makes no closure per step.
const verdictWith = (e: Entry, args: unknown, name: string): unknown => (e.fn as ToolConditionalGuardrail)(name, readonlyView(args));
const sanitizeWith = (e: Entry, v: unknown, name: string): unknown => (e.fn as ToolSanitizeGuardrail)(name, v);
const interceptWith = (e: Entry, a: unknown, next: (a: unknown) => Promise<unknown>, c: Settling): unknown =>
  (e.fn as ToolExecutionIntercept)(a, next, { name: c.h.name, handle: c.h });

/** What the execution onion's end needs: the call, and the sanitize-response guardrails. */
interface Settling {
  h: ToolHandle;
  sres: readonly Entry[];
}

/** The tool (through its intercepts) settled: sanitize-response and the end event, or the error's end event. */
const settled: OnionEnd<Settling> = {
  ok: (result, c) => finish(c.h.name, c.h, result, c.sres),
  fail: (err, c) => {
    end(c.h, null, true, err);
    throw err;
  },
};

/** What the pipeline decided before the tool runs: what subscribers see, what the tool gets, or why it must not run. */
interface Prepared {
  failure: unknown;
  real: unknown;
  shown: unknown;
}

/**
 * Conditional guardrails → request intercepts → sanitize-request. Synchronous while the middleware
 * are: the common all-synchronous pipeline then costs no promise before the tool runs.
 */
function prepare(name: string, args: unknown, cond: readonly Entry[], req: readonly Entry[], sreq: readonly Entry[]): Prepared | PromiseLike<Prepared> {
  let c: unknown;
  try {
    c = cond.length === 0 ? undefined : conditionalVerdict(cond, name, verdictWith, args);
  } catch (err) {
    return sanitized(name, err, args, sreq);
  }
  if (!isThenable(c)) return intercepted(name, args, c, req, sreq);
  return c.then(
    (failure) => intercepted(name, args, failure, req, sreq),
    (err: unknown) => sanitized(name, err, args, sreq),
  );
}

/** The request intercepts, unless a guardrail already refused the call. */
function intercepted(name: string, args: unknown, failure: unknown, req: readonly Entry[], sreq: readonly Entry[]): Prepared | PromiseLike<Prepared> {
  if (failure || req.length === 0) return sanitized(name, failure, args, sreq);
  let r: unknown;
  try {
    r = requestIntercepts(req, name, args, 0);
  } catch (err) {
    return sanitized(name, err, args, sreq);
  }
  if (!isThenable(r)) return sanitized(name, undefined, r, sreq);
  return r.then(
    (real) => sanitized(name, undefined, real, sreq),
    (err: unknown) => sanitized(name, err, args, sreq),
  );
}

/** What the start event shows: the (real) arguments through the sanitize-request guardrails. */
function sanitized(name: string, failure: unknown, real: unknown, sreq: readonly Entry[]): Prepared | PromiseLike<Prepared> {
  if (sreq.length === 0) return { failure, real, shown: real };
  const s = runSanitize(sreq, real, sanitizeWith, name);
  if (isThenable(s)) return s.then((r) => ({ failure, real, shown: r.value }));
  return { failure, real, shown: s.value };
}

/**
 * The managed pipeline without an `async` frame: promises only where the tool or a middleware is
 * asynchronous, plus the execution onion's one.
 */
function runManaged<A, R>(
  name: string,
  args: A,
  fn: ToolFn<A, R>,
  h: ToolHandle,
  cond: readonly Entry[],
  req: readonly Entry[],
  sreq: readonly Entry[],
  sres: readonly Entry[],
  exec: readonly Entry[],
): Promise<Awaited<R>> {
  const p = prepare(name, args, cond, req, sreq);
  if (isThenable(p)) return Promise.resolve(p).then((ready) => execute(fn, h, ready, sres, exec));
  return execute(fn, h, p, sres, exec);
}

function execute<A, R>(fn: ToolFn<A, R>, h: ToolHandle, p: Prepared, sres: readonly Entry[], exec: readonly Entry[]): Promise<Awaited<R>> {
  startCall(h, p.shown, h._profile);
  if (p.failure) {
    end(h, null, true, p.failure);
    return Promise.reject(p.failure);
  }
  return runOnion(exec, p.real, callInScope(h, fn as ToolFn<unknown, R>), interceptWith, { h, sres }, settled) as Promise<Awaited<R>>;
}

/** Sanitize-response, then the end event; the caller gets the real result either way. */
function finish<R>(name: string, h: ToolHandle, result: R, sres: readonly Entry[]): R | Promise<R> {
  if (sres.length === 0) {
    end(h, result, false);
    return result;
  }
  const o = runSanitize(sres, result, sanitizeWith, name);
  if (isThenable(o)) {
    return o.then((r) => {
      end(h, r.value, false);
      return result;
    });
  }
  end(h, o.value, false);
  return result;
}

/** Starts a manual tool call. Sanitize-request guardrails apply to the start event; nothing blocks. */
export function toolCall(name: string, args: unknown, options?: ToolCallOptions): ToolHandle {
  const what = callLabel('toolCall', name);
  checkName(name, what);
  checkCallOptions(options, what);
  const parent = parentOf(options?.parent, what);
  const h = newHandle(name, parent, options, timeOf(options?.timestamp, what), what);
  trackCall(h);
  const sreq = resolve('tool_sanitize_request', parent);
  const s = sreq.length === 0 ? { value: args } : runSanitize(sreq, args, sanitizeWith, name);
  emitWhenSanitized(h, s, (r) => emitStart(h, h.startMicros, h._noContent ? null : r.value, h._profile));
  return h;
}

function endManual(handle: ToolHandle, what: string, data: unknown, error: unknown, failed: boolean, options: EndOptions | undefined): void {
  if (!(handle instanceof ToolHandle)) throw new TypeError(`${what}: handle must be a ToolHandle returned by toolCall, got ${describeValue(handle)}`);
  checkOptions(options, what);
  if (!handle._open) throw new LifecycleError(`${what}: tool call "${handle.name}" has already ended`);
  const micros = timeOf(options?.timestamp, what);
  const sres = failed ? [] : resolve('tool_sanitize_response', handle.parent!);
  const s = sres.length === 0 ? { value: data } : runSanitize(sres, data, sanitizeWith, handle.name);
  endWhenSanitized(handle, s, (r) => closeHandle(handle, micros, r.value, handle._profile, failed ? describeError(error) : undefined));
}

/** Ends a manual tool call with its result. Ending twice is a `LifecycleError`. */
export function toolCallEnd(handle: ToolHandle, result: unknown, options?: EndOptions): void {
  endManual(handle, 'toolCallEnd', result, undefined, false, options);
}

/** Ends a manual tool call with an error (recorded on the end event). */
export function toolCallError(handle: ToolHandle, error: unknown, options?: EndOptions): void {
  endManual(handle, 'toolCallError', null, error, true, options);
}
