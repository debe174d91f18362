/**
 * The built-in `pii_redaction` component: runs the PII redactor over everything subscribers see.
 * Tool and LLM payloads through sanitize guardrails (they never change what the tool or model
 * receives, nor what the caller gets back); scope inputs and outputs, mark data, metadata and
 * error descriptions through the runtime's event redaction step.
 */
import type { PluginDefinition } from '../types.js';
import { FieldReader, SILENT, type Findings } from '../reader.js';
import { PII_DETECTORS, type PiiDetectorName } from './detectors.js';
import { PII_ACTIONS, compileRule, createPiiRedactor, type PiiAction, type PiiRedactorOptions, type PiiRule } from './redactor.js';
import { compilePath } from './paths.js';
import { stageEventRedactor } from '../context.js';
import type { EventPart } from '../../event-redaction.js';

/** Payloads sanitized by guardrails. */
const GUARDRAIL_TARGETS = ['tool_request', 'tool_response', 'llm_request', 'llm_response'] as const;
/** Event parts redacted by the event redaction step (named as `EventPart`). */
const EVENT_TARGETS = ['scope_input', 'scope_output', 'mark_data', 'metadata', 'error'] as const satisfies readonly EventPart[];

export const PII_TARGETS = [...GUARDRAIL_TARGETS, ...EVENT_TARGETS] as const;
export type PiiTarget = (typeof PII_TARGETS)[number];

/** Runs after other sanitize guardrails (ascending priority), so it sees their output. */
export const DEFAULT_PII_PRIORITY = 1000;

interface PiiSettings {
  redactor: PiiRedactorOptions;
  targets: readonly PiiTarget[];
  priority: number;
}

function readPaths(r: FieldReader, key: string): string[] | undefined {
  const list = r.stringArray(key);
  if (!list) return undefined;
  return list.filter((p, i) => {
    try {
      compilePath(p);
      return true;
    } catch (err) {
      r.findings.report({ code: 'INVALID_VALUE', field: `${r.field(key)}[${i}]`, message: (err as Error).message });
      return false;
    }
  });
}

