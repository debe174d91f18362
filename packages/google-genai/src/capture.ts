/**
 * `captureContent: false`: the calls' events carry no prompts, completions, system instruction, tool
 * definitions or tool arguments — only the model, the generation parameters, the finish reason, the
 * called functions' names and the token usage. Done with two sanitize guardrails, registered once
 * (global, last in priority so they see what other sanitizers left) and acting only on the requests
 * and responses of instrumented calls marked here; what the SDK sends and returns is untouched.
 */
import { registerLlmSanitizeRequestGuardrail, registerLlmSanitizeResponseGuardrail } from '@nemo-flow/runtime';
import { unwrapView } from '@nemo-flow/runtime/exporter-kit';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The headers object of a request whose content is not captured. Sanitizers get a copy of the
 * request in which class instances stay shared, so this marker survives the copy (and request
 * intercepts, which keep the headers); it has no fields and shows as `{}`.
 */
export class ContentOffHeaders {}

/** Responses of calls whose content is not captured (SDK class instances: shared in the copy too). */
const hiddenResponses = new WeakSet<object>();

/** Runs last: sanitize guardrails run in ascending priority. */
const LAST = Number.MAX_SAFE_INTEGER;
const NAME = '@nemo-flow/google-genai:capture-content-off';

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  registerLlmSanitizeRequestGuardrail(NAME, LAST, (view) => {
    const req = unwrapView(view);
    if (!isObj(req) || !(req.headers instanceof ContentOffHeaders)) return req;
    return { headers: {}, content: requestWithoutContent(req.content) };
  });
  registerLlmSanitizeResponseGuardrail(NAME, LAST, (view) => {
    const res = unwrapView(view);
    return isObj(res) && hiddenResponses.has(res) ? responseWithoutContent(res) : res;
  });
}

/** Config fields that are content: the system instruction and the tool definitions. */
const CONTENT_CONFIG = new Set(['systemInstruction', 'tools']);

/** The request as events show it without content: model and parameters, no conversation. */
export function requestWithoutContent(content: unknown): Obj {
  if (!isObj(content)) return { contents: [] };
  const out: Obj = { model: content.model, contents: [] };
  if (isObj(content.config)) {
    const config: Obj = {};
    for (const k in content.config) if (!CONTENT_CONFIG.has(k)) config[k] = content.config[k];
    out.config = config;
  }
  return out;
}

/** Keeps what a response says about itself, and the names of the functions it calls. */
export class ResponseSummary {
  private readonly head: Obj = {};
  private readonly calls: Obj[] = [];
  private finishReason: unknown;

  add(r: unknown): void {
    if (!isObj(r)) return;
    for (const k of ['responseId', 'modelVersion', 'usageMetadata']) if (r[k] != null) this.head[k] = r[k];
    const cand = Array.isArray(r.candidates) && isObj(r.candidates[0]) ? r.candidates[0] : undefined;
    if (!cand) return;
    if (typeof cand.finishReason === 'string') this.finishReason = cand.finishReason;
    const parts = isObj(cand.content) && Array.isArray(cand.content.parts) ? cand.content.parts : [];
    for (const p of parts) {
      if (isObj(p) && isObj(p.functionCall)) this.calls.push({ functionCall: { id: p.functionCall.id, name: p.functionCall.name } });
    }
  }

  /** A response of the same shape holding only the summary. */
  result(): Obj {
    const cand: Obj = { content: { role: 'model', parts: this.calls } };
    if (this.finishReason !== undefined) cand.finishReason = this.finishReason;
    return { ...this.head, candidates: [cand] };
  }
}

export function responseWithoutContent(r: unknown): Obj {
  const s = new ResponseSummary();
  s.add(r);
  return s.result();
}

/** Headers for a request whose content is not captured. */
export function contentOffHeaders(): Record<string, unknown> {
  register();
  return new ContentOffHeaders() as Record<string, unknown>;
}

/** Marks a call's response as not captured; returns it. */
export function hideResponse<T>(response: T): T {
  if (typeof response === 'object' && response !== null) hiddenResponses.add(response);
  return response;
}
