/**
 * ATIF validation: the rules Harbor's validator enforces (see the package README), reporting
 * every violation with a JSON path instead of stopping at the first one. The exporter runs the
 * step rules on each step as it completes and the root rules once per trajectory, so validating
 * never needs the whole document in memory at once.
 */
import { ATIF_SCHEMA_VERSIONS, type AtifSchemaVersion, type AtifViolation } from './types.js';
import { isPlainObject } from '@nemo-flow/runtime/exporter-kit';

export interface ValidateOptions {
  /**
   * Validate as this version instead of the document's own `schema_version` (which must then
   * still be a known version). Useful to check that a document would also pass as v1.6.
   */
  schemaVersion?: AtifSchemaVersion;
}

/** Every violation of the ATIF rules in `doc` (an empty array when it is valid). */
export function validateTrajectory(doc: unknown, options: ValidateOptions = {}): AtifViolation[] {
  const out: AtifViolation[] = [];
  checkTrajectory(doc, '$', options.schemaVersion, out, false);
  return out;
}

type Obj = Record<string, unknown>;

const ROOT_KEYS_BASE_LIST = ['schema_version', 'session_id', 'agent', 'steps', 'notes', 'final_metrics', 'continued_trajectory_ref', 'extra'];
const ROOT_KEYS_BASE = new Set(ROOT_KEYS_BASE_LIST);
const ROOT_KEYS_V17 = new Set([...ROOT_KEYS_BASE_LIST, 'trajectory_id', 'subagent_trajectories']);
const STEP_KEYS_BASE_LIST = [
  'step_id',
  'timestamp',
  'source',
  'model_name',
  'reasoning_effort',
  'message',
  'reasoning_content',
  'tool_calls',
  'observation',
  'metrics',
  'is_copied_context',
  'extra',
];
const STEP_KEYS_BASE = new Set(STEP_KEYS_BASE_LIST);
const STEP_KEYS_V17 = new Set([...STEP_KEYS_BASE_LIST, 'llm_call_count']);
const AGENT_ONLY = ['model_name', 'reasoning_effort', 'reasoning_content', 'tool_calls', 'metrics'] as const;
const AGENT_KEYS = new Set(['name', 'version', 'model_name', 'tool_definitions', 'extra']);
const TOOL_CALL_KEYS = new Set(['tool_call_id', 'function_name', 'arguments']);
const TOOL_CALL_KEYS_V17 = new Set(['tool_call_id', 'function_name', 'arguments', 'extra']);
const OBSERVATION_KEYS = new Set(['results']);
const RESULT_KEYS = new Set(['source_call_id', 'content', 'subagent_trajectory_ref']);
const REF_KEYS_V16 = new Set(['session_id', 'trajectory_path', 'extra']);
const REF_KEYS_V17 = new Set(['trajectory_id', 'session_id', 'trajectory_path', 'extra']);
const METRICS_INT = ['prompt_tokens', 'completion_tokens', 'cached_tokens'];
const METRICS_KEYS = new Set([...METRICS_INT, 'cost_usd', 'prompt_token_ids', 'completion_token_ids', 'logprobs', 'extra']);
const FINAL_INT = ['total_prompt_tokens', 'total_completion_tokens', 'total_cached_tokens', 'total_steps'];
const FINAL_KEYS = new Set([...FINAL_INT, 'total_cost_usd', 'extra']);
const PART_KEYS = new Set(['type', 'text', 'source']);
const IMAGE_SOURCE_KEYS = new Set(['media_type', 'path']);
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const SOURCES = ['system', 'user', 'agent'];

/**
 * Validates one trajectory object at `path`. `embedded` marks an entry of a parent's
 * `subagent_trajectories`. Exported for the exporter's root checks.
 */
