/**
 * `instrumentTools(tools)`: each tool's `execute` becomes a managed tool call, so tool middleware
 * (guardrails, request intercepts, retries, redaction) applies and the call's `tool_call_id` is the
 * model's, linking it to the LLM turn that requested it.
 */
import { ToolHandle, getHandle, toolCallExecute } from '@nemo-flow/runtime';

const WRAPPED = Symbol.for('nemo-flow.ai-sdk.instrumented-tool');

/** What an AI SDK tool's `execute` receives as second argument (the part we read). */
interface ExecuteOptions {
  toolCallId?: string;
}

type Execute = (input: unknown, options: ExecuteOptions) => unknown;

export interface InstrumentToolsOptions {
  /** Recorded on every tool call's events. */
  metadata?: unknown;
  /** Attribute strings added to every tool call. */
  attributes?: readonly string[];
}

/** `async *execute()`: a streaming tool whose yields the AI SDK passes on as preliminary results. */
function isAsyncGeneratorFunction(fn: unknown): boolean {
  return Object.prototype.toString.call(fn) === '[object AsyncGeneratorFunction]';
}

/**
 * The values `run` produces, as an async iterable the AI SDK can consume while `run` (the managed
 * tool call) is still going: each value is handed on as it arrives, and the call's failure is
 * thrown to the consumer after the values that came before it.
 */
function streamThrough(run: (onValue: (v: unknown) => void) => Promise<unknown>): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<unknown> {
      const queue: unknown[] = [];
      let wake: (() => void) | undefined;
      let finished = false;
      let failure: { error: unknown } | undefined;
      const notify = (): void => {
        const w = wake;
        wake = undefined;
        w?.();
      };
      run((v) => {
        queue.push(v);
        notify();
      }).then(
        () => {
          finished = true;
          notify();
        },
        (error: unknown) => {
          failure = { error };
          finished = true;
          notify();
        },
      );
      return {
        async next(): Promise<IteratorResult<unknown>> {
          for (;;) {
            if (queue.length > 0) return { done: false, value: queue.shift() };
            if (failure) throw failure.error;
            if (finished) return { done: true, value: undefined };
            await new Promise<void>((r) => (wake = r));
          }
        },
      };
    },
  };
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** Wraps one tool; a tool without `execute` (client-side or provider-executed) is returned as is. */
export function instrumentTool<T extends object>(name: string, tool: T, options?: InstrumentToolsOptions): T {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('instrumentTool: name must be a non-empty string');
  if (tool === null || typeof tool !== 'object')
    throw new TypeError(`instrumentTool("${name}"): tool must be an AI SDK tool object, got ${tool === null ? 'null' : typeof tool}`);
  const execute = (tool as { execute?: unknown }).execute;
  if (typeof execute !== 'function' || (execute as { [WRAPPED]?: true })[WRAPPED]) return tool;
  const run = execute as Execute;
  const wrapped = (input: unknown, opts: ExecuteOptions) => {
    const id = typeof opts?.toolCallId === 'string' ? opts.toolCallId : undefined;
    // Already inside this very call (nemoFlowTelemetry made it managed): record it once.
    const current = getHandle();
    if (id !== undefined && current instanceof ToolHandle && current.toolCallId === id && current.isOpen) return run.call(tool, input, opts);
    const callOptions = { toolCallId: id, metadata: options?.metadata, attributes: options?.attributes };
    if (isAsyncGeneratorFunction(run)) {
      // Preliminary results reach the AI SDK as they come; the call ends with the final one.
      return streamThrough((onValue) =>
        toolCallExecute(
          name,
          input,
          async (args) => {
            let last: unknown;
            for await (const v of run.call(tool, args, opts) as AsyncIterable<unknown>) {
              last = v;
              onValue(v);
            }
            return last;
          },
          callOptions,
        ),
      );
    }
    return toolCallExecute(
      name,
      input,
      async (args) => {
        const out = await run.call(tool, args, opts);
        // An iterable from a plain function: the call ends with its final value.
        if (!isAsyncIterable(out)) return out;
        let last: unknown;
        for await (const v of out) last = v;
        return last;
      },
      callOptions,
    );
  };
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  return { ...tool, execute: wrapped };
}

/**
 * Returns a copy of an AI SDK tool set whose `execute` functions run as managed tool calls. Tools
 * the SDK executes elsewhere (no `execute`) are kept as they are; wrapping twice is a no-op. Works
 * for any tool set: `tool()` definitions, MCP client tools, dynamic tools.
 */
export function instrumentTools<T extends Record<string, object>>(tools: T, options?: InstrumentToolsOptions): T {
  if (tools === null || typeof tools !== 'object' || Array.isArray(tools)) {
    throw new TypeError(
      `instrumentTools: tools must be an object of AI SDK tools keyed by name, got ${tools === null ? 'null' : Array.isArray(tools) ? 'an array' : typeof tools}`,
    );
  }
  const out: Record<string, object> = {};
  for (const name of Object.keys(tools)) out[name] = instrumentTool(name, tools[name], options);
  return out as T;
}
