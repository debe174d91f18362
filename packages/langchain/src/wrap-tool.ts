/**
 * `wrapTool` / `wrapTools`: LangChain tools whose invocations run as managed NeMo Flow tool calls, so
 * tool guardrails, request intercepts, execution intercepts and redaction apply to them.
 */
import { ToolMessage, isBaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { ToolHandle, getHandle, toolCallExecute } from '@nemo-flow/runtime';
import { describeValue } from '@nemo-flow/runtime/exporter-kit';
import { findHandler } from './find-handler.js';
import { managedTools } from './managed.js';

/** What `wrapTool` needs of a tool: LangChain's `StructuredTool`, `DynamicTool`, `tool(...)` all fit. */
export interface InvokableTool {
  name: string;
  invoke(input: unknown, config?: RunnableConfig): Promise<unknown>;
}

/** Tools made by `wrapTool` (wrapping one again returns it as it is). */
const wrappedTools = new WeakSet<object>();

interface ToolCallInput {
  type: 'tool_call';
  id?: string;
  name: string;
  args: unknown;
}

function isToolCall(v: unknown): v is ToolCallInput {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'tool_call' && 'args' in v;
}

function contentOf(v: unknown): unknown {
  return isBaseMessage(v) ? v.content : v;
}

/**
 * A tool that runs every invocation through `toolCallExecute`: guardrails may block it (LangGraph's
 * ToolNode turns the `GuardrailRejectedError` into an error tool message), request intercepts change the
 * arguments it gets, execution intercepts wrap or replace it, sanitizers shape what is recorded. Invoked
 * with a tool call (as LangGraph does), the call's id is kept and a `ToolMessage` is returned. The
 * original tool is left untouched; the wrapper inherits everything else from it.
 */
export function wrapTool<T extends InvokableTool>(tool: T): T {
  if (tool === null || typeof tool !== 'object' || typeof tool.invoke !== 'function' || typeof tool.name !== 'string') {
    throw new TypeError(`wrapTool: tool must be a LangChain tool (an object with a name and invoke()), got ${describeValue(tool)}`);
  }
  if (wrappedTools.has(tool)) return tool;
  const invoke = tool.invoke;
  const wrapped = Object.create(tool) as T;
  const name = tool.name;
  Object.defineProperty(wrapped, 'invoke', {
    configurable: true,
    writable: true,
    value: async function invokeManaged(input: unknown, config?: RunnableConfig): Promise<unknown> {
      const call = isToolCall(input) ? input : undefined;
      const attached = findHandler(config?.callbacks);
      let real: unknown;
      let realContent: unknown;
      const result = await toolCallExecute(
        name,
        call ? call.args : input,
        async (args) => {
          const h = getHandle();
          if (h instanceof ToolHandle) managedTools.add(h);
          real = await invoke.call(wrapped, call ? { ...call, args } : args, config);
          return (realContent = contentOf(real));
        },
        { toolCallId: call?.id, parent: attached ? attached.handler.parentFor(attached.parentRunId) : undefined },
      );
      if (real !== undefined && result === realContent) return real;
      // An execution intercept answered without running the tool (a cache, a stub).
      if (!call) return result;
      return new ToolMessage({ content: typeof result === 'string' ? result : JSON.stringify(result), tool_call_id: call.id ?? '', name });
    },
  });
  wrappedTools.add(wrapped);
  return wrapped;
}

/** `wrapTool` over a list. */
export function wrapTools<T extends InvokableTool>(tools: readonly T[]): T[] {
  if (!Array.isArray(tools)) throw new TypeError(`wrapTools: tools must be an array of LangChain tools, got ${describeValue(tools)}`);
  return tools.map((t) => wrapTool(t));
}