export function checkTrajectory(doc: unknown, path: string, forced: AtifSchemaVersion | undefined, out: AtifViolation[], embedded: boolean): void {
  if (!isObj(doc)) {
    out.push({ path, message: `a trajectory must be an object, got ${kindOf(doc)}` });
    return;
  }
  const version = resolveVersion(doc, path, forced, out);
  checkRoot(doc, path, version, out);
  const steps = doc['steps'];
  if (steps === undefined || steps === null) {
    out.push({ path: `${path}.steps`, message: 'required' });
  } else if (!Array.isArray(steps)) {
    out.push({ path: `${path}.steps`, message: `must be an array, got ${kindOf(steps)}` });
  } else {
    if (steps.length === 0) out.push({ path: `${path}.steps`, message: 'must contain at least one step' });
    for (let i = 0; i < steps.length; i++) checkStep(steps[i], i, version, `${path}.steps[${i}]`, out);
  }
  if (version === 'ATIF-v1.7') checkEmbedded(doc, path, out);
  if (embedded && doc['trajectory_id'] == null) {
    out.push({ path: `${path}.trajectory_id`, message: 'required on an embedded subagent trajectory' });
  }
}

function resolveVersion(doc: Obj, path: string, forced: AtifSchemaVersion | undefined, out: AtifViolation[]): AtifSchemaVersion {
  const v = doc['schema_version'];
  if (v === undefined || v === null) {
    out.push({ path: `${path}.schema_version`, message: 'required' });
  } else if (typeof v !== 'string' || !(ATIF_SCHEMA_VERSIONS as readonly string[]).includes(v)) {
    out.push({
      path: `${path}.schema_version`,
      message: `must be one of ${ATIF_SCHEMA_VERSIONS.join(', ')}, got ${JSON.stringify(v)}`,
    });
  } else if (!forced) {
    return v as AtifSchemaVersion;
  }
  return forced ?? 'ATIF-v1.6';
}

/** Root-level rules, steps excluded (the exporter checks steps one by one as they complete). */
export function checkRoot(doc: Obj, path: string, version: AtifSchemaVersion, out: AtifViolation[]): void {
  const v17 = version === 'ATIF-v1.7';
  unknownKeys(doc, v17 ? ROOT_KEYS_V17 : ROOT_KEYS_BASE, path, out, v17 ? '' : ' (before ATIF-v1.7)');
  if (v17) optString(doc, 'session_id', path, out);
  else reqString(doc, 'session_id', path, out);
  if (v17) optString(doc, 'trajectory_id', path, out);
  optString(doc, 'notes', path, out);
  optString(doc, 'continued_trajectory_ref', path, out);
  optObject(doc, 'extra', path, out);
  const agent = doc['agent'];
  if (agent === undefined || agent === null) out.push({ path: `${path}.agent`, message: 'required' });
  else checkAgent(agent, `${path}.agent`, out);
  const fm = doc['final_metrics'];
  if (fm !== undefined && fm !== null) checkFinalMetrics(fm, `${path}.final_metrics`, out);
}

function checkAgent(agent: unknown, path: string, out: AtifViolation[]): void {
  if (!isObj(agent)) {
    out.push({ path, message: `must be an object, got ${kindOf(agent)}` });
    return;
  }
  unknownKeys(agent, AGENT_KEYS, path, out);
  reqString(agent, 'name', path, out);
  reqString(agent, 'version', path, out);
  optString(agent, 'model_name', path, out);
  optObject(agent, 'extra', path, out);
  const defs = agent['tool_definitions'];
  if (defs !== undefined && defs !== null) {
    if (!Array.isArray(defs)) out.push({ path: `${path}.tool_definitions`, message: `must be an array, got ${kindOf(defs)}` });
    else
      defs.forEach((d, i) => {
        if (!isObj(d)) out.push({ path: `${path}.tool_definitions[${i}]`, message: `must be an object, got ${kindOf(d)}` });
      });
  }
}

