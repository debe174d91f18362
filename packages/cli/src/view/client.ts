/// <reference lib="dom" />
/**
 * The report page's script, written as one function whose source text is inlined into the HTML
 * (`CLIENT_JS`): no bundler, no runtime fetch. It draws the runs list, a virtualized tree with a
 * waterfall (only the visible rows exist in the DOM, so 100,000 spans scroll smoothly) and the
 * details panel; in `--serve` mode it listens to server-sent events for new and changed spans.
 */
/* eslint-disable */

import type { ViewSpan } from './model.js';

/** The page reads message and tool-call records loosely (they come from any provider's codec). */
type Span = Omit<ViewSpan, 'messages' | 'response'> & {
  messages?: any[];
  response?: { text?: string; reasoning?: string; tool_calls?: any[]; finish_reason?: string };
};

function client(): void {
  const ROW = 26;
  const $ = (id: string): HTMLElement => document.getElementById(id)!;
  const data = JSON.parse($('nf-data').textContent!) as { title: string; spans: Span[]; live: boolean };
  const byId = new Map<string, Span>();
  const kids = new Map<string, Span[]>();
  let runs: Span[] = [];
  let runIdx = 0;
  let rows: { s: Span; depth: number }[] = [];
  let selected: string | null = null;
  const collapsed = new Set<string>();
  let query = '';
  let kindFilter = '';
  let statusFilter = '';
  let dirty = true;

  const esc = (v: unknown): string => String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  /** Text with PII-redaction markers shown as such. */
  const redact = (t: string): string =>
    esc(t).replace(/\[(REDACTED[^\]]*|redacted:[^\]]*)\]/g, '<mark class="redacted" title="redacted by a guardrail">[$1]</mark>');
  const dur = (ms: number | null): string =>
    ms === null ? '…' : ms < 1 ? `${(ms * 1000).toFixed(0)}µs` : ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)}ms` : `${(ms / 1000).toFixed(2)}s`;
  const usd = (n: number): string => (n === 0 ? '$0' : n < 0.01 ? `$${n.toFixed(6)}` : n < 1 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`);
  const fmt = (n: number): string => n.toLocaleString('en-US');
  const json = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v, null, 2) ?? ''));
  const spanEnd = (s: Span): number => s.end ?? Math.max(s.start, lastTime);
  let lastTime = 0;

  function index(spans: Span[]): void {
    for (const s of spans) {
      byId.set(s.id, s);
      if (s.end !== null && s.end > lastTime) lastTime = s.end;
      if (s.start > lastTime) lastTime = s.start;
    }
    kids.clear();
    const roots: Span[] = [];
    for (const s of byId.values()) {
      if (s.parent !== null && byId.has(s.parent)) {
        let k = kids.get(s.parent);
        if (!k) kids.set(s.parent, (k = []));
        k.push(s);
      } else roots.push(s);
    }
    for (const k of kids.values()) k.sort((a, b) => a.start - b.start);
    const prev = runs[runIdx]?.id;
    runs = roots.sort((a, b) => a.start - b.start);
    const keep = prev ? runs.findIndex((r) => r.id === prev) : -1;
    runIdx = Math.max(keep, 0);
    dirty = true;
  }

  interface Totals {
    llm: number;
    tools: number;
    errors: number;
    input: number;
    output: number;
    cached: number;
    cost: number;
    unpriced: number;
  }
  function totals(root: Span): Totals {
    const t: Totals = { llm: 0, tools: 0, errors: 0, input: 0, output: 0, cached: 0, cost: 0, unpriced: 0 };
    const stack = [root];
    while (stack.length) {
      const s = stack.pop()!;
      if (s.kind === 'llm') {
        t.llm++;
        t.input += s.tokens?.input ?? 0;
        t.output += s.tokens?.output ?? 0;
        t.cached += s.tokens?.cached ?? 0;
        if (s.cost?.priced) t.cost += s.cost.usd;
        else if (s.cost) t.unpriced++;
      }
      if (s.kind === 'tool') t.tools++;
      if (s.status === 'error') t.errors++;
      const k = kids.get(s.id);
      if (k) for (const c of k) stack.push(c);
    }
    return t;
  }

  function matches(s: Span): boolean {
    if (kindFilter && s.kind !== kindFilter) return false;
    if (statusFilter && s.status !== statusFilter) return false;
    if (query) {
      const hay = `${s.name} ${s.kind} ${s.model ?? ''} ${s.error?.message ?? ''}`.toLowerCase();
      if (!hay.includes(query)) return false;
    }
    return true;
  }

  function buildRows(): void {
    rows = [];
    const run = runs[runIdx];
    if (!run) return;
    const filtering = query !== '' || kindFilter !== '' || statusFilter !== '';
    if (!filtering) {
      const walk = (s: Span, depth: number): void => {
        rows.push({ s, depth });
        if (collapsed.has(s.id)) return;
        const k = kids.get(s.id);
        if (k) for (const c of k) walk(c, depth + 1);
      };
      // Iterative for deep trees.
      const stack: [Span, number][] = [[run, 0]];
      while (stack.length) {
        const [s, d] = stack.pop()!;
        rows.push({ s, depth: d });
        if (collapsed.has(s.id)) continue;
        const k = kids.get(s.id);
        if (k) for (let i = k.length - 1; i >= 0; i--) stack.push([k[i]!, d + 1]);
      }
      void walk;
      return;
    }
    // Filtered: matching spans with their ancestors, in tree order.
    const keep = new Set<string>();
    const stack: Span[] = [run];
    while (stack.length) {
      const s = stack.pop()!;
      if (matches(s)) {
        let p: Span | undefined = s;
        while (p && !keep.has(p.id)) {
          keep.add(p.id);
          p = p.parent ? byId.get(p.parent) : undefined;
        }
      }
      const k = kids.get(s.id);
      if (k) for (const c of k) stack.push(c);
    }
    const st: [Span, number][] = [[run, 0]];
    while (st.length) {
      const [s, d] = st.pop()!;
      if (!keep.has(s.id)) continue;
      rows.push({ s, depth: d });
      const k = kids.get(s.id);
      if (k) for (let i = k.length - 1; i >= 0; i--) st.push([k[i]!, d + 1]);
    }
  }

  function renderRuns(): void {
    $('runs').innerHTML =
      `<div class="h">Runs <span class="muted">${runs.length}</span></div>` +
      runs
        .map((r, i) => {
          const t = totals(r);
          const status = r.status === 'error' || t.errors > 0 ? (r.status === 'error' ? 'error' : 'warn') : r.status;
          return `<button class="run${i === runIdx ? ' sel' : ''}" data-run="${i}">
            <div class="rn"><span class="dot ${status}"></span><b>${esc(r.name)}</b><span class="muted">${esc(r.kind)}</span></div>
            <div class="rs">${dur(spanEnd(r) - r.start)} · ${new Date(r.start).toLocaleTimeString()}</div>
            <div class="rs"><span>${t.llm} LLM</span><span>${t.tools} tools</span><span class="${t.errors ? 'err' : ''}">${t.errors} error${t.errors === 1 ? '' : 's'}</span></div>
            <div class="rs"><span>${fmt(t.input)} in · ${fmt(t.output)} out · ${fmt(t.cached)} cached</span></div>
            <div class="rs"><b class="cost">${usd(t.cost)}</b>${t.unpriced ? `<span class="muted"> +${t.unpriced} unpriced</span>` : ''}</div>
          </button>`;
        })
        .join('');
  }

  const scroller = $('scroller');
  const spacer = $('spacer');
  const rowsEl = $('rows');

  function renderRows(): void {
    if (dirty) {
      buildRows();
      dirty = false;
      spacer.style.height = `${rows.length * ROW}px`;
      $('count').textContent = `${fmt(rows.length)} rows`;
    }
    const run = runs[runIdx];
    const t0 = run ? run.start : 0;
    const span = run ? Math.max(spanEnd(run) - t0, 0.001) : 1;
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 8);
    const last = Math.min(rows.length, first + Math.ceil(scroller.clientHeight / ROW) + 16);
    let html = '';
    for (let i = first; i < last; i++) {
      const { s, depth } = rows[i]!;
      const hasKids = kids.has(s.id);
      const left = ((s.start - t0) / span) * 100;
      const width = s.kind === 'mark' ? 0 : Math.max(((spanEnd(s) - s.start) / span) * 100, 0.15);
      const guard = s.error?.guardrail ? ' guard' : '';
      html += `<div class="row ${s.status}${guard}${s.id === selected ? ' sel' : ''}" style="top:${i * ROW}px" data-id="${esc(s.id)}" data-kind="${esc(s.kind)}" data-depth="${depth}">
        <div class="name" style="padding-left:${8 + depth * 16}px">
          <span class="caret">${hasKids ? (collapsed.has(s.id) ? '▸' : '▾') : ''}</span>
          <span class="kind k-${esc(s.kind)}">${esc(s.kind)}</span>
          <span class="label" title="${esc(s.name)}">${esc(s.name)}</span>
          ${s.status === 'error' ? `<span class="badge">${s.error?.guardrail ? 'blocked' : 'error'}</span>` : ''}
          <span class="d">${s.kind === 'mark' ? '' : dur(s.end === null ? null : s.end - s.start)}</span>
        </div>
        <div class="wf">${s.kind === 'mark' ? `<span class="mk" style="left:${left}%"></span>` : `<span class="bar b-${esc(s.kind)}" style="left:${left}%;width:${width}%"></span>`}</div>
      </div>`;
    }
    rowsEl.innerHTML = html;
  }

  function section(title: string, body: string): string {
    return `<section><h4>${esc(title)}</h4>${body}</section>`;
  }
  function kv(pairs: [string, string | undefined][]): string {
    return `<dl class="kv">${pairs
      .filter((p) => p[1] !== undefined && p[1] !== '')
      .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`)
      .join('')}</dl>`;
  }
  const pre = (v: unknown): string => `<pre>${redact(json(v))}</pre>`;

  function messageHtml(m: any): string {
    const role = String(m?.role ?? 'message');
    let body = '';
    const text = typeof m?.text === 'string' ? m.text : typeof m?.content === 'string' ? m.content : '';
    const parts: any[] = Array.isArray(m?.parts) ? m.parts : [];
    for (const p of parts) if (p?.type === 'reasoning') body += `<details class="reasoning"><summary>reasoning</summary>${redact(String(p.text))}</details>`;
    if (text) body += `<div class="text">${redact(text)}</div>`;
    for (const c of m?.tool_calls ?? []) body += toolCallHtml(c);
    if (m?.tool_call_id) body = `<div class="muted small">result of ${esc(m.tool_call_id)}</div>` + body;
    return `<div class="msg r-${esc(role)}"><div class="role">${esc(role)}${m?.name ? ` · ${esc(m.name)}` : ''}</div>${body || '<div class="muted">(empty)</div>'}</div>`;
  }
  function toolCallHtml(c: any): string {
    const name = c?.name ?? c?.function_name ?? c?.function?.name ?? 'tool';
    const args = c?.arguments ?? c?.function?.arguments ?? c?.raw_arguments;
    return `<div class="tc"><div><span class="kind k-tool">call</span> <b>${esc(name)}</b> <span class="muted small">${esc(c?.id ?? c?.tool_call_id ?? '')}</span></div>${pre(args)}</div>`;
  }

  function renderDetails(): void {
    const s = selected ? byId.get(selected) : undefined;
    const el = $('details');
    if (!s) {
      el.innerHTML = `<div class="empty">Select a row to see its details.<br><span class="muted small">↑↓ / j k move · ← → fold · / search · Enter opens</span></div>`;
      return;
    }
    let h = `<div class="dh"><span class="kind k-${esc(s.kind)}">${esc(s.kind)}</span><h3>${esc(s.name)}</h3>
      <span class="st ${s.status}">${s.error?.guardrail ? 'blocked' : s.status}</span>
      <a class="link" href="#span=${encodeURIComponent(s.id)}" title="link to this span">#</a></div>`;
    h += kv([
      [s.kind === 'llm' ? 'latency' : 'duration', s.kind === 'mark' ? undefined : dur(s.end === null ? null : s.end - s.start)],
      ['started', esc(new Date(s.start).toISOString())],
      ['model', s.model ? esc(s.model) : undefined],
      ['time to first chunk', s.ttfcMs !== undefined ? dur(s.ttfcMs) : undefined],
      ['tool call id', s.toolCallId ? esc(s.toolCallId) : undefined],
      ['attributes', s.attributes?.length ? esc(s.attributes.join(', ')) : undefined],
      ['id', `<code>${esc(s.id)}</code>`],
    ]);
    if (s.error) {
      h += s.error.guardrail
        ? `<div class="guardbox"><b>Rejected by guardrail “${esc(s.error.guardrail)}”</b><div>${redact(s.error.message)}</div></div>`
        : `<div class="errbox"><b>${esc(s.error.type)}</b>: ${redact(s.error.message)}${s.error.stack ? `<pre>${esc(s.error.stack)}</pre>` : ''}</div>`;
    }
    if (s.kind === 'llm') {
      const t = s.tokens ?? {};
      h += section(
        'Tokens',
        `<div class="tokens">${
          [
            ['input', t.input],
            ['cached', t.cached],
            ['cache write', t.cacheWrite],
            ['output', t.output],
            ['reasoning', t.reasoning],
          ]
            .filter((x) => x[1] !== undefined)
            .map(([k, v]) => `<div class="tk"><div class="tv">${fmt(v as number)}</div><div class="tl">${k}</div></div>`)
            .join('') || '<span class="muted">no usage reported</span>'
        }</div>`,
      );
      if (s.cost) {
        h += section(
          'Cost',
          s.cost.priced
            ? `<div class="costbig">${usd(s.cost.usd)}</div>${s.cost.breakdown ? kv(Object.entries(s.cost.breakdown).map(([k, v]) => [k.replace(/_/g, ' '), usd(v)])) : ''}`
            : `<div class="muted">not priced: ${esc(s.cost.note ?? 'unknown model')}</div>`,
        );
      }
      if (s.params) h += section('Parameters', kv(Object.entries(s.params).map(([k, v]) => [k, esc(typeof v === 'object' ? JSON.stringify(v) : String(v))])));
      const msgs = s.messages ?? [];
      let chat = msgs.map(messageHtml).join('');
      if (s.response)
        chat += messageHtml({
          role: 'assistant',
          text: s.response.text,
          tool_calls: s.response.tool_calls,
          parts: s.response.reasoning ? [{ type: 'reasoning', text: s.response.reasoning }] : [],
        }).replace('class="msg r-assistant"', 'class="msg r-assistant resp"');
      h += section('Conversation', `<div class="chat">${chat || '<span class="muted">no messages recorded</span>'}</div>`);
      if (s.response?.finish_reason) h += kv([['finish reason', esc(s.response.finish_reason)]]);
    } else if (s.kind === 'tool') {
      h += section('Arguments', pre(s.input ?? null));
      if (s.status !== 'error' || s.output !== undefined) h += section('Result', pre(s.output ?? null));
    } else {
      if (s.input !== undefined) h += section(s.kind === 'mark' ? 'Data' : 'Input', pre(s.input));
      if (s.output !== undefined) h += section(s.kind === 'mark' ? 'Data' : 'Output', pre(s.output));
      if (kids.has(s.id)) {
        const t = totals(s);
        h += section(
          'Totals',
          kv([
            ['LLM calls', String(t.llm)],
            ['tool calls', String(t.tools)],
            ['errors', String(t.errors)],
            ['tokens', `${fmt(t.input)} in · ${fmt(t.output)} out · ${fmt(t.cached)} cached`],
            ['cost', usd(t.cost)],
          ]),
        );
      }
    }
    if (s.metadata !== undefined) h += section('Metadata', pre(s.metadata));
    el.innerHTML = h;
  }

  function render(): void {
    renderRuns();
    renderRows();
    renderDetails();
    const run = runs[runIdx];
    const total = run ? spanEnd(run) - run.start : 0;
    $('axis').innerHTML = run
      ? [0, 0.25, 0.5, 0.75].map((f) => `<span style="left:${f * 100}%">${f === 0 ? '0' : dur(total * f)}</span>`).join('') +
        `<span class="end">${dur(total)}</span>`
      : '';
  }

  function select(id: string | null, scroll = true): void {
    selected = id;
    if (id) {
      history.replaceState(null, '', `#span=${encodeURIComponent(id)}`);
      // Open the run and ancestors holding it.
      let root = byId.get(id);
      let p = root?.parent ? byId.get(root.parent) : undefined;
      while (p) {
        if (collapsed.delete(p.id)) dirty = true;
        root = p;
        p = p.parent ? byId.get(p.parent) : undefined;
      }
      const r = runs.findIndex((x) => x.id === root?.id);
      if (r >= 0 && r !== runIdx) {
        runIdx = r;
        dirty = true;
      }
    }
    renderRows();
    if (scroll && id) {
      const i = rows.findIndex((x) => x.s.id === id);
      if (i >= 0) {
        const top = i * ROW;
        if (top < scroller.scrollTop || top + ROW > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top - scroller.clientHeight / 2;
      }
    }
    render();
  }

  $('runs').addEventListener('click', (ev) => {
    const b = (ev.target as HTMLElement).closest('[data-run]') as HTMLElement | null;
    if (!b) return;
    runIdx = Number(b.dataset.run);
    dirty = true;
    scroller.scrollTop = 0;
    select(runs[runIdx]?.id ?? null);
  });
  rowsEl.addEventListener('click', (ev) => {
    const r = (ev.target as HTMLElement).closest('.row') as HTMLElement | null;
    if (!r) return;
    const id = r.dataset.id!;
    if ((ev.target as HTMLElement).classList.contains('caret') && kids.has(id)) {
      if (!collapsed.delete(id)) collapsed.add(id);
      dirty = true;
    }
    select(id, false);
  });
  scroller.addEventListener('scroll', () => requestAnimationFrame(renderRows), { passive: true });
  window.addEventListener('resize', () => renderRows());
  const search = $('search') as HTMLInputElement;
  search.addEventListener('input', () => {
    query = search.value.trim().toLowerCase();
    dirty = true;
    scroller.scrollTop = 0;
    render();
  });
  const kindSel = $('kind') as HTMLSelectElement;
  const statusSel = $('status') as HTMLSelectElement;
  kindSel.addEventListener('change', () => {
    kindFilter = kindSel.value;
    dirty = true;
    render();
  });
  statusSel.addEventListener('change', () => {
    statusFilter = statusSel.value;
    dirty = true;
    render();
  });
  document.addEventListener('keydown', (ev) => {
    const inInput = (ev.target as HTMLElement).tagName === 'INPUT' || (ev.target as HTMLElement).tagName === 'SELECT';
    if (ev.key === '/' && !inInput) {
      ev.preventDefault();
      search.focus();
      return;
    }
    if (ev.key === 'Escape') {
      if (inInput) (ev.target as HTMLElement).blur();
      return;
    }
    if (inInput) return;
    const i = rows.findIndex((x) => x.s.id === selected);
    const move = (n: number): void => {
      const j = Math.max(0, Math.min(rows.length - 1, Math.max(i, 0) + n));
      if (rows[j]) select(rows[j]!.s.id);
    };
    if (ev.key === 'ArrowDown' || ev.key === 'j') move(1);
    else if (ev.key === 'ArrowUp' || ev.key === 'k') move(-1);
    else if (ev.key === 'PageDown') move(20);
    else if (ev.key === 'PageUp') move(-20);
    else if ((ev.key === 'ArrowLeft' || ev.key === 'h') && selected) {
      const s = byId.get(selected)!;
      if (kids.has(s.id) && !collapsed.has(s.id)) collapsed.add(s.id);
      else if (s.parent && byId.has(s.parent)) return select(s.parent);
      dirty = true;
      select(selected);
    } else if ((ev.key === 'ArrowRight' || ev.key === 'l') && selected) {
      collapsed.delete(selected);
      dirty = true;
      select(selected);
    } else return;
    ev.preventDefault();
  });
  window.addEventListener('hashchange', () => {
    const m = /^#span=(.+)$/.exec(location.hash);
    if (m && decodeURIComponent(m[1]!) !== selected) select(decodeURIComponent(m[1]!));
  });

  index(data.spans);
  const kinds = new Set<string>();
  const addKinds = (spans: Span[]): void => {
    const before = kinds.size;
    for (const s of spans) kinds.add(s.kind);
    if (kinds.size === before && before > 0) return;
    kindSel.innerHTML =
      '<option value="">all kinds</option>' +
      [...kinds]
        .sort()
        .map((k) => `<option${k === kindFilter ? ' selected' : ''}>${esc(k)}</option>`)
        .join('');
  };
  addKinds(data.spans);
  const m = /^#span=(.+)$/.exec(location.hash);
  const linked = m ? decodeURIComponent(m[1]!) : null;
  if (linked && byId.has(linked)) select(linked);
  else select(runs[0]?.id ?? null, false);
  (window as any).__nfReady = performance.now();

  if (data.live && typeof EventSource !== 'undefined') {
    const live = $('live');
    const es = new EventSource('events');
    es.onopen = () => {
      live.className = 'live on';
      live.textContent = '● live';
    };
    es.onerror = () => {
      live.className = 'live off';
      live.textContent = '○ reconnecting';
    };
    es.onmessage = (ev) => {
      const spans = JSON.parse(ev.data) as Span[];
      if (spans.length === 0) return;
      index(spans);
      addKinds(spans);
      render();
    };
  }
}

export const CLIENT_JS = `(${client.toString()})();`;
