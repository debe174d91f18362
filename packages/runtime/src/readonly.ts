/**
 * Read-only views of payloads handed to subscribers and sanitize guardrails, so that one consumer
 * cannot change what another sees, without copying the payload. Only plain objects and arrays are
 * wrapped (class instances such as Date or Map would break behind a proxy); writing through a view
 * throws a TypeError naming the property. Views are not cached (a WeakMap insert costs far more
 * than a proxy); a view answers a private symbol with the object behind it.
 */

const TARGET = Symbol('nemo_flow.readonly_target');
/** Set on the prototype of runtime-made classes that may be wrapped like plain objects. */
export const VIEWABLE = Symbol('nemo_flow.viewable');

function reject(op: string, key: PropertyKey): never {
  throw new TypeError(`NeMo Flow payloads are read-only: cannot ${op} "${String(key)}"`);
}

const handler: ProxyHandler<object> = {
  get(target, key) {
    if (key === TARGET) return target;
    const value = Reflect.get(target, key);
    if (typeof value !== 'object' || value === null) return value;
    // Proxy invariant: a non-writable, non-configurable property must report its real value.
    const d = Object.getOwnPropertyDescriptor(target, key);
    if (d && !d.configurable && !d.writable) return value;
    return readonlyView(value);
  },
  set: (_t, key) => reject('set', key),
  defineProperty: (_t, key) => reject('define', key),
  deleteProperty: (_t, key) => reject('delete', key),
  setPrototypeOf: () => reject('set the prototype of', 'payload'),
};

function isWrappable(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || (value as { [VIEWABLE]?: boolean })[VIEWABLE] === true;
}

/** A read-only view of `value` (itself, for primitives, class instances and existing views). */
export function readonlyView<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  try {
    if ((value as { [TARGET]?: object })[TARGET] !== undefined || !isWrappable(value)) return value;
  } catch {
    return value; // a revoked proxy or a throwing trap: handed through, serializers mark it
  }
  return new Proxy(value, handler) as T;
}

/** The object behind a read-only view (or the value itself). Serializers use it to skip the proxy. */
export function unwrapView<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  try {
    return ((value as { [TARGET]?: T })[TARGET] ?? value) as T;
  } catch {
    return value; // a revoked proxy: not a view
  }
}