function checkFinalMetrics(fm: unknown, path: string, out: AtifViolation[]): void {
  if (!isObj(fm)) {
    out.push({ path, message: `must be an object, got ${kindOf(fm)}` });
    return;
  }
  unknownKeys(fm, FINAL_KEYS, path, out);
  for (const k of FINAL_INT) optInt(fm, k, path, out);
  optNumber(fm, 'total_cost_usd', path, out);
  optObject(fm, 'extra', path, out);
}

/** All rules for one step, including that `step_id` is `index + 1`. */
export function checkStep(step: unknown, index: number, version: AtifSchemaVersion, path: string, out: AtifViolation[]): void {
  if (!isObj(step)) {
    out.push({ path, message: `a step must be an object, got ${kindOf(step)}` });
    return;
  }
  const v17 = version === 'ATIF-v1.7';
  unknownKeys(step, v17 ? STEP_KEYS_V17 : STEP_KEYS_BASE, path, out, v17 ? '' : ' (before ATIF-v1.7)');

  const id = step['step_id'];
  if (id === undefined || id === null) out.push({ path: `${path}.step_id`, message: 'required' });
  else if (!isInt(id)) out.push({ path: `${path}.step_id`, message: `must be an integer, got ${kindOf(id)}` });
  else if (id !== index + 1) out.push({ path: `${path}.step_id`, message: `expected ${index + 1} (sequential from 1, no gaps), got ${id}` });

  const ts = step['timestamp'];
  if (ts !== undefined && ts !== null) {
    if (typeof ts !== 'string') out.push({ path: `${path}.timestamp`, message: `must be a string, got ${kindOf(ts)}` });
    else if (!isIsoTimestamp(ts)) out.push({ path: `${path}.timestamp`, message: `not an ISO 8601 timestamp: ${JSON.stringify(ts)}` });
  }

  const source = step['source'];
  if (source === undefined || source === null) out.push({ path: `${path}.source`, message: 'required' });
  else if (typeof source !== 'string' || !SOURCES.includes(source))
    out.push({ path: `${path}.source`, message: `must be "system", "user" or "agent", got ${JSON.stringify(source)}` });

  if (!('message' in step) || step['message'] === undefined) out.push({ path: `${path}.message`, message: 'required (a string or an array of content parts)' });
  else checkContent(step['message'], `${path}.message`, out);

  if (source !== 'agent' && typeof source === 'string' && SOURCES.includes(source)) {
    for (const k of AGENT_ONLY) {
      if (step[k] !== undefined && step[k] !== null) out.push({ path: `${path}.${k}`, message: `only allowed on agent steps (source is "${source}")` });
    }
  }

  optString(step, 'model_name', path, out);
  optString(step, 'reasoning_content', path, out);
  const effort = step['reasoning_effort'];
  if (effort !== undefined && effort !== null && typeof effort !== 'string' && !isNum(effort))
    out.push({ path: `${path}.reasoning_effort`, message: `must be a string or a number, got ${kindOf(effort)}` });
  optBool(step, 'is_copied_context', path, out);
  optObject(step, 'extra', path, out);

  const callIds = checkToolCalls(step['tool_calls'], `${path}.tool_calls`, v17, out);
  const obs = step['observation'];
  if (obs !== undefined && obs !== null) checkObservation(obs, `${path}.observation`, callIds, v17, out);
  const metrics = step['metrics'];
  if (metrics !== undefined && metrics !== null) checkMetrics(metrics, `${path}.metrics`, out);

  if (v17) {
    const count = step['llm_call_count'];
    if (count !== undefined && count !== null) {
      if (!isInt(count) || count < 0) out.push({ path: `${path}.llm_call_count`, message: `must be an integer >= 0, got ${JSON.stringify(count)}` });
      else if (count === 0 && source === 'agent') {
        for (const k of ['metrics', 'reasoning_content']) {
          if (step[k] !== undefined && step[k] !== null) out.push({ path: `${path}.${k}`, message: 'must be absent when llm_call_count is 0' });
        }
      }
    }
  }
}

