/**
 * Scope handles and scope stacks, and which stack is current.
 *
 * The current stack lives in AsyncLocalStorage. `withScope` runs its callback on a fresh stack
 * forked at the new scope, so concurrent callbacks never see each other's scopes, whatever they
 * await. Imperative `pushScope`/`popScope` work on the current stack (outside any context: one
 * process-wide default stack).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ScopeType } from './types.js';
import { uuidv7 } from './uuid.js';
import type { ScopeLocal } from './scope-local.js';
import { checkFunction, describeValue } from './errors.js';

const EMPTY_ATTRIBUTES: readonly string[] = Object.freeze([]);

/** Sorted, de-duplicated, frozen attribute list (the shared empty list when there are none). */
export function normalizeAttributes(attributes: readonly string[] | undefined, what = 'attributes'): readonly string[] {
  if (attributes === undefined || attributes === null) return EMPTY_ATTRIBUTES;
  checkAttributes(attributes, what);
  if (attributes.length === 0) return EMPTY_ATTRIBUTES;
  return Object.freeze([...new Set(attributes)].sort());
}

/** @internal `attributes` must be an array of strings (or absent). */
export function checkAttributes(attributes: unknown, what: string): void {
  if (attributes === undefined || attributes === null) return;
  if (!Array.isArray(attributes)) throw new TypeError(`${what}: attributes must be an array of strings, got ${describeValue(attributes)}`);
  for (const a of attributes) {
    if (typeof a !== 'string') throw new TypeError(`${what}: attributes must be an array of strings, got an element ${describeValue(a)}`);
  }
}

/**
 * A scope: an agent run, a request, a step, a tool or LLM call. Every API that takes a parent
 * accepts one. Handles are created by the runtime, never by user code.
 */
export class ScopeHandle {
  /** UUIDv7 shared by the scope's start and end events. */
  readonly uuid: string;
  readonly name: string;
  readonly scopeType: ScopeType;
  /** The enclosing scope (`null` only for a stack's implicit root). */
  readonly parent: ScopeHandle | null;
  /** Sorted attribute strings. */
  readonly attributes: readonly string[];
  /** Application data attached at creation (not emitted by itself). */
  readonly data: unknown;
  /** Metadata recorded on the scope's events. */
  readonly metadata: unknown;
  /** Nesting depth below the implicit root (root = 0). */
  readonly depth: number;
  /** Epoch microseconds of the start event. */
  readonly startMicros: number;
  /** @internal */ _open = true;
  /** @internal Scope-local subscribers and middleware; created on first registration. */
  _local: ScopeLocal | undefined = undefined;
  /** @internal Newest call or stream started under this scope and not ended yet (see open-calls.ts). */
  _calls: ScopeHandle | undefined = undefined;
  /** @internal Neighbours in the parent's list of open calls. */
  _prevCall: ScopeHandle | undefined = undefined;
  /** @internal */ _nextCall: ScopeHandle | undefined = undefined;
  /** @internal Resolved middleware lists for calls under this scope, keyed by family. */
  _mwCache: Map<string, { version: number; list: readonly unknown[] }> | undefined = undefined;
  /** @internal The stack the scope was pushed on (imperative scopes only). */
  _stack: ScopeStack | undefined = undefined;

  /** @internal */
  constructor(
    name: string,
    scopeType: ScopeType,
    parent: ScopeHandle | null,
    attributes: readonly string[],
    data: unknown,
    metadata: unknown,
    startMicros: number,
  ) {
    this.uuid = uuidv7(Math.floor(startMicros / 1000));
    this.name = name;
    this.scopeType = scopeType;
    this.parent = parent;
    this.attributes = attributes;
    this.data = data;
    this.metadata = metadata;
    this.depth = parent ? parent.depth + 1 : 0;
    this.startMicros = startMicros;
  }

  /** The enclosing scope's uuid, or `null` for a root. */
  get parentUuid(): string | null {
    return this.parent ? this.parent.uuid : null;
  }

  /** True until the scope (or call) has ended. */
  get isOpen(): boolean {
    return this._open;
  }

  /** True for a stack's implicit root, which emits no events. */
  get isRoot(): boolean {
    return this.parent === null;
  }
}

