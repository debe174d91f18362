/**
 * Global and scope-local middleware registries, and resolution of the entries visible to a call.
 * Resolution does not sort or allocate per call: global lists are kept sorted, and merged lists
 * for a scope are cached until any registration changes.
 */
import type { ScopeHandle } from '../scope.js';
import { newScopeLocal } from '../scope-local.js';
import { LifecycleError, callLabel, checkFunction, checkName, checkOptions, describeValue } from '../errors.js';
import { checkScope } from '../scope.js';
import type { Entry, Family, FamilyCallbacks, InterceptOptions, MiddlewareRegistration, RegisterOptions } from './types.js';
import { FAMILIES } from './types.js';

const EMPTY: readonly Entry[] = Object.freeze([]);
const globalLists = new Map<Family, Entry[]>();
let seq = 0;
/** Bumped on every change; invalidates cached merged lists. */
let version = 0;
/** Scope-local entries in open scopes: when 0, resolution is a map lookup. */
let localCount = 0;
/** Open scopes holding local middleware, for `listMiddleware` (removed when the scope ends). */
const localScopes = new Set<ScopeHandle>();

function byPriority(a: Entry, b: Entry): number {
  return a.priority - b.priority;
}

/** @internal Adds an entry. */
export function addEntry<F extends Family>(
  family: F,
  name: string,
  priority: number,
  fn: FamilyCallbacks[F],
  options: InterceptOptions | undefined,
  api: string = `register ${family}`,
): void {
  const where = callLabel(api, name);
  checkName(name, where);
  if (typeof priority !== 'number' || !Number.isFinite(priority))
    throw new TypeError(`${where}: priority must be a finite number, got ${describeValue(priority)}`);
  checkFunction(fn, where, 'fn');
  checkOptions(options, where);
  if (options?.breakChain !== undefined && typeof options.breakChain !== 'boolean') {
    throw new TypeError(`${where}: breakChain must be a boolean, got ${describeValue(options.breakChain)}`);
  }
  const scope = checkScope(options?.scope, where);
  const entry: Entry = { family, name, priority, fn: fn as FamilyCallbacks[Family], breakChain: options?.breakChain === true, scope, seq: seq++ };
  if (scope) {
    if (!scope._open) throw new LifecycleError(`${where}: scope "${scope.name}" has already ended`);
    const local = (scope._local ??= newScopeLocal());
    const list = local.middleware.get(family) ?? [];
    if (list.some((e) => e.name === name)) throw new LifecycleError(`${where}: the name is already registered on scope "${scope.name}"`);
    local.middleware.set(family, [...list, entry]); // registration order; merged lists sort stably
    localScopes.add(scope);
    localCount++;
  } else {
    const list = globalLists.get(family) ?? [];
    if (list.some((e) => e.name === name)) throw new LifecycleError(`${where}: the name is already registered`);
    globalLists.set(family, [...list, entry].sort(byPriority));
  }
  version++;
}

/** @internal Removes an entry by name. Returns whether it existed. */
export function removeEntry(family: Family, name: string, options: RegisterOptions | undefined, api: string = `deregister ${family}`): boolean {
  const where = callLabel(api, name);
  checkName(name, where);
  checkOptions(options, where);
  const scope = checkScope(options?.scope, where);
  if (scope) {
    const local = scope._local?.middleware;
    const list = local?.get(family);
    if (!list) return false;
    const next = list.filter((e) => e.name !== name);
    if (next.length === list.length) return false;
    local!.set(family, next);
    localCount--;
  } else {
    const list = globalLists.get(family);
    if (!list) return false;
    const next = list.filter((e) => e.name !== name);
    if (next.length === list.length) return false;
    globalLists.set(family, next);
  }
  version++;
  return true;
}

/** @internal Called when a scope ends: its local middleware disappears. */
export function dropScopeMiddleware(scope: ScopeHandle): void {
  const local = scope._local?.middleware;
  if (!local || local.size === 0) return;
  for (const list of local.values()) localCount -= list.length;
  local.clear();
  localScopes.delete(scope);
  version++;
}

/**
 * @internal The entries of `family` visible to a call under `scope`, in execution order:
 * ascending priority; ties: global first, then scope-local from outer to inner, then registration order.
 */
export function resolve(family: Family, scope: ScopeHandle): readonly Entry[] {
  const global = globalLists.get(family) ?? EMPTY;
  if (localCount === 0) return global;
  const cache = scope._mwCache;
  const hit = cache?.get(family);
  if (hit && hit.version === version) return hit.list as readonly Entry[];
  const chain: Entry[][] = [];
  for (let s: ScopeHandle | null = scope; s; s = s.parent) {
    const list = s._local?.middleware.get(family);
    if (list && list.length > 0) chain.push(list);
  }
  let list: readonly Entry[] = global;
  if (chain.length > 0) {
    const merged = [...global];
    for (let i = chain.length - 1; i >= 0; i--) merged.push(...chain[i]!); // outer scope first
    list = merged.sort(byPriority); // stable: keeps global → outer → inner → registration order on ties
  }
  (scope._mwCache ??= new Map()).set(family, { version, list });
  return list;
}

/** Every active registration, global first, then scope-local. */
export function listMiddleware(): MiddlewareRegistration[] {
  const rows: MiddlewareRegistration[] = [];
  const row = (e: Entry): MiddlewareRegistration => ({
    family: e.family,
    name: e.name,
    priority: e.priority,
    breakChain: e.breakChain,
    scope: e.scope ? { uuid: e.scope.uuid, name: e.scope.name } : null,
  });
  for (const f of FAMILIES) for (const e of globalLists.get(f) ?? []) rows.push(row(e));
  for (const s of localScopes) for (const list of s._local!.middleware.values()) for (const e of list) rows.push(row(e));
  return rows;
}