function checkToolCalls(calls: unknown, path: string, v17: boolean, out: AtifViolation[]): Set<string> {
  const ids = new Set<string>();
  if (calls === undefined || calls === null) return ids;
  if (!Array.isArray(calls)) {
    out.push({ path, message: `must be an array, got ${kindOf(calls)}` });
    return ids;
  }
  calls.forEach((call, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(call)) {
      out.push({ path: p, message: `a tool call must be an object, got ${kindOf(call)}` });
      return;
    }
    unknownKeys(call, v17 ? TOOL_CALL_KEYS_V17 : TOOL_CALL_KEYS, p, out, v17 ? '' : ' (before ATIF-v1.7)');
    reqString(call, 'tool_call_id', p, out);
    reqString(call, 'function_name', p, out);
    const args = call['arguments'];
    if (args === undefined || args === null) out.push({ path: `${p}.arguments`, message: 'required (an object, may be empty)' });
    else if (!isObj(args)) out.push({ path: `${p}.arguments`, message: `must be an object, got ${kindOf(args)}` });
    if (v17) optObject(call, 'extra', p, out);
    const id = call['tool_call_id'];
    if (typeof id === 'string') {
      if (ids.has(id)) out.push({ path: `${p}.tool_call_id`, message: `duplicate tool_call_id ${JSON.stringify(id)} in this step` });
      ids.add(id);
    }
  });
  return ids;
}

function checkObservation(obs: unknown, path: string, callIds: Set<string>, v17: boolean, out: AtifViolation[]): void {
  if (!isObj(obs)) {
    out.push({ path, message: `must be an object, got ${kindOf(obs)}` });
    return;
  }
  unknownKeys(obs, OBSERVATION_KEYS, path, out);
  const results = obs['results'];
  if (results === undefined || results === null) {
    out.push({ path: `${path}.results`, message: 'required' });
    return;
  }
  if (!Array.isArray(results)) {
    out.push({ path: `${path}.results`, message: `must be an array, got ${kindOf(results)}` });
    return;
  }
  results.forEach((r, i) => {
    const p = `${path}.results[${i}]`;
    if (!isObj(r)) {
      out.push({ path: p, message: `an observation result must be an object, got ${kindOf(r)}` });
      return;
    }
    unknownKeys(r, RESULT_KEYS, p, out);
    const sc = r['source_call_id'];
    if (sc !== undefined && sc !== null) {
      if (typeof sc !== 'string') out.push({ path: `${p}.source_call_id`, message: `must be a string, got ${kindOf(sc)}` });
      else if (!callIds.has(sc))
        out.push({
          path: `${p}.source_call_id`,
          message: `${JSON.stringify(sc)} names no tool_call_id of this step's tool_calls`,
        });
    }
    const content = r['content'];
    if (content !== undefined && content !== null) checkContent(content, `${p}.content`, out);
    const refs = r['subagent_trajectory_ref'];
    if (refs !== undefined && refs !== null) {
      if (!Array.isArray(refs)) out.push({ path: `${p}.subagent_trajectory_ref`, message: `must be an array, got ${kindOf(refs)}` });
      else refs.forEach((ref, j) => checkRef(ref, `${p}.subagent_trajectory_ref[${j}]`, v17, out));
    }
  });
}

function checkRef(ref: unknown, path: string, v17: boolean, out: AtifViolation[]): void {
  if (!isObj(ref)) {
    out.push({ path, message: `a subagent reference must be an object, got ${kindOf(ref)}` });
    return;
  }
  unknownKeys(ref, v17 ? REF_KEYS_V17 : REF_KEYS_V16, path, out, v17 ? '' : ' (before ATIF-v1.7)');
  optString(ref, 'trajectory_path', path, out);
  optObject(ref, 'extra', path, out);
  if (!v17) {
    reqString(ref, 'session_id', path, out);
    return;
  }
  optString(ref, 'session_id', path, out);
  optString(ref, 'trajectory_id', path, out);
  const id = ref['trajectory_id'];
  const p = ref['trajectory_path'];
  const hasId = typeof id === 'string' && id.trim() !== '';
  const hasPath = typeof p === 'string' && p.trim() !== '';
  if (!hasId && !hasPath) out.push({ path, message: 'must set trajectory_id or trajectory_path (session_id alone does not resolve)' });
}

