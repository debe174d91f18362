/**
 * Validation of a configuration document: its shape, the policy, each component's kind and
 * fields, then each plugin's own `validate`. Nothing is activated; environment checks (network,
 * files, packages) run only when `checks` is on, and only for enabled components.
 */
import type {
  Diagnostic,
  DiagnosticLevel,
  PluginDefinition,
  PluginDiagnostic,
  PluginOptions,
  PolicyAction,
  ResolvedPolicy,
  ValidationContext,
} from './types.js';
import { getPlugin, listPluginKinds } from './registry.js';
import { isObject, jsonType } from './reader.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { pluginOptionsArg } from './args.js';

export const DEFAULT_POLICY: ResolvedPolicy = { unknown_components: 'warn', unknown_fields: 'warn', unsupported_values: 'error' };
const POLICY_ACTIONS: readonly PolicyAction[] = ['ignore', 'warn', 'error'];
const DOCUMENT_FIELDS = ['version', 'components', 'policy'];
const COMPONENT_FIELDS = ['kind', 'enabled', 'config'];
const LEVELS: readonly DiagnosticLevel[] = ['error', 'warn', 'info'];

/** A component after validation, ready for activation. */
export interface CheckedComponent {
  index: number;
  kind: string;
  enabled: boolean;
  config: Record<string, unknown>;
  /** Undefined for an unknown kind (skipped). */
  definition: PluginDefinition<Record<string, unknown>> | undefined;
}

export interface Analysis {
  diagnostics: Diagnostic[];
  /** Components with a usable kind, in order (unusable ones only produce diagnostics). */
  components: CheckedComponent[];
  policy: ResolvedPolicy;
}

/** The closest name in `candidates`, when it is close enough to be a likely typo. */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function lastSegment(field: string): string {
  const i = field.lastIndexOf('.');
  return i === -1 ? field : field.slice(i + 1);
}

class Collector {
  readonly list: Diagnostic[] = [];
  policy: ResolvedPolicy = DEFAULT_POLICY;

  add(level: DiagnosticLevel, code: string, component: string | null, index: number | null, field: string | null, message: string): void {
    this.list.push({ level, code, component, index, field, message });
  }

  /** A finding whose level the policy decides (`ignore` drops it). */
  byPolicy(action: PolicyAction, code: string, component: string | null, index: number | null, field: string | null, message: string): void {
    if (action !== 'ignore') this.add(action, code, component, index, field, message);
  }

  unknownField(component: string | null, index: number | null, field: string, known: readonly string[]): void {
    const hint = suggest(lastSegment(field), known);
    const expected = known.length > 0 ? `; known fields: ${known.join(', ')}` : '';
    this.byPolicy(this.policy.unknown_fields, 'UNKNOWN_FIELD', component, index, field, `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}${expected}`);
  }
}

function readPolicy(doc: Record<string, unknown>, out: Collector): ResolvedPolicy {
  const raw = doc.policy;
  if (raw === undefined) return DEFAULT_POLICY;
  if (!isObject(raw)) {
    out.add('error', 'INVALID_TYPE', null, null, 'policy', `expected an object, got ${jsonType(raw)}`);
    return DEFAULT_POLICY;
  }
  const policy: ResolvedPolicy = { ...DEFAULT_POLICY };
  // Unknown keys of `policy` are reported with the other unknown fields, once the policy is known.
  for (const k of Object.keys(DEFAULT_POLICY) as (keyof ResolvedPolicy)[]) {
    const v = raw[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !(POLICY_ACTIONS as readonly string[]).includes(v)) {
      out.add(
        'error',
        typeof v === 'string' ? 'INVALID_VALUE' : 'INVALID_TYPE',
        null,
        null,
        `policy.${k}`,
        `expected "ignore", "warn" or "error", got ${JSON.stringify(v) ?? jsonType(v)}`,
      );
      continue;
    }
    policy[k] = v as PolicyAction;
  }
  return policy;
}

