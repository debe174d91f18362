/**
 * `instrumentGoogleGenAI(target)`: a client instance gets its `models.generateContent` and
 * `models.generateContentStream` replaced on its own `models` object; the `GoogleGenAI` class (or a
 * subclass) gets a `models` accessor on its prototype that instruments each client's `models` as
 * its constructor assigns it — so every client made from the class afterwards is instrumented,
 * under ESM too, without loader hooks. Chats call the same `models` object, so they are covered.
 */
import type { GoogleGenAI, Models } from '@google/genai';
import { instrumentedGenerateContent, instrumentedGenerateContentStream, type InstrumentGoogleGenAIOptions } from './calls.js';
import { countAttempts } from './transport.js';

/** The `GoogleGenAI` class or a subclass of it. */
export type GoogleGenAIClass = abstract new (...args: never[]) => GoogleGenAI;

const DONE = Symbol.for('nemo_flow.google_genai.instrumented');

type Marked = { [DONE]?: true };

const EXPECTED = '(expected a GoogleGenAI client from the @google/genai package)';

function instrumentModels(models: unknown, options: InstrumentGoogleGenAIOptions | undefined): void {
  if (typeof models !== 'object' || models === null) throw new TypeError(`instrumentGoogleGenAI: the client has no models object ${EXPECTED}`);
  const m = models as Pick<Models, 'generateContent' | 'generateContentStream'> & Marked;
  if (m[DONE]) return;
  if (typeof m.generateContent !== 'function' || typeof m.generateContentStream !== 'function') {
    throw new TypeError(`instrumentGoogleGenAI: models.generateContent / generateContentStream are not functions ${EXPECTED}`);
  }
  // The SDK defines both as arrow functions on each Models object, so replacing the own properties
  // keeps `this` right, and chats (which hold this Models object) call the replacements.
  const apiClient = (models as { apiClient?: unknown }).apiClient; // SDK-internal: the transport
  countAttempts(apiClient);
  const plain = m.generateContent;
  const streaming = m.generateContentStream;
  Object.defineProperty(m, 'generateContent', {
    value: instrumentedGenerateContent(plain, apiClient, options),
    writable: true,
    configurable: true,
    enumerable: true,
  });
  Object.defineProperty(m, 'generateContentStream', {
    value: instrumentedGenerateContentStream(streaming, apiClient, options),
    writable: true,
    configurable: true,
    enumerable: true,
  });
  Object.defineProperty(m, DONE, { value: true });
}

function instrumentClass(cls: GoogleGenAIClass, options: InstrumentGoogleGenAIOptions | undefined): void {
  const proto = cls.prototype as object & Marked;
  if (Object.hasOwn(proto, DONE)) return;
  // The constructor assigns `this.models = new Models(...)`: the setter instruments it and stores
  // it on the instance as a plain data property, so later reads cost nothing.
  Object.defineProperty(proto, 'models', {
    configurable: true,
    get: () => undefined,
    set(this: GoogleGenAI, value: unknown) {
      Object.defineProperty(this, 'models', { value, writable: true, enumerable: true, configurable: true });
      instrumentModels(value, options);
    },
  });
  Object.defineProperty(proto, DONE, { value: true });
}

function isClass(target: unknown): target is GoogleGenAIClass {
  return typeof target === 'function' && typeof (target as { prototype?: unknown }).prototype === 'object';
}

function checkOptions(options: unknown): asserts options is InstrumentGoogleGenAIOptions | undefined {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError('instrumentGoogleGenAI: options must be an object');
  const o = options as Record<string, unknown>;
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0))
    throw new TypeError('instrumentGoogleGenAI: options.name must be a non-empty string');
  if (o.captureContent !== undefined && typeof o.captureContent !== 'boolean')
    throw new TypeError('instrumentGoogleGenAI: options.captureContent must be a boolean');
  if (o.attributes !== undefined && (!Array.isArray(o.attributes) || o.attributes.some((a) => typeof a !== 'string'))) {
    throw new TypeError('instrumentGoogleGenAI: options.attributes must be an array of strings');
  }
}

/**
 * Instruments a `GoogleGenAI` client, or the `GoogleGenAI` class so that every client made from it
 * afterwards is instrumented. Returns `target`. Instrumenting twice is a no-op (the first options stay).
 */
export function instrumentGoogleGenAI<T extends GoogleGenAI | GoogleGenAIClass>(target: T, options?: InstrumentGoogleGenAIOptions): T {
  checkOptions(options);
  if (isClass(target)) instrumentClass(target, options);
  else if (typeof target === 'object' && target !== null) instrumentModels((target as GoogleGenAI).models, options);
  else
    throw new TypeError(`instrumentGoogleGenAI: target must be a GoogleGenAI client or the GoogleGenAI class, got ${target === null ? 'null' : typeof target}`);
  return target;
}