/**
 * An isolated stack of scopes with its own implicit root. Frameworks that manage their own
 * concurrency create one per task and run work with `runWithScopeStack`.
 */
export class ScopeStack {
  /** @internal The scope this stack starts at (the root, or the scope `withScope` forked at). */
  readonly _base: ScopeHandle;
  /**
   * @internal Scopes pushed imperatively on this stack, innermost last. Created on the first push:
   * every tool and LLM callback runs on a stack of its own, and few of them push scopes.
   */
  _frames: ScopeHandle[] | undefined = undefined;

  constructor(base?: ScopeHandle) {
    if (base !== undefined && !(base instanceof ScopeHandle)) throw new TypeError(`ScopeStack: base must be a ScopeHandle, got ${describeValue(base)}`);
    this._base = base ?? new ScopeHandle('root', 'unknown', null, EMPTY_ATTRIBUTES, undefined, undefined, 0);
  }

  /** The implicit root: top-level scopes point at it; it emits no events. */
  get root(): ScopeHandle {
    let root = this._base;
    while (root.parent) root = root.parent;
    return root;
  }

  /** The innermost scope of this stack. */
  get top(): ScopeHandle {
    const f = this._frames;
    return f !== undefined && f.length > 0 ? f[f.length - 1]! : this._base;
  }
}

/** @internal An `options.scope` argument, checked: a ScopeHandle or nothing. */
export function checkScope(scope: unknown, where: string): ScopeHandle | null {
  if (scope === undefined || scope === null) return null;
  if (!(scope instanceof ScopeHandle)) throw new TypeError(`${where}: scope must be a ScopeHandle returned by the runtime, got ${describeValue(scope)}`);
  return scope;
}

const storage = new AsyncLocalStorage<ScopeStack>();
// Made on first use, not at import: a root scope draws random bytes for its id, which Workers
// forbid outside a request.
let defaultStack: ScopeStack | undefined;

/** @internal The process-wide default stack (for `diagnostics()`). */
export function defaultScopeStack(): ScopeStack {
  return (defaultStack ??= new ScopeStack());
}

/** The stack of the current async context (the process-wide default outside any). */
export function currentScopeStack(): ScopeStack {
  return storage.getStore() ?? (defaultStack ??= new ScopeStack());
}

/** The innermost open scope of the current context (the implicit root when there is none). */
export function getHandle(): ScopeHandle {
  return (storage.getStore() ?? (defaultStack ??= new ScopeStack())).top;
}

/** A new isolated scope stack with its own implicit root. */
export function createScopeStack(): ScopeStack {
  return new ScopeStack();
}

/** Runs `fn` with `stack` as the current scope stack, for it and everything it awaits or spawns. */
export function runWithScopeStack<T>(stack: ScopeStack, fn: () => T): T {
  checkStack(stack, 'runWithScopeStack');
  checkFunction(fn, 'runWithScopeStack', 'fn');
  return storage.run(stack, fn);
}

function checkStack(stack: unknown, what: string): void {
  if (!(stack instanceof ScopeStack)) throw new TypeError(`${what}: stack must be a ScopeStack from createScopeStack(), got ${describeValue(stack)}`);
}

/** Wraps `fn` so that it always runs on `stack` (for callbacks invoked from other contexts). */
export function bindScopeStack<A extends unknown[], R>(stack: ScopeStack, fn: (...args: A) => R): (...args: A) => R {
  checkStack(stack, 'bindScopeStack');
  checkFunction(fn, 'bindScopeStack', 'fn');
  return (...args: A) => storage.run(stack, () => fn(...args));
}

/** @internal Runs `fn` on a new stack forked at `scope`: work inside is parented to it and isolated. */
export function runInScope<T>(scope: ScopeHandle, fn: () => T): T {
  return storage.run(new ScopeStack(scope), fn);
}

/** @internal `runInScope` calling `fn(arg)`: no closure per call on hot paths. */
export function runInScopeWith<A, T>(scope: ScopeHandle, fn: (arg: A) => T, arg: A): T {
  return storage.run(new ScopeStack(scope), fn, arg);
}