function normalizePluginDiagnostic(d: PluginDiagnostic, kind: string, index: number): Diagnostic {
  const field = typeof d.field === 'string' && d.field.length > 0 ? `config.${d.field}` : 'config';
  return {
    level: LEVELS.includes(d.level as DiagnosticLevel) ? (d.level as DiagnosticLevel) : 'error',
    code: typeof d.code === 'string' && d.code.length > 0 ? d.code : 'PLUGIN_INVALID_CONFIG',
    component: kind,
    index,
    field,
    message: typeof d.message === 'string' ? d.message : String(d.message),
  };
}

function validationContext(kind: string, index: number, enabled: boolean, opts: ResolvedOptions, out: Collector): ValidationContext {
  const report = (d: PluginDiagnostic): void => void out.list.push(normalizePluginDiagnostic(d, kind, index));
  return {
    kind,
    index,
    env: opts.env,
    cwd: opts.cwd,
    importModule: opts.importModule,
    checks: opts.checks && enabled,
    connectTimeoutMs: opts.connectTimeoutMs,
    policy: out.policy,
    report,
    unknownField: (field, known) => out.unknownField(kind, index, `config.${field}`, known),
    unsupportedValue: (field, message) => out.byPolicy(out.policy.unsupported_values, 'UNSUPPORTED_VALUE', kind, index, `config.${field}`, message),
  };
}

async function runPluginValidate(c: CheckedComponent, opts: ResolvedOptions, out: Collector): Promise<void> {
  const validate = c.definition?.validate;
  if (!validate) return;
  const ctx = validationContext(c.kind, c.index, c.enabled, opts, out);
  try {
    const returned = await validate.call(c.definition, c.config, ctx);
    if (returned === undefined || returned === null) return;
    if (!Array.isArray(returned)) {
      out.add(
        'error',
        'PLUGIN_VALIDATE_FAILED',
        c.kind,
        c.index,
        'config',
        `plugin "${c.kind}": validate must return an array of diagnostics or nothing, got ${jsonType(returned)}`,
      );
      return;
    }
    for (const d of returned as PluginDiagnostic[]) {
      if (isObject(d)) ctx.report(d);
      else
        out.add(
          'error',
          'PLUGIN_VALIDATE_FAILED',
          c.kind,
          c.index,
          'config',
          `plugin "${c.kind}": validate returned ${jsonType(d)} instead of a diagnostic object`,
        );
    }
  } catch (err) {
    out.add(
      'error',
      'PLUGIN_VALIDATE_FAILED',
      c.kind,
      c.index,
      'config',
      `plugin "${c.kind}": validate threw: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Checks one entry of `components`; returns it when its kind is usable. */
function checkComponent(raw: unknown, index: number, out: Collector): CheckedComponent | undefined {
  if (!isObject(raw)) {
    out.add(
      'error',
      'CONFIG_NOT_OBJECT',
      null,
      index,
      null,
      `component #${index}: expected an object like { "kind": "observability", "config": { … } }, got ${jsonType(raw)}`,
    );
    return undefined;
  }
  const kindRaw = raw.kind;
  if (kindRaw === undefined) {
    out.add('error', 'MISSING_FIELD', null, index, 'kind', `component #${index} has no "kind"; expected one of: ${listPluginKinds().join(', ')}`);
    return undefined;
  }
  if (typeof kindRaw !== 'string' || kindRaw.length === 0) {
    out.add(
      'error',
      'INVALID_TYPE',
      null,
      index,
      'kind',
      `expected a non-empty string naming a plugin kind, got ${JSON.stringify(kindRaw) ?? jsonType(kindRaw)}`,
    );
    return undefined;
  }
  const kind = kindRaw;
  let enabled = true;
  if (raw.enabled !== undefined) {
    if (typeof raw.enabled === 'boolean') enabled = raw.enabled;
    else out.add('error', 'INVALID_TYPE', kind, index, 'enabled', `expected true or false, got ${jsonType(raw.enabled)}`);
  }
  let config: Record<string, unknown> = {};
  let configOk = true;
  if (raw.config !== undefined) {
    if (isObject(raw.config)) config = raw.config;
    else {
      configOk = false;
      out.add('error', 'INVALID_TYPE', kind, index, 'config', `expected an object, got ${jsonType(raw.config)}`);
    }
  }
  for (const k of Object.keys(raw)) {
    if (!COMPONENT_FIELDS.includes(k) && !k.startsWith('$')) out.unknownField(kind, index, k, COMPONENT_FIELDS);
  }
  const definition = getPlugin(kind);
  if (!definition) {
    const hint = suggest(kind, listPluginKinds());
    out.byPolicy(
      out.policy.unknown_components,
      'UNKNOWN_COMPONENT',
      kind,
      index,
      'kind',
      `unknown component kind "${kind}"${hint ? ` (did you mean "${hint}"?)` : ''}; known kinds: ${listPluginKinds().join(', ')}. It is skipped`,
    );
  }
  // A config of the wrong type is not handed to the plugin (the error above already blocks activation).
  return { index, kind, enabled, config: configOk ? config : {}, definition: configOk ? definition : undefined };
}

