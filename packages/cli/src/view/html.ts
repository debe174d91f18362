/** The report page: one HTML file with its styles, script and data inline — nothing is fetched. */
import { CLIENT_JS } from './client.js';
import type { ViewSpan } from './model.js';

const CSS = `
:root{--bg:#0f1117;--panel:#161a23;--panel2:#1c2130;--line:#262c3b;--text:#e6e9ef;--muted:#8a93a6;--accent:#76b900;
--llm:#7c9cff;--tool:#2ec4b6;--agent:#76b900;--function:#c792ea;--guardrail:#ffb74d;--mark:#ffd166;--err:#ff5c6c;--warn:#ffb74d;--ok:#3ecf8e}
*{box-sizing:border-box}html,body{margin:0;height:100%;background:var(--bg);color:var(--text);font:13px/1.45 ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{height:48px;display:flex;align-items:center;gap:12px;padding:0 14px;border-bottom:1px solid var(--line);background:var(--panel)}
header .logo{font-weight:700;letter-spacing:.2px}header .logo b{color:var(--accent)}
header .file{color:var(--muted);overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:30vw}
header .sp{flex:1}
input,select{background:var(--bg);color:var(--text);border:1px solid var(--line);border-radius:6px;padding:6px 9px;font:inherit}
input:focus,select:focus{outline:none;border-color:var(--accent)}
#search{width:260px}
.live{font-size:12px;padding:3px 8px;border-radius:10px;background:var(--panel2)}.live.on{color:var(--ok)}.live.off{color:var(--warn)}.live.none{display:none}
main{display:grid;grid-template-columns:250px 1fr 440px;height:calc(100% - 48px)}
#runs{border-right:1px solid var(--line);overflow:auto;background:var(--panel)}
#runs .h{padding:10px 12px;font-weight:600;color:var(--muted);text-transform:uppercase;font-size:11px;letter-spacing:.6px}
.run{display:block;width:100%;text-align:left;background:none;border:0;border-left:3px solid transparent;color:inherit;padding:9px 12px;cursor:pointer;font:inherit;border-bottom:1px solid var(--line)}
.run:hover{background:var(--panel2)}.run.sel{background:var(--panel2);border-left-color:var(--accent)}
.rn{display:flex;align-items:center;gap:7px}.rn b{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.rs{color:var(--muted);font-size:12px;display:flex;gap:8px;margin-top:2px}.rs .err{color:var(--err)}.cost{color:var(--text)}
.dot{width:8px;height:8px;border-radius:50%;background:var(--ok);flex:none}.dot.error{background:var(--err)}.dot.warn{background:var(--warn)}.dot.open{background:var(--llm)}
#tree{display:flex;flex-direction:column;min-width:0}
.cols{display:grid;grid-template-columns:minmax(300px,46%) 1fr;border-bottom:1px solid var(--line);color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.6px;background:var(--panel)}
.cols>div{padding:7px 10px}
#axis{position:relative;padding:0!important;border-left:1px solid var(--line)}#axis span{position:absolute;top:7px;padding-left:4px;font-variant-numeric:tabular-nums;text-transform:none}#axis span.end{right:6px}
#scroller{flex:1;overflow:auto;position:relative}#spacer{position:relative}
.row{position:absolute;left:0;right:0;height:26px;display:grid;grid-template-columns:minmax(300px,46%) 1fr;cursor:pointer;border-bottom:1px solid rgba(255,255,255,.025)}
.row:hover{background:rgba(255,255,255,.035)}.row.sel{background:rgba(118,185,0,.14);box-shadow:inset 3px 0 var(--accent)}
.name{display:flex;align-items:center;gap:6px;white-space:nowrap;overflow:hidden;padding-right:8px}
.caret{width:12px;color:var(--muted);flex:none;text-align:center}
.label{overflow:hidden;text-overflow:ellipsis;flex:1}.row.error .label{color:var(--err)}.row.guard .label{color:var(--warn)}
.d{color:var(--muted);font-variant-numeric:tabular-nums;font-size:12px}
.badge{font-size:10px;padding:0 5px;border-radius:4px;background:rgba(255,92,108,.18);color:var(--err);text-transform:uppercase}
.row.guard .badge{background:rgba(255,183,77,.18);color:var(--warn)}
.kind{font-size:10px;text-transform:uppercase;letter-spacing:.4px;padding:1px 5px;border-radius:4px;background:var(--panel2);color:var(--muted);flex:none;min-width:38px;text-align:center}
.k-llm{color:var(--llm)}.k-tool{color:var(--tool)}.k-agent{color:var(--agent)}.k-function{color:var(--function)}.k-guardrail{color:var(--guardrail)}.k-mark{color:var(--mark)}
.wf{position:relative;border-left:1px solid var(--line);background-image:linear-gradient(to right,rgba(255,255,255,.05) 1px,transparent 1px);background-size:25% 100%}
.bar{position:absolute;top:7px;height:12px;border-radius:3px;background:var(--muted);opacity:.9;min-width:2px}
.b-llm{background:var(--llm)}.b-tool{background:var(--tool)}.b-agent{background:var(--agent)}.b-function{background:var(--function)}.b-guardrail{background:var(--guardrail)}
.row.error .bar{background:var(--err)}.row.open .bar{background-image:repeating-linear-gradient(45deg,rgba(255,255,255,.25) 0 4px,transparent 4px 8px)}
.mk{position:absolute;top:8px;width:10px;height:10px;margin-left:-5px;transform:rotate(45deg);background:var(--mark);border-radius:2px}
.foot{border-top:1px solid var(--line);padding:5px 10px;color:var(--muted);font-size:12px;display:flex;justify-content:space-between;background:var(--panel)}
#details{border-left:1px solid var(--line);overflow:auto;background:var(--panel);padding:14px 16px}
.empty{color:var(--muted);margin-top:40px;text-align:center}
.dh{display:flex;align-items:center;gap:8px;margin-bottom:8px}.dh h3{margin:0;font-size:16px;flex:1;overflow-wrap:anywhere}
.st{font-size:11px;padding:2px 7px;border-radius:10px;text-transform:uppercase;background:rgba(62,207,142,.15);color:var(--ok)}
.st.error{background:rgba(255,92,108,.15);color:var(--err)}.st.open{background:rgba(124,156,255,.15);color:var(--llm)}
.link{color:var(--muted);text-decoration:none;font-weight:700}.link:hover{color:var(--accent)}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:6px 0}.kv dt{color:var(--muted)}.kv dd{margin:0;overflow-wrap:anywhere}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--muted)}
section{margin-top:14px}section h4{margin:0 0 6px;font-size:11px;text-transform:uppercase;letter-spacing:.6px;color:var(--muted)}
pre{margin:0;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px 10px;overflow:auto;max-height:320px;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;word-break:break-word}
.errbox,.guardbox{margin-top:10px;padding:9px 11px;border-radius:6px;border:1px solid rgba(255,92,108,.5);background:rgba(255,92,108,.09);overflow-wrap:anywhere}
.errbox pre{margin-top:8px}.guardbox{border-color:rgba(255,183,77,.55);background:rgba(255,183,77,.09)}.guardbox b{color:var(--warn)}.errbox b{color:var(--err)}
.tokens{display:flex;gap:8px;flex-wrap:wrap}.tk{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:6px 10px;min-width:70px}
.tv{font-size:15px;font-weight:600;font-variant-numeric:tabular-nums}.tl{color:var(--muted);font-size:11px}
.costbig{font-size:18px;font-weight:700;color:var(--accent)}
.chat{display:flex;flex-direction:column;gap:8px}
.msg{border:1px solid var(--line);border-radius:8px;padding:8px 10px;background:var(--bg)}
.msg .role{font-size:10px;text-transform:uppercase;letter-spacing:.6px;color:var(--muted);margin-bottom:3px}
.msg .text{white-space:pre-wrap;overflow-wrap:anywhere}
.r-system{border-style:dashed}.r-user{border-left:3px solid var(--llm)}.r-assistant{border-left:3px solid var(--accent)}.r-tool{border-left:3px solid var(--tool)}
.resp{background:rgba(118,185,0,.07)}
.tc{margin-top:6px}.tc pre{margin-top:4px}
.reasoning{color:var(--muted);font-style:italic;margin-bottom:4px;white-space:pre-wrap}
mark.redacted{background:rgba(255,183,77,.2);color:var(--warn);border-radius:3px;padding:0 2px}
.muted{color:var(--muted)}.small{font-size:11px}
`;

