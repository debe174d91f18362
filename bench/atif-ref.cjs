// The same ATIF workload through nemo-flow-node's AtifExporter (its own process). Prints JSON.
const nf = require('nemo-flow-node');
const { writeFileSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const turns = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));

async function main() {
  const exporter = new nf.AtifExporter('bench', 'bench-agent', '1.0.0', 'gpt-4o');
  exporter.register('atif');
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const h = nf.pushScope('bench-agent', nf.ScopeType.Agent, null, null, null, null, null);
  for (let turn = 0; turn < turns.length; turn++) {
    const t = turns[turn];
    await nf.llmCallExecute('openai.chat', t.request, () => t.response, h, null, null, null, 'gpt-4o');
    for (const c of t.calls) await nf.toolCallExecute(c.name, c.args, () => ({ ok: true, turn }), h);
  }
  nf.popScope(h, null);
  await new Promise((r) => setTimeout(r, 50)); // its JS subscribers are delivered asynchronously
  const json = exporter.exportJson();
  const dir = mkdtempSync(join(tmpdir(), 'nf-ref-atif-'));
  writeFileSync(join(dir, 'trajectory.json'), json);
  const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  exporter.deregister('atif');
  require('node:fs').rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ elapsedMs, cpuMs, fileBytes: Buffer.byteLength(json) }));
  process.exit(0);
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
