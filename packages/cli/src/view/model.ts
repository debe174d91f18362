/**
 * The viewer's data: spans (scopes, calls, marks) built from ATOF events or ATIF trajectories.
 * Built in Node so the page receives compact, ready-to-draw records; `SpanBuilder` is incremental
 * so `--serve` can push only what changed as the app appends events.
 */

/** One row of the waterfall. Times are milliseconds since the epoch. */
export interface ViewSpan {
  id: string;
  parent: string | null;
  name: string;
  /** scope category (agent, llm, tool, function, guardrail, …) or `mark`. */
  kind: string;
  start: number;
  end: number | null;
  status: 'ok' | 'error' | 'open';
  error?: { type: string; message: string; guardrail?: string; stack?: string };
  model?: string;
  tokens?: { input?: number; output?: number; cached?: number; cacheWrite?: number; reasoning?: number };
  cost?: { usd: number; priced: boolean; note?: string; breakdown?: Record<string, number> };
  ttfcMs?: number;
  streaming?: boolean;
  /** Request or tool arguments (start data), response or result (end data). */
  input?: unknown;
  output?: unknown;
  /** LLM calls: normalized messages of the request and the response. */
  messages?: unknown[];
  response?: { text?: string; reasoning?: string; tool_calls?: unknown[]; finish_reason?: string };
  params?: Record<string, unknown>;
  metadata?: unknown;
  attributes?: string[];
  toolCallId?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Incrementally turns ATOF events into spans; `take()` returns the spans changed since the last call. */
export class SpanBuilder {
  readonly spans = new Map<string, ViewSpan>();
  #changed = new Set<string>();
  /** Lines that were not JSON events (reported once by the caller). */
  skipped = 0;

  addLine(line: string): void {
    const t = line.trim();
    if (!t) return;
    let e: unknown;
    try {
      e = JSON.parse(t);
    } catch {
      this.skipped++;
      return;
    }
    if (isObj(e)) this.addEvent(e);
    else this.skipped++;
  }

  addEvent(e: Obj): void {
    const id = typeof e.uuid === 'string' ? e.uuid : undefined;
    const ts = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) + subMs(e.timestamp) : NaN;
    if (!id || Number.isNaN(ts)) {
      this.skipped++;
      return;
    }
    const parent = typeof e.parent_uuid === 'string' ? e.parent_uuid : null;
    const name = String(e.name ?? '');
    if (e.kind === 'mark') {
      const s: ViewSpan = { id, parent, name, kind: 'mark', start: ts, end: ts, status: 'ok' };
      if (e.data !== null && e.data !== undefined) s.output = e.data;
      if (e.metadata !== null && e.metadata !== undefined) s.metadata = e.metadata;
      this.#put(s);
      return;
    }
    const kind = typeof e.category === 'string' ? e.category : 'unknown';
    const prof = isObj(e.category_profile) ? e.category_profile : undefined;
    if (e.scope_category === 'start') {
      const s: ViewSpan = { id, parent, name, kind, start: ts, end: null, status: 'open' };
      if (e.data !== null && e.data !== undefined) s.input = e.data;
      if (e.metadata !== null && e.metadata !== undefined) s.metadata = e.metadata;
      if (Array.isArray(e.attributes) && e.attributes.length > 0) s.attributes = e.attributes.map(String);
      if (prof) startProfile(s, prof);
      this.#put(s);
      return;
    }
    const s = this.spans.get(id) ?? { id, parent, name, kind, start: ts, end: null, status: 'open' };
    s.end = ts;
    s.status = e.status === 'error' ? 'error' : 'ok';
    if (isObj(e.error)) {
      s.error = { type: String(e.error.type ?? 'Error'), message: String(e.error.message ?? '') };
      if (typeof e.error.guardrail === 'string') s.error.guardrail = e.error.guardrail;
      if (typeof e.error.stack === 'string') s.error.stack = e.error.stack;
    }
    if (e.data !== null && e.data !== undefined) s.output = e.data;
    if (isObj(e.metadata)) s.metadata = isObj(s.metadata) ? { ...s.metadata, ...e.metadata } : e.metadata;
    if (Array.isArray(e.attributes) && e.attributes.length > 0) s.attributes = [...new Set([...(s.attributes ?? []), ...e.attributes.map(String)])];
    if (prof) endProfile(s, prof);
    this.#put(s);
  }

  #put(s: ViewSpan): void {
    this.spans.set(s.id, s);
    this.#changed.add(s.id);
  }

  /** Spans added or changed since the last call. */
  take(): ViewSpan[] {
    const out: ViewSpan[] = [];
    for (const id of this.#changed) out.push(this.spans.get(id)!);
    this.#changed.clear();
    return out;
  }
}