export interface ReportOptions {
  title: string;
  /** Served by `--serve`: the page subscribes to `events` for updates. */
  live?: boolean;
}

/** The complete report page for `spans`. */
export function renderReport(spans: readonly ViewSpan[], options: ReportOptions): string {
  // `<` escaped so no string in the data can close the script element.
  const payload = JSON.stringify({ title: options.title, spans, live: options.live === true })
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  const title = options.title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:">
<title>NeMo Flow · ${title}</title><style>${CSS}</style></head>
<body>
<header><span class="logo"><b>NeMo Flow</b> run viewer</span><span class="file" title="${title}">${title}</span><span class="sp"></span>
<input id="search" type="search" placeholder="Search spans  ( / )" autocomplete="off">
<select id="kind" title="kind"></select>
<select id="status" title="status"><option value="">any status</option><option value="ok">ok</option><option value="error">error</option><option value="open">running</option></select>
<span id="live" class="live ${options.live ? 'off' : 'none'}">${options.live ? '○ connecting' : ''}</span></header>
<main><nav id="runs"></nav>
<div id="tree"><div class="cols"><div>Span</div><div id="axis"></div></div>
<div id="scroller"><div id="spacer"><div id="rows"></div></div></div>
<div class="foot"><span id="count"></span><span>↑↓ move · ←→ fold · / search</span></div></div>
<aside id="details"></aside></main>
<script type="application/json" id="nf-data">${payload}</script>
<script>${CLIENT_JS}</script>
</body></html>
`;
}
