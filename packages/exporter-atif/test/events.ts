/**
 * Hand-built lifecycle events for tests: deterministic uuids and timestamps, the same shapes the
 * runtime emits (start/end share a uuid; end events carry status and error).
 */
import { ATOF_VERSION, formatMicros } from '@nemo-flow/runtime/exporter-kit';
import type { EventError, LifecycleEvent, ScopeEvent, ScopeType } from '@nemo-flow/runtime';

/** The implicit root every top-level scope points at (never emits events). */
export const ROOT_UUID = '00000000-0000-7000-8000-ffffffffffff';

interface Open {
  name: string;
  category: ScopeType;
  parent: string | null;
  attributes: string[];
  profile: ScopeEvent['category_profile'];
}

export interface EndOpts {
  status?: 'ok' | 'error';
  error?: EventError;
  metadata?: unknown;
  profile?: Record<string, unknown>;
}

export class EventLog {
  readonly events: LifecycleEvent[] = [];
  private n = 0;
  private t = Date.UTC(2026, 0, 1) * 1000;
  private readonly open = new Map<string, Open>();

  constructor(private readonly stepMicros = 1000) {}

  private uuid(): string {
    return `00000000-0000-7000-8000-${(++this.n).toString(16).padStart(12, '0')}`;
  }

  private ts(): string {
    this.t += this.stepMicros;
    return formatMicros(this.t);
  }

  start(
    category: ScopeType,
    name: string,
    parent: string | null,
    data: unknown = null,
    opts: { metadata?: unknown; attributes?: string[]; profile?: ScopeEvent['category_profile'] } = {},
  ): string {
    const uuid = this.uuid();
    const attributes = [...(opts.attributes ?? [])].sort();
    const profile = opts.profile ?? null;
    this.open.set(uuid, { name, category, parent, attributes, profile });
    this.events.push({
      kind: 'scope',
      atof_version: ATOF_VERSION,
      uuid,
      parent_uuid: parent ?? ROOT_UUID,
      timestamp: this.ts(),
      name,
      data,
      data_schema: null,
      metadata: opts.metadata ?? null,
      scope_category: 'start',
      attributes,
      category,
      category_profile: profile,
    });
    return uuid;
  }

  end(uuid: string, data: unknown = null, opts: EndOpts = {}): void {
    const o = this.open.get(uuid);
    if (!o) throw new Error(`end of unknown scope ${uuid}`);
    this.open.delete(uuid);
    const base = opts.profile ?? (o.profile as Record<string, unknown> | null);
    const profile = base ? { ...base } : null;
    if (profile && o.category === 'llm') delete profile['annotated_request'];
    const e: ScopeEvent = {
      kind: 'scope',
      atof_version: ATOF_VERSION,
      uuid,
      parent_uuid: o.parent ?? ROOT_UUID,
      timestamp: this.ts(),
      name: o.name,
      data,
      data_schema: null,
      metadata: opts.metadata ?? null,
      scope_category: 'end',
      attributes: o.attributes,
      category: o.category,
      category_profile: profile,
      status: opts.status ?? 'ok',
    };
    if (opts.error) e.error = opts.error;
    this.events.push(e);
  }

  agent(name: string, parent: string | null = null, opts: { metadata?: unknown; input?: unknown } = {}): string {
    return this.start('agent', name, parent, opts.input ?? null, { metadata: opts.metadata ?? null });
  }

  /** LLM start; `content` is the provider payload (wrapped as `{ headers, content }`). */
  llm(parent: string, content: unknown, opts: { name?: string; model?: string; annotated?: unknown; streaming?: boolean } = {}): string {
    const profile: Record<string, unknown> = { model_name: opts.model ?? null };
    if (opts.annotated !== undefined) profile['annotated_request'] = opts.annotated;
    return this.start(
      'llm',
      opts.name ?? 'chat',
      parent,
      { headers: {}, content },
      {
        profile,
        attributes: opts.streaming ? ['streaming'] : [],
      },
    );
  }

  llmEnd(uuid: string, response: unknown, opts: EndOpts & { annotated?: unknown } = {}): void {
    const o = this.open.get(uuid);
    const profile: Record<string, unknown> = { ...((o?.profile as Record<string, unknown>) ?? {}) };
    delete profile['annotated_request'];
    if (opts.annotated !== undefined) profile['annotated_response'] = opts.annotated;
    this.end(uuid, response, { ...opts, profile });
  }

  tool(parent: string, name: string, args: unknown, toolCallId: string | null = null): string {
    return this.start('tool', name, parent, args, { profile: { tool_call_id: toolCallId } });
  }

  mark(parent: string, name: string, data: unknown = null, metadata: unknown = null): void {
    this.events.push({
      kind: 'mark',
      atof_version: ATOF_VERSION,
      uuid: this.uuid(),
      parent_uuid: parent,
      timestamp: this.ts(),
      name,
      data,
      data_schema: null,
      metadata,
      category: null,
      category_profile: null,
    });
  }
}