/** RFC 3339 timestamps carry microseconds; Date.parse keeps milliseconds only. */
function subMs(ts: string): number {
  const m = /\.\d{3}(\d+)Z?$/.exec(ts.replace(/[+-]\d\d:\d\d$/, ''));
  return m ? Number(`0.${m[1]}`) : 0;
}

function startProfile(s: ViewSpan, p: Obj): void {
  if (typeof p.model_name === 'string') s.model = p.model_name;
  if (typeof p.tool_call_id === 'string') s.toolCallId = p.tool_call_id;
  const req = p.annotated_request;
  if (isObj(req)) {
    if (Array.isArray(req.messages))
      s.messages = typeof req.system === 'string' && req.system ? [{ role: 'system', text: req.system }, ...req.messages] : req.messages;
    if (isObj(req.params) && Object.keys(req.params).length > 0) s.params = req.params;
    if (typeof req.model === 'string' && !s.model) s.model = req.model;
    if (req.stream === true) s.streaming = true;
    if (Array.isArray(req.tools) && req.tools.length > 0) (s.params ??= {}).tools = req.tools.map((t) => (isObj(t) ? t.name : t));
  }
}

function endProfile(s: ViewSpan, p: Obj): void {
  if (typeof p.model_name === 'string' && !s.model) s.model = p.model_name;
  const r = p.annotated_response;
  if (isObj(r)) {
    const resp: NonNullable<ViewSpan['response']> = {};
    if (typeof r.text === 'string') resp.text = r.text;
    if (typeof r.reasoning === 'string') resp.reasoning = r.reasoning;
    if (Array.isArray(r.tool_calls) && r.tool_calls.length > 0) resp.tool_calls = r.tool_calls;
    if (typeof r.finish_reason === 'string') resp.finish_reason = r.finish_reason;
    s.response = resp;
    if (typeof r.model === 'string') s.model = r.model;
    const u = r.usage;
    if (isObj(u)) {
      const t: NonNullable<ViewSpan['tokens']> = {};
      const set = (k: keyof typeof t, v: unknown): void => {
        const n = num(v);
        if (n !== undefined) t[k] = n;
      };
      set('input', u.input_tokens);
      set('output', u.output_tokens);
      set('cached', u.cache_read_tokens);
      set('cacheWrite', u.cache_write_tokens);
      set('reasoning', u.reasoning_tokens);
      s.tokens = t;
    }
  }
  const c = p.cost;
  if (isObj(c) && typeof c.total_usd === 'number') {
    s.cost = { usd: c.total_usd, priced: c.priced !== false };
    if (typeof c.note === 'string') s.cost.note = c.note;
    const b: Record<string, number> = {};
    for (const k of ['input_usd', 'cached_input_usd', 'cache_write_usd', 'output_usd', 'reasoning_usd']) {
      const v = num(c[k]);
      if (v !== undefined && v > 0) b[k.replace(/_usd$/, '')] = v;
    }
    if (Object.keys(b).length > 0) s.cost.breakdown = b;
  }
  const tr = p.transport;
  if (isObj(tr) && num(tr.time_to_first_chunk_ms) !== undefined) s.ttfcMs = num(tr.time_to_first_chunk_ms);
  if (isObj(p.stream)) s.streaming = true;
}

/**
 * An ATIF trajectory as spans: the run, one LLM span per agent step (its tool calls as children,
 * their observations as results), user and system steps as marks, sub-agent trajectories nested.
 */