/** @internal Validation with everything activation needs. */
export async function analyzeConfig(config: unknown, options?: PluginOptions): Promise<Analysis> {
  const out = new Collector();
  const opts = resolveOptions(options);
  if (!isObject(config)) {
    out.add(
      'error',
      'CONFIG_NOT_OBJECT',
      null,
      null,
      null,
      `the configuration must be a JSON object like { "version": 1, "components": [ … ] }, got ${jsonType(config)}`,
    );
    return { diagnostics: out.list, components: [], policy: DEFAULT_POLICY };
  }
  out.policy = readPolicy(config, out);
  const policyRaw = config.policy;
  if (isObject(policyRaw)) {
    const known = Object.keys(DEFAULT_POLICY);
    for (const k of Object.keys(policyRaw)) if (!known.includes(k) && !k.startsWith('$')) out.unknownField(null, null, `policy.${k}`, known);
  }
  const version = config.version;
  if (version === undefined) out.add('error', 'VERSION_MISSING', null, null, 'version', 'missing "version"; expected 1');
  else if (typeof version !== 'number') out.add('error', 'INVALID_TYPE', null, null, 'version', `expected the number 1, got ${jsonType(version)}`);
  else if (version !== 1) out.add('error', 'VERSION_UNSUPPORTED', null, null, 'version', `version ${version} is not supported by this runtime; expected 1`);
  for (const k of Object.keys(config)) if (!DOCUMENT_FIELDS.includes(k) && !k.startsWith('$')) out.unknownField(null, null, k, DOCUMENT_FIELDS);

  const components: CheckedComponent[] = [];
  const list = config.components;
  if (list === undefined) {
    out.add('error', 'MISSING_FIELD', null, null, 'components', 'missing "components"; expected an array of { "kind": …, "config": { … } } (it may be empty)');
  } else if (!Array.isArray(list)) {
    out.add('error', 'INVALID_TYPE', null, null, 'components', `expected an array of components, got ${jsonType(list)}`);
  } else {
    const firstEnabled = new Map<string, number>();
    list.forEach((raw, index) => {
      const c = checkComponent(raw, index, out);
      if (!c) return;
      components.push(c);
      if (!c.enabled || !c.definition || c.definition.multiple) return;
      const first = firstEnabled.get(c.kind);
      if (first === undefined) firstEnabled.set(c.kind, index);
      else {
        out.add(
          'error',
          'DUPLICATE_COMPONENT',
          c.kind,
          index,
          'kind',
          `"${c.kind}" may appear only once (it is already component #${first}); merge the two, or set "enabled": false on one`,
        );
      }
    });
  }
  // Plugins validate concurrently: their environment checks (connects, imports) are independent.
  const before = out.list.length;
  const perComponent = await Promise.all(
    components.map(async (c) => {
      const local = new Collector();
      local.policy = out.policy;
      await runPluginValidate(c, opts, local);
      return local.list;
    }),
  );
  out.list.splice(before, 0, ...perComponent.flat());
  return { diagnostics: out.list, components, policy: out.policy };
}

/**
 * Checks a configuration without activating anything and returns every finding (an empty array
 * when it is fine). Whatever `config` holds, problems become diagnostics (even a plugin whose
 * `validate` throws); only a wrong `options` argument rejects, with a TypeError.
 * Pass `{ checks: false }` to skip checks that touch the network, files or packages.
 */
export async function validateConfig(config: unknown, options?: PluginOptions): Promise<Diagnostic[]> {
  pluginOptionsArg('validateConfig', options);
  return (await analyzeConfig(config, options)).diagnostics;
}
