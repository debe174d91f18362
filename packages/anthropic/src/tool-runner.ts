/**
 * The beta tool runner (`client.beta.messages.toolRunner`): each turn is a `beta.messages.create`
 * call (instrumented like any other), and each runnable tool the runner executes becomes a
 * managed tool call — tool middleware applies, and the call is linked to the model's `tool_use` id.
 */
import { toolCallExecute } from '@nemo-flow/runtime';
import type { ToolCallOptions } from '@nemo-flow/runtime';
import type { Settings } from './options.js';
import { isObject, type MessagesResource } from './sdk.js';

type Run = (args: unknown, context?: unknown) => unknown;
type ToolRunner = NonNullable<MessagesResource['toolRunner']>;

const MANAGED = Symbol.for('nemo-flow.anthropic.tool');

function toolOptions(settings: Settings, context: unknown): ToolCallOptions {
  const o: ToolCallOptions = {};
  const use = isObject(context) ? context.toolUse : undefined;
  if (isObject(use) && typeof use.id === 'string') o.toolCallId = use.id;
  if (settings.parent) o.parent = settings.parent;
  if (settings.attributes) o.attributes = settings.attributes;
  if (settings.metadata !== undefined) o.metadata = settings.metadata;
  if (!settings.captureContent) o.captureContent = false;
  return o;
}

/** A copy of a runnable tool (same prototype, same own and symbol-keyed properties) whose `run` is managed. */
function managed(tool: unknown, settings: Settings): unknown {
  if (!isObject(tool) || typeof tool.run !== 'function' || typeof tool.name !== 'string' || MANAGED in tool) return tool;
  const run = tool.run as Run;
  const name = tool.name;
  const copy = Object.create(Object.getPrototypeOf(tool), Object.getOwnPropertyDescriptors(tool)) as Record<string | symbol, unknown>;
  copy.run = (args: unknown, context?: unknown) => toolCallExecute(name, args, (a) => run.call(tool, a, context), toolOptions(settings, context));
  Object.defineProperty(copy, MANAGED, { value: true });
  return copy;
}

export function wrapToolRunner(original: ToolRunner, settings: Settings): ToolRunner {
  return function toolRunner(this: MessagesResource, body: unknown, options?: unknown): unknown {
    if (isObject(body) && Array.isArray(body.tools)) body = { ...body, tools: body.tools.map((t) => managed(t, settings)) };
    const runner = original.call(this, body, options);
    // tools added to a running loop are managed too
    if (isObject(runner) && typeof runner.addTools === 'function') {
      const addTools = runner.addTools as (...tools: unknown[]) => unknown;
      Object.defineProperty(runner, 'addTools', {
        value: (...tools: unknown[]) =>
          addTools.apply(
            runner,
            tools.map((t) => managed(t, settings)),
          ),
        writable: true,
        configurable: true,
      });
    }
    return runner;
  };
}
