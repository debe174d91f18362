/**
 * `instrumentAnthropic(target)`: a client instance is instrumented in place; the `Anthropic` class
 * (or any client class) gets its instances instrumented as they are constructed. The class route
 * needs no loader hooks: the SDK's constructor assigns `this.messages` and `this.beta`, and
 * accessors on the class prototype catch those assignments.
 */
import { checkOptions, type InstrumentAnthropicOptions, type Settings } from './options.js';
import { wrapCreate, type Site } from './create.js';
import { wrapToolRunner } from './tool-runner.js';
import { watchFetch } from './transport.js';
import { isObject, type MessagesResource, type SdkClient } from './sdk.js';

const INSTRUMENTED = Symbol.for('nemo-flow.anthropic.instrumented');

/** A client instance or class of `@anthropic-ai/sdk` (`Anthropic`, `BaseAnthropic`, a subclass). */
export type AnthropicTarget = object;

function instrumentResource(resource: unknown, site: Site, beta: boolean): void {
  if (!isObject(resource) || typeof resource.create !== 'function') return;
  const r = resource as unknown as MessagesResource & { [INSTRUMENTED]?: true };
  if (r[INSTRUMENTED]) return;
  Object.defineProperty(r, INSTRUMENTED, { value: true });
  Object.defineProperty(r, 'create', { value: wrapCreate(r, r.create, site), writable: true, configurable: true });
  if (beta && typeof r.toolRunner === 'function') {
    Object.defineProperty(r, 'toolRunner', { value: wrapToolRunner(r.toolRunner, site.settings), writable: true, configurable: true });
  }
}

function instrumentInstance(client: SdkClient, settings: Settings): void {
  watchFetch(client);
  instrumentResource(client.messages, { client, prefix: 'anthropic.messages', settings }, false);
  instrumentResource(client.beta?.messages, { client, prefix: 'anthropic.beta.messages', settings }, true);
}

function isClient(v: object): v is SdkClient {
  return typeof (v as { request?: unknown }).request === 'function' && isObject((v as { messages?: unknown }).messages);
}

/** Catches the constructor's `this.messages = …` / `this.beta = …` on every instance of the class. */
function hookClass(proto: object, settings: Settings): void {
  for (const key of ['messages', 'beta'] as const) {
    Object.defineProperty(proto, key, {
      configurable: true,
      get: () => undefined,
      set(this: SdkClient, value: unknown) {
        Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
        watchFetch(this);
        if (key === 'messages') instrumentResource(value, { client: this, prefix: 'anthropic.messages', settings }, false);
        else if (isObject(value)) instrumentResource(value.messages, { client: this, prefix: 'anthropic.beta.messages', settings }, true);
      },
    });
  }
}

/**
 * Puts an Anthropic client on the NeMo Flow runtime: every `messages.create` (plain and
 * streamed), `messages.stream()` and beta tool-runner turn becomes a managed LLM call, every tool
 * the tool runner executes a managed tool call. Pass a client to instrument it, or the
 * `Anthropic` class to instrument every client constructed from it afterwards. Returns `target`.
 * Instrumenting the same client or class again keeps the first settings.
 */
export function instrumentAnthropic<T extends AnthropicTarget>(target: T, options?: InstrumentAnthropicOptions): T {
  const settings = checkOptions(options);
  if (typeof target === 'function') {
    const proto = (target as { prototype?: unknown }).prototype;
    if (!isObject(proto) || typeof (proto as { request?: unknown }).request !== 'function') {
      throw new TypeError('instrumentAnthropic: target must be an Anthropic client or client class (from @anthropic-ai/sdk)');
    }
    if (!Object.hasOwn(proto, INSTRUMENTED)) {
      Object.defineProperty(proto, INSTRUMENTED, { value: true });
      hookClass(proto, settings);
    }
    return target;
  }
  if (!isObject(target) || !isClient(target)) {
    throw new TypeError('instrumentAnthropic: target must be an Anthropic client or client class (from @anthropic-ai/sdk)');
  }
  instrumentInstance(target, settings);
  return target;
}