/** v1.7: embedded subagents carry unique trajectory ids, and path-less refs resolve to one of them. */
function checkEmbedded(doc: Obj, path: string, out: AtifViolation[]): void {
  const subs = doc['subagent_trajectories'];
  const ids = new Set<string>();
  if (subs !== undefined && subs !== null) {
    if (!Array.isArray(subs)) {
      out.push({ path: `${path}.subagent_trajectories`, message: `must be an array, got ${kindOf(subs)}` });
    } else {
      subs.forEach((sub, i) => {
        const p = `${path}.subagent_trajectories[${i}]`;
        checkTrajectory(sub, p, undefined, out, true);
        if (!isObj(sub)) return;
        const id = sub['trajectory_id'];
        if (typeof id !== 'string') return;
        if (ids.has(id)) out.push({ path: `${p}.trajectory_id`, message: `duplicate trajectory_id ${JSON.stringify(id)}` });
        ids.add(id);
      });
    }
  }
  const steps = doc['steps'];
  if (!Array.isArray(steps)) return;
  steps.forEach((step, i) => {
    const results = isObj(step) && isObj(step['observation']) ? step['observation']['results'] : undefined;
    if (!Array.isArray(results)) return;
    results.forEach((r, j) => {
      const refs = isObj(r) ? r['subagent_trajectory_ref'] : undefined;
      if (!Array.isArray(refs)) return;
      refs.forEach((ref, k) => {
        if (!isObj(ref)) return;
        const tp = ref['trajectory_path'];
        if (typeof tp === 'string' && tp.trim() !== '') return;
        const id = ref['trajectory_id'];
        if (typeof id === 'string' && !ids.has(id))
          out.push({
            path: `${path}.steps[${i}].observation.results[${j}].subagent_trajectory_ref[${k}].trajectory_id`,
            message: `${JSON.stringify(id)} has no trajectory_path and matches no entry of subagent_trajectories`,
          });
      });
    });
  });
}

function checkMetrics(m: unknown, path: string, out: AtifViolation[]): void {
  if (!isObj(m)) {
    out.push({ path, message: `must be an object, got ${kindOf(m)}` });
    return;
  }
  unknownKeys(m, METRICS_KEYS, path, out);
  for (const k of METRICS_INT) optInt(m, k, path, out);
  optNumber(m, 'cost_usd', path, out);
  optObject(m, 'extra', path, out);
  for (const k of ['prompt_token_ids', 'completion_token_ids', 'logprobs']) {
    const v = m[k];
    if (v === undefined || v === null) continue;
    const check = k === 'logprobs' ? isNum : isInt;
    if (!Array.isArray(v)) out.push({ path: `${path}.${k}`, message: `must be an array, got ${kindOf(v)}` });
    else {
      const bad = v.findIndex((x) => !check(x));
      if (bad >= 0) out.push({ path: `${path}.${k}[${bad}]`, message: `must be ${k === 'logprobs' ? 'a number' : 'an integer'}, got ${kindOf(v[bad])}` });
    }
  }
}