export function spansFromTrajectory(
  doc: unknown,
  out: ViewSpan[] = [],
  parent: string | null = null,
  prefix = 't',
  /** Reads a sub-agent trajectory referenced by `trajectory_path` (v1.6 writes them as separate files). */
  loadRef?: (path: string) => unknown,
): ViewSpan[] {
  if (!isObj(doc) || !Array.isArray(doc.steps)) throw new Error('not an ATIF trajectory (expected an object with "steps")');
  const agent = isObj(doc.agent) ? doc.agent : {};
  const steps = doc.steps.filter(isObj);
  const times = steps.map((s) => (typeof s.timestamp === 'string' ? Date.parse(s.timestamp) : NaN)).filter((t) => !Number.isNaN(t));
  const t0 = times.length > 0 ? Math.min(...times) : 0;
  const root: ViewSpan = {
    id: `${prefix}`,
    parent,
    name: String(agent.name ?? doc.session_id ?? 'trajectory'),
    kind: 'agent',
    start: t0,
    end: t0,
    status: 'ok',
  };
  if (typeof agent.model_name === 'string') root.model = agent.model_name;
  root.metadata = { session_id: doc.session_id, schema_version: doc.schema_version, final_metrics: doc.final_metrics };
  out.push(root);
  let last = t0;
  steps.forEach((st, i) => {
    const ts = typeof st.timestamp === 'string' && !Number.isNaN(Date.parse(st.timestamp)) ? Date.parse(st.timestamp) : last;
    last = Math.max(last, ts);
    const id = `${prefix}.${String(st.step_id ?? i + 1)}`;
    const message = typeof st.message === 'string' ? st.message : JSON.stringify(st.message);
    if (st.source !== 'agent') {
      out.push({ id, parent: root.id, name: `${String(st.source)} message`, kind: 'mark', start: ts, end: ts, status: 'ok', output: message });
      return;
    }
    const next = steps[i + 1];
    const nextTs = next && typeof next.timestamp === 'string' ? Date.parse(next.timestamp) : NaN;
    const end = Number.isNaN(nextTs) ? ts : Math.max(ts, nextTs);
    const s: ViewSpan = { id, parent: root.id, name: String(st.model_name ?? agent.model_name ?? 'agent step'), kind: 'llm', start: ts, end, status: 'ok' };
    s.response = { text: message };
    if (typeof st.reasoning_content === 'string') s.response.reasoning = st.reasoning_content;
    if (Array.isArray(st.tool_calls)) s.response.tool_calls = st.tool_calls;
    if (typeof st.model_name === 'string') s.model = st.model_name;
    const m = isObj(st.metrics) ? st.metrics : undefined;
    if (m) {
      s.tokens = {};
      if (num(m.prompt_tokens) !== undefined) s.tokens.input = num(m.prompt_tokens);
      if (num(m.completion_tokens) !== undefined) s.tokens.output = num(m.completion_tokens);
      if (num(m.cached_tokens) !== undefined) s.tokens.cached = num(m.cached_tokens);
      if (num(m.cost_usd) !== undefined) s.cost = { usd: num(m.cost_usd)!, priced: true };
    }
    if (st.extra !== undefined) s.metadata = st.extra;
    out.push(s);
    const errors = isObj(st.extra) && Array.isArray(st.extra.errors) ? st.extra.errors.filter(isObj) : [];
    const results = isObj(st.observation) && Array.isArray(st.observation.results) ? st.observation.results.filter(isObj) : [];
    const calls = Array.isArray(st.tool_calls) ? st.tool_calls.filter(isObj) : [];
    const toolSpanOf = new Map<unknown, string>();
    calls.forEach((c, j) => {
      toolSpanOf.set(c.tool_call_id, `${id}.c${j}`);
      const res = results.find((r) => r.source_call_id === c.tool_call_id);
      const content = res?.content;
      const text = typeof content === 'string' ? content : content === undefined ? undefined : JSON.stringify(content);
      const err = errors.find((x) => x.tool_call_id === c.tool_call_id);
      const failed = err !== undefined;
      const tool: ViewSpan = {
        id: `${id}.c${j}`,
        parent: id,
        name: String(c.function_name ?? 'tool'),
        kind: 'tool',
        start: ts,
        end,
        status: failed ? 'error' : 'ok',
        input: c.arguments,
      };
      if (typeof c.tool_call_id === 'string') tool.toolCallId = c.tool_call_id;
      if (text !== undefined) tool.output = text;
      if (err) tool.error = { type: String(err.type ?? 'Error'), message: String(err.message ?? text ?? '') };
      out.push(tool);
    });
    for (const r of results) {
      const under = toolSpanOf.get(r.source_call_id) ?? id;
      if (Array.isArray(r.subagent_trajectory_ref) && Array.isArray(doc.subagent_trajectories)) {
        for (const ref of r.subagent_trajectory_ref.filter(isObj)) {
          const sub = doc.subagent_trajectories.find((t) => isObj(t) && (t.trajectory_id === ref.trajectory_id || t.session_id === ref.session_id));
          if (sub) spansFromTrajectory(sub, out, under, `${under}.sub`, loadRef);
        }
      } else if (Array.isArray(r.subagent_trajectory_ref) && loadRef) {
        for (const ref of r.subagent_trajectory_ref.filter(isObj)) {
          if (typeof ref.trajectory_path !== 'string') continue;
          const sub = loadRef(ref.trajectory_path);
          if (isObj(sub)) spansFromTrajectory(sub, out, under, `${under}.sub`, loadRef);
        }
      }
    }
  });
  root.end = Math.max(last, ...out.filter((s) => s.id.startsWith(prefix)).map((s) => s.end ?? s.start));
  return out;
}
