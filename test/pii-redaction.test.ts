/**
 * End to end: an application with `pii_redaction` configured puts an e-mail address in every
 * place a subscriber can see (scope input, output, metadata, mark data and metadata, tool and LLM
 * payloads and headers, streamed responses, error messages of tools, LLM calls and scopes, thrown
 * non-Error values, a guardrail's rejection reason). No sink may show any of them: not the
 * console, not the ATOF file, not the ATIF trajectory, not the spans on the OTLP wire.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';

const run = promisify(execFile);
const root = process.cwd(); // mocha runs from the repository root
const ADDRESS = /[A-Za-z0-9._-]+@example\.com/g;

/** Every place the app writes an address (the local part names the place). */
const PLACES = [
  'scope-input',
  'scope-output',
  'scope-metadata',
  'scope-error',
  'pushed-input',
  'pushed-output',
  'pushed-metadata',
  'pushed-error',
  'mark-data',
  'mark-metadata',
  'tool-args',
  'tool-result',
  'tool-metadata',
  'tool-error',
  'thrown-object',
  'guardrail-reason',
  'manual-args',
  'manual-error',
  'llm-header',
  'llm-request',
  'llm-response',
  'llm-error',
  'stream-chunk',
];

const json = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x));

describe('pii_redaction end to end: no sink sees an address', function () {
  this.timeout(60_000);
  let receiver: OtlpReceiver;
  let dir: string;
  let stdout: string;
  let stderr: string;

  before(async () => {
    receiver = await startOtlpReceiver();
    dir = mkdtempSync(join(tmpdir(), 'nf-pii-e2e-'));
    const config = {
      version: 1,
      components: [
        {
          kind: 'observability',
          config: {
            console: { stream: 'stdout', color: false, payload_chars: 100_000 },
            atof: { path: join(dir, 'events.jsonl') },
            atif: { dir: join(dir, 'trajectories') },
            otel: { endpoint: receiver.url, protocol: 'http/protobuf', capture_content: true, check_endpoint: false, scheduled_delay_ms: 10 },
            openinference: { endpoint: receiver.url, protocol: 'http/json', check_endpoint: false, scheduled_delay_ms: 10 },
          },
        },
        { kind: 'pii_redaction' },
      ],
    };
    writeFileSync(join(dir, 'nemo-flow.json'), JSON.stringify(config));
    const out = await run(process.execPath, ['--conditions=nemo-flow-src', '--import', 'tsx', join(root, 'test', 'fixtures', 'pii-app.ts')], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', NEMO_FLOW_CONFIG: join(dir, 'nemo-flow.json') },
    });
    stdout = out.stdout;
    stderr = out.stderr;
  });

  after(async () => {
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function assertClean(sink: string, text: string): void {
    assert.deepEqual(text.match(ADDRESS) ?? [], [], `${sink} shows addresses`);
    assert.ok(text.includes('[REDACTED:EMAIL]'), `${sink} carries the redacted places`);
  }

  it('the ATOF file: every place is present, redacted', () => {
    const text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    assertClean('ATOF', text);
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const errors = events.filter((e) => e.status === 'error').map((e) => e.error as { type: string; message: string });
    assert.ok(errors.length >= 7, json(errors));
    for (const e of errors) assert.match(e.message, /\[REDACTED:EMAIL\]/, json(e));
    // One marker per place: nothing was dropped instead of redacted.
    assert.ok((text.match(/\[REDACTED:EMAIL\]/g) ?? []).length >= PLACES.length);
  });

  it('the console', () => {
    assertClean('console', stdout);
    assert.match(stdout, /support-agent/);
    assert.deepEqual(stderr.match(ADDRESS) ?? [], [], 'warnings on stderr');
  });

  it('the ATIF trajectory', () => {
    const files = readdirSync(join(dir, 'trajectories'));
    assert.equal(files.length, 1);
    assertClean('ATIF', readFileSync(join(dir, 'trajectories', files[0]!), 'utf8'));
  });

  it('the OTLP wire, both exporters and both encodings', async () => {
    const spans = receiver.spans();
    assert.ok(spans.some((s) => s.encoding === 'protobuf') && spans.some((s) => s.encoding === 'json'), 'both exporters delivered');
    const text = json(spans);
    assertClean('OTLP', text);
    const exceptions = spans.flatMap((s) => s.events.filter((e) => e.name === 'exception'));
    assert.ok(exceptions.length >= 7);
    for (const s of spans.filter((x) => x.status.code === 'ERROR')) assert.doesNotMatch(s.status.message, ADDRESS);
  });
});
