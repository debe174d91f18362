/** The options of `instrumentAnthropic`, checked once when instrumenting. */
import { ScopeHandle } from '@nemo-flow/runtime';

export interface InstrumentAnthropicOptions {
  /**
   * Name of every LLM call this client makes. Default: `anthropic.messages.create`,
   * `anthropic.messages.stream` for `messages.stream()`, and `anthropic.beta.messages.create` /
   * `anthropic.beta.messages.stream` for the beta resource (tool runner turns included).
   */
  name?: string;
  /** Parent scope of the calls (default: the scope current where each call is made). */
  parent?: ScopeHandle;
  /** Attributes added to every LLM and tool call (e.g. `['provider:anthropic']`). */
  attributes?: readonly string[];
  /** Recorded on every LLM and tool call's events. */
  metadata?: unknown;
  /**
   * Record prompts, completions, tool calls, and the tool runner's tool arguments and results in
   * events (default `true`). With `false`, events keep the model, parameters, ids, finish reason,
   * token usage and transport facts, and tool calls their name and id.
   */
  captureContent?: boolean;
}

/** The validated settings (not exported from the package entry). */
export interface Settings {
  name: string | undefined;
  parent: ScopeHandle | undefined;
  attributes: readonly string[] | undefined;
  metadata: unknown;
  captureContent: boolean;
}

export function checkOptions(options: InstrumentAnthropicOptions | undefined): Settings {
  const what = 'instrumentAnthropic';
  if (options === undefined) return { name: undefined, parent: undefined, attributes: undefined, metadata: undefined, captureContent: true };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${what}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const { name, parent, attributes, metadata, captureContent } = options;
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw new TypeError(`${what}: options.name must be a non-empty string`);
  }
  if (parent !== undefined && !(parent instanceof ScopeHandle)) {
    throw new TypeError(`${what}: options.parent must be a ScopeHandle (from pushScope or getHandle)`);
  }
  if (attributes !== undefined && (!Array.isArray(attributes) || attributes.some((a) => typeof a !== 'string'))) {
    throw new TypeError(`${what}: options.attributes must be an array of strings`);
  }
  if (captureContent !== undefined && typeof captureContent !== 'boolean') {
    throw new TypeError(`${what}: options.captureContent must be a boolean`);
  }
  return { name, parent, attributes: attributes ? [...attributes] : undefined, metadata, captureContent: captureContent ?? true };
}
