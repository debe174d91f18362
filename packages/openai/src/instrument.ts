/**
 * `instrumentOpenAI(target)`: a client instance gets its `create` methods replaced on its own
 * resource objects; the `OpenAI` class (or a subclass) gets accessors on its prototype that
 * instrument each client's resources as its constructor assigns them — so every client made from
 * the class afterwards is instrumented, under ESM too, without loader hooks.
 */
import type OpenAI from 'openai';
import { CHAT, RESPONSES, embeddingsCreate, llmCreate, type Create, type InstrumentOpenAIOptions } from './calls.js';

/** The `OpenAI` class or a subclass of it. */
export type OpenAIClass = abstract new (...args: never[]) => OpenAI;

const DONE = Symbol.for('nemo_flow.openai.instrumented');

type Marked = { [DONE]?: true };

function replaceCreate(resource: unknown, make: (original: Create) => Create, what: string): void {
  if (typeof resource !== 'object' || resource === null)
    throw new TypeError(`instrumentOpenAI: the client has no ${what} resource (expected an OpenAI client from the openai package)`);
  const r = resource as { create?: unknown } & Marked;
  if (r[DONE]) return;
  if (typeof r.create !== 'function')
    throw new TypeError(`instrumentOpenAI: ${what}.create is not a function (expected an OpenAI client from the openai package)`);
  Object.defineProperty(r, 'create', { value: make(r.create as Create), writable: true, configurable: true });
  Object.defineProperty(r, DONE, { value: true });
}

function instrumentChat(client: OpenAI, chat: unknown, options: InstrumentOpenAIOptions | undefined): void {
  replaceCreate((chat as { completions?: unknown } | undefined)?.completions, (o) => llmCreate(CHAT, o, client, options), 'chat.completions');
}

function instrumentClient(client: OpenAI, options: InstrumentOpenAIOptions | undefined): void {
  instrumentChat(client, client.chat, options);
  replaceCreate(client.responses, (o) => llmCreate(RESPONSES, o, client, options), 'responses');
  replaceCreate(client.embeddings, (o) => embeddingsCreate(o, client, options), 'embeddings');
}

/** Resource properties the client constructor assigns, and how each is instrumented. */
const RESOURCES: Record<string, (client: OpenAI, value: unknown, options: InstrumentOpenAIOptions | undefined) => void> = {
  chat: (client, value, options) => instrumentChat(client, value, options),
  responses: (client, value, options) => replaceCreate(value, (o) => llmCreate(RESPONSES, o, client, options), 'responses'),
  embeddings: (client, value, options) => replaceCreate(value, (o) => embeddingsCreate(o, client, options), 'embeddings'),
};

function instrumentClass(cls: OpenAIClass, options: InstrumentOpenAIOptions | undefined): void {
  const proto = cls.prototype as object & Marked;
  if (Object.hasOwn(proto, DONE)) return;
  for (const [key, instrument] of Object.entries(RESOURCES)) {
    // The constructor assigns `this.chat = new Chat(this)`: the setter instruments the resource and
    // stores it on the instance as a plain data property, so later reads cost nothing.
    Object.defineProperty(proto, key, {
      configurable: true,
      get: () => undefined,
      set(this: OpenAI, value: unknown) {
        Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
        instrument(this, value, options);
      },
    });
  }
  Object.defineProperty(proto, DONE, { value: true });
}

function isClass(target: unknown): target is OpenAIClass {
  return typeof target === 'function' && typeof (target as { prototype?: unknown }).prototype === 'object';
}

/**
 * Instruments an OpenAI client, or the `OpenAI` class so that every client made from it afterwards
 * is instrumented. Returns `target`. Instrumenting twice is a no-op (the first options stay).
 */
export function instrumentOpenAI<T extends OpenAI | OpenAIClass>(target: T, options?: InstrumentOpenAIOptions): T {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('instrumentOpenAI: options must be an object');
  if (options?.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0))
    throw new TypeError('instrumentOpenAI: options.name must be a non-empty string');
  if (options?.captureContent !== undefined && typeof options.captureContent !== 'boolean')
    throw new TypeError('instrumentOpenAI: options.captureContent must be a boolean');
  if (isClass(target)) instrumentClass(target, options);
  else if (typeof target === 'object' && target !== null) instrumentClient(target as OpenAI, options);
  else throw new TypeError(`instrumentOpenAI: target must be an OpenAI client or the OpenAI class, got ${target === null ? 'null' : typeof target}`);
  return target;
}