function readRules(r: FieldReader): PiiRule[] | undefined {
  const raw = r.raw('rules');
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    r.findings.report({
      code: 'INVALID_TYPE',
      field: r.field('rules'),
      message: 'expected an array of { "name", "pattern", "flags"?, "action"?, "replacement"? }',
    });
    return undefined;
  }
  const rules: PiiRule[] = [];
  raw.forEach((item, i) => {
    const field = `${r.field('rules')}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      r.findings.report({ code: 'INVALID_TYPE', field, message: 'expected an object like { "name": "employee_id", "pattern": "EMP-\\\\d{6}" }' });
      return;
    }
    const rr = new FieldReader(r.findings, item as Record<string, unknown>, field);
    const name = rr.string('name', { required: true });
    const pattern = rr.string('pattern', { required: true });
    const flags = rr.string('flags', { nonEmpty: false });
    const action = rr.oneOf('action', PII_ACTIONS);
    const replacement = rr.string('replacement', { nonEmpty: false });
    rr.done();
    if (name === undefined || pattern === undefined) return;
    if (flags !== undefined && !/^[gimsuy]*$/.test(flags)) {
      r.findings.report({
        code: 'INVALID_VALUE',
        field: `${field}.flags`,
        message: `expected regex flags among g, i, m, s, u, y, got ${JSON.stringify(flags)}`,
      });
      return;
    }
    const rule: PiiRule = {
      name,
      pattern,
      ...(flags !== undefined ? { flags } : {}),
      ...(action ? { action } : {}),
      ...(replacement !== undefined ? { replacement } : {}),
    };
    try {
      compileRule(rule);
    } catch (err) {
      r.findings.report({ code: 'INVALID_VALUE', field: `${field}.pattern`, message: (err as Error).message });
      return;
    }
    rules.push(rule);
  });
  return rules;
}

function readSettings(config: Readonly<Record<string, unknown>>, findings: Findings, env: Readonly<Record<string, string | undefined>>): PiiSettings {
  const r = new FieldReader(findings, config, '');
  const redactor: PiiRedactorOptions = {};
  const detectors = r.stringArray('detectors');
  if (detectors) {
    redactor.detectors = detectors.filter((d, i): d is PiiDetectorName => {
      if ((PII_DETECTORS as readonly string[]).includes(d)) return true;
      findings.unsupportedValue(`${r.field('detectors')}[${i}]`, `unknown detector ${JSON.stringify(d)}; expected one of ${PII_DETECTORS.join(', ')}`);
      return false;
    });
  }
  const action = r.oneOf('action', PII_ACTIONS);
  if (action) redactor.action = action;
  const actions = r.object('actions');
  if (actions) {
    const per: Partial<Record<PiiDetectorName, PiiAction>> = {};
    for (const d of PII_DETECTORS) {
      const a = actions.oneOf(d, PII_ACTIONS);
      if (a) per[d] = a;
    }
    actions.done();
    redactor.actions = per;
  }
  const rules = readRules(r);
  if (rules) redactor.rules = rules;
  const paths = readPaths(r, 'paths');
  if (paths) redactor.paths = paths;
  const skip = readPaths(r, 'skip_paths');
  if (skip) redactor.skipPaths = skip;
  const whole = readPaths(r, 'redact_paths');
  if (whole) redactor.redactPaths = whole;
  const saltEnv = r.string('hash_salt_env');
  if (saltEnv !== undefined) {
    const salt = env[saltEnv];
    if (salt === undefined || salt === '') {
      findings.report({
        level: 'warn',
        code: 'ENV_VAR_MISSING',
        field: r.field('hash_salt_env'),
        message: `environment variable ${saltEnv} is not set; hashes are unsalted`,
      });
    } else redactor.hashSalt = salt;
  }
  let targets: readonly PiiTarget[] = PII_TARGETS;
  const t = r.stringArray('targets');
  if (t) {
    targets = t.filter((x, i): x is PiiTarget => {
      if ((PII_TARGETS as readonly string[]).includes(x)) return true;
      findings.unsupportedValue(`${r.field('targets')}[${i}]`, `unknown target ${JSON.stringify(x)}; expected any of ${PII_TARGETS.join(', ')}`);
      return false;
    });
  }
  const priority = r.number('priority') ?? DEFAULT_PII_PRIORITY;
  r.done();
  return { redactor, targets, priority };
}

export const piiRedactionPlugin: PluginDefinition<Record<string, unknown>> = {
  description: 'Redacts emails, phone numbers, card numbers, API keys and IP addresses from what subscribers see',
  validate(config, ctx) {
    readSettings(config, ctx, ctx.env);
  },
  register(config, ctx) {
    const s = readSettings(config, SILENT, ctx.env);
    const redact = createPiiRedactor(s.redactor);
    const parts = new Set<EventPart>(s.targets.filter((t): t is EventPart => (EVENT_TARGETS as readonly string[]).includes(t)));
    if (parts.size > 0) {
      // Error descriptions are not payloads: field paths do not apply, every string is scanned.
      const { paths: _p, skipPaths: _s, redactPaths: _r, ...whole } = s.redactor;
      const redactError = parts.has('error') ? createPiiRedactor(whole) : undefined;
      stageEventRedactor(ctx, 'events', (value, part) => {
        if (!parts.has(part)) return value;
        return part === 'error' ? redactError!(value) : redact(value);
      });
    }
    for (const target of s.targets) {
      switch (target) {
        case 'tool_request':
          ctx.registerToolSanitizeRequestGuardrail(target, s.priority, (_name, args) => redact(args));
          break;
        case 'tool_response':
          ctx.registerToolSanitizeResponseGuardrail(target, s.priority, (_name, result) => redact(result));
          break;
        case 'llm_request':
          ctx.registerLlmSanitizeRequestGuardrail(target, s.priority, (request) => redact(request));
          break;
        case 'llm_response':
          ctx.registerLlmSanitizeResponseGuardrail(target, s.priority, (response) => redact(response));
          break;
      }
    }
    ctx.setDetails({
      detectors: [...(s.redactor.detectors ?? PII_DETECTORS)],
      rules: (s.redactor.rules ?? []).map((r) => r.name),
      action: s.redactor.action ?? 'redact',
      targets: [...s.targets],
    });
  },
};