/** A message or observation content: a string or an array of text/image parts. */
function checkContent(c: unknown, path: string, out: AtifViolation[]): void {
  if (typeof c === 'string') return;
  if (!Array.isArray(c)) {
    out.push({ path, message: `must be a string or an array of content parts, got ${kindOf(c)}` });
    return;
  }
  c.forEach((part, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(part)) {
      out.push({ path: p, message: `a content part must be an object, got ${kindOf(part)}` });
      return;
    }
    unknownKeys(part, PART_KEYS, p, out);
    const type = part['type'];
    if (type === 'text') {
      if (typeof part['text'] !== 'string') out.push({ path: `${p}.text`, message: 'required (a string) on a text part' });
      if (part['source'] !== undefined && part['source'] !== null) out.push({ path: `${p}.source`, message: 'not allowed on a text part' });
    } else if (type === 'image') {
      if (part['text'] !== undefined && part['text'] !== null) out.push({ path: `${p}.text`, message: 'not allowed on an image part' });
      const src = part['source'];
      if (!isObj(src)) out.push({ path: `${p}.source`, message: 'required (an object) on an image part' });
      else {
        unknownKeys(src, IMAGE_SOURCE_KEYS, `${p}.source`, out);
        if (typeof src['media_type'] !== 'string' || !IMAGE_TYPES.includes(src['media_type']))
          out.push({ path: `${p}.source.media_type`, message: `must be one of ${IMAGE_TYPES.join(', ')}` });
        reqString(src, 'path', `${p}.source`, out);
      }
    } else {
      out.push({ path: `${p}.type`, message: `must be "text" or "image", got ${JSON.stringify(type)}` });
    }
  });
}

// ---- small checks ----------------------------------------------------------------------------

const isObj: (v: unknown) => v is Obj = isPlainObject;
function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}
function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' ? 'a string' : typeof v === 'number' ? `the number ${v}` : typeof v;
}
function unknownKeys(o: Obj, allowed: ReadonlySet<string>, path: string, out: AtifViolation[], hint = ''): void {
  for (const k in o) {
    if (!allowed.has(k) && Object.hasOwn(o, k)) out.push({ path: `${path}.${k}`, message: `unknown key (not allowed${hint}; use "extra")` });
  }
}
function reqString(o: Obj, k: string, path: string, out: AtifViolation[]): void {
  const v = o[k];
  if (v === undefined || v === null) out.push({ path: `${path}.${k}`, message: 'required (a string)' });
  else if (typeof v !== 'string') out.push({ path: `${path}.${k}`, message: `must be a string, got ${kindOf(v)}` });
}
function optString(o: Obj, k: string, path: string, out: AtifViolation[]): void {
  const v = o[k];
  if (v !== undefined && v !== null && typeof v !== 'string') out.push({ path: `${path}.${k}`, message: `must be a string, got ${kindOf(v)}` });
}
function optObject(o: Obj, k: string, path: string, out: AtifViolation[]): void {
  const v = o[k];
  if (v !== undefined && v !== null && !isObj(v)) out.push({ path: `${path}.${k}`, message: `must be an object, got ${kindOf(v)}` });
}
function optBool(o: Obj, k: string, path: string, out: AtifViolation[]): void {
  const v = o[k];
  if (v !== undefined && v !== null && typeof v !== 'boolean') out.push({ path: `${path}.${k}`, message: `must be a boolean, got ${kindOf(v)}` });
}
function optInt(o: Obj, k: string, path: string, out: AtifViolation[]): void {
  const v = o[k];
  if (v !== undefined && v !== null && !isInt(v)) out.push({ path: `${path}.${k}`, message: `must be an integer, got ${kindOf(v)}` });
}
function optNumber(o: Obj, k: string, path: string, out: AtifViolation[]): void {
  const v = o[k];
  if (v !== undefined && v !== null && !isNum(v)) out.push({ path: `${path}.${k}`, message: `must be a number, got ${kindOf(v)}` });
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?)?)?$/i;

/** ISO 8601 as Python's `datetime.fromisoformat` reads it (extended format), with field ranges checked. */
export function isIsoTimestamp(s: string): boolean {
  const m = ISO_RE.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!)) return false;
  if (m[4] !== undefined && Number(m[4]) > 23) return false;
  if (m[5] !== undefined && Number(m[5]) > 59) return false;
  if (m[6] !== undefined && Number(m[6]) > 59) return false;
  return true;
}
