/** The `pii_redaction` component: subscribers see redacted payloads; tools, models and callers see the real ones. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  flushSubscribers,
  llmCallExecute,
  llmStreamCallExecute,
  mark,
  popScope,
  pushScope,
  registerToolConditionalExecutionGuardrail,
  deregisterToolConditionalExecutionGuardrail,
  toolCallExecute,
  withScope,
  type ScopeEvent,
} from '@nemo-flow/runtime';
import { REDACTED_MARKER } from '@nemo-flow/runtime/exporter-kit';
import { clearPlugins, registerPlugin, deregisterPlugin, type PluginOptions } from '@nemo-flow/runtime/plugins';
// The sdk's initializePlugins knows the observability component one test writes files with.
import { initializePlugins } from '@nemo-flow/sdk';
import { capture, collectFailures } from './helpers.js';
// Internal: the step pii_redaction installs, to exercise its failure path (PII's own redactor never throws).
import { addEventRedactor, removeEventRedactor } from '../src/event-redaction.js';

const pii = (config: Record<string, unknown> = {}): unknown => ({ version: 1, components: [{ kind: 'pii_redaction', config }] });

describe('plugins: pii_redaction', () => {
  let cap: ReturnType<typeof capture>;
  const start = (): ScopeEvent => cap.scopes().find((e) => e.scope_category === 'start')!;
  const end = (): ScopeEvent => cap.scopes().find((e) => e.scope_category === 'end')!;

  async function activate(config?: Record<string, unknown>, options?: PluginOptions): Promise<void> {
    await initializePlugins(pii(config), options);
    cap = capture();
  }

  afterEach(async () => {
    cap?.stop();
    await clearPlugins();
  });

  it('tool calls: the tool gets the real arguments, the caller the real result, subscribers redacted copies', async () => {
    await activate();
    const args = { to: 'alice@example.com', note: 'card 4111 1111 1111 1111' };
    let received: unknown;
    const result = await toolCallExecute('send', args, async (a) => {
      received = a;
      return { sent: true, echo: 'reply to alice@example.com', from_ip: '10.1.2.3' };
    });
    assert.deepEqual(received, { to: 'alice@example.com', note: 'card 4111 1111 1111 1111' });
    assert.deepEqual(result, { sent: true, echo: 'reply to alice@example.com', from_ip: '10.1.2.3' });
    assert.deepEqual(start().data, { to: '[REDACTED:EMAIL]', note: 'card [REDACTED:CREDIT_CARD]' });
    assert.deepEqual(end().data, { sent: true, echo: 'reply to [REDACTED:EMAIL]', from_ip: '[REDACTED:IP_ADDRESS]' });
    assert.equal(args.to, 'alice@example.com', 'the caller’s object is untouched');
  });

  it('LLM calls: headers, messages and the response are redacted for subscribers, annotations included', async () => {
    await activate();
    const request = {
      headers: { authorization: 'Bearer sk-proj-AbCdEfGhIjKlMnOpQrStUv' },
      content: { model: 'gpt-test', messages: [{ role: 'user', content: 'my phone is +1 (555) 123-4567' }] },
    };
    let modelSaw: unknown;
    const response = await llmCallExecute(
      'chat',
      request,
      async (r) => {
        modelSaw = r;
        return {
          id: 'x',
          object: 'chat.completion',
          model: 'gpt-test',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Mail bob@example.com' }, finish_reason: 'stop' }],
        };
      },
      { modelName: 'gpt-test' },
    );
    assert.deepEqual(modelSaw, request);
    assert.equal((response as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content, 'Mail bob@example.com');
    const s = JSON.stringify(start());
    const e = JSON.stringify(end());
    assert.ok(!s.includes('123-4567') && !s.includes('sk-proj'), s);
    assert.ok(s.includes('[REDACTED:PHONE]') && s.includes('[REDACTED:API_KEY]'));
    assert.ok(!e.includes('bob@example.com') && e.includes('[REDACTED:EMAIL]'), e);
    const annotated = (start().category_profile as { annotated_request?: { messages: Array<{ content: unknown }> } }).annotated_request;
    assert.ok(annotated, 'the codec still annotates the (redacted) request');
  });

  it('streamed LLM calls: the aggregated response on the END event is redacted', async () => {
    await activate();
    const chunks = ['write to ', 'carol@example.com'];
    const stream = await llmStreamCallExecute(
      'stream',
      { headers: {}, content: { prompt: 'x' } },
      async function* () {
        yield* chunks;
      },
      { finalizer: () => ({ text: chunks.join('') }) },
    );
    let text = '';
    for await (const c of stream) text += String(c);
    assert.equal(text, 'write to carol@example.com');
    await flushSubscribers();
    assert.deepEqual(end().data, { text: 'write to [REDACTED:EMAIL]' });
  });

  it('actions from the configuration: mask, hash (salt from the environment), remove, per-detector overrides', async () => {
    await activate({ action: 'mask' });
    await toolCallExecute('t', 'card 4111 1111 1111 1111', (a) => a);
    assert.equal(start().data, 'card **** **** **** 1111');
    cap.stop();
    await clearPlugins();

    await activate({ action: 'hash', hash_salt_env: 'NF_SALT' }, { env: { NF_SALT: 'pepper' } });
    await toolCallExecute('t', 'bob@example.com', (a) => a);
    assert.match(String(start().data), /^\[EMAIL:[0-9a-f]{16}\]$/);
    cap.stop();
    await clearPlugins();

    await activate({ action: 'remove', actions: { email: 'redact' } });
    await toolCallExecute('t', 'ip 10.0.0.1 mail bob@example.com', (a) => a);
    assert.equal(start().data, 'ip  mail [REDACTED:EMAIL]');
  });

  it('custom rules, paths, skip_paths, redact_paths and detectors from the configuration', async () => {
    await activate({
      detectors: ['email'],
      rules: [{ name: 'employee_id', pattern: 'EMP-\\d{4}' }],
      skip_paths: ['audit'],
      redact_paths: ['**.password'],
    });
    await toolCallExecute('login', { user: 'EMP-1234 bob@example.com 10.0.0.1', password: 'hunter2', audit: { by: 'admin@example.com' } }, (a) => a);
    assert.deepEqual(start().data, { user: '[REDACTED:EMPLOYEE_ID] [REDACTED:EMAIL] 10.0.0.1', password: '[REDACTED]', audit: { by: 'admin@example.com' } });
    cap.stop();
    await clearPlugins();

    await activate({ paths: ['contact'] });
    await toolCallExecute('t', { contact: 'bob@example.com', other: 'eve@example.com' }, (a) => a);
    assert.deepEqual(start().data, { contact: '[REDACTED:EMAIL]', other: 'eve@example.com' });
  });

  it('targets choose which payloads are sanitized', async () => {
    await activate({ targets: ['tool_response'] });
    await toolCallExecute('t', 'bob@example.com', () => 'bob@example.com');
    assert.equal(start().data, 'bob@example.com');
    assert.equal(end().data, '[REDACTED:EMAIL]');
  });

  it('files written by observability hold only redacted payloads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-pii-'));
    try {
      await initializePlugins({
        version: 1,
        components: [{ kind: 'observability', config: { atof: { path: join(dir, 'events.jsonl') } } }, { kind: 'pii_redaction' }],
      });
      cap = capture();
      await toolCallExecute('lookup', { email: 'dave@example.com' }, () => ({ phone: '555-867-5309 ext', card: 5555555555554444 }));
      await flushSubscribers();
      const file = readFileSync(join(dir, 'events.jsonl'), 'utf8');
      assert.ok(!file.includes('dave@example.com') && !file.includes('555-867-5309') && !file.includes('5555555555554444'), file);
      assert.ok(file.includes('[REDACTED:EMAIL]') && file.includes('[REDACTED:PHONE]') && file.includes('[REDACTED:CREDIT_CARD]'));
    } finally {
      await clearPlugins();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('plugins: pii_redaction beyond tool and LLM payloads', () => {
  let cap: ReturnType<typeof capture> | undefined;
  afterEach(async () => {
    cap?.stop();
    cap = undefined;
    await clearPlugins();
  });

  async function activate(config: Record<string, unknown> = {}): Promise<ReturnType<typeof capture>> {
    await initializePlugins(pii(config));
    cap = capture();
    return cap;
  }

  it('scope input, output and metadata, mark data and metadata, tool metadata are redacted', async () => {
    const c = await activate();
    await withScope(
      'agent',
      'agent',
      async () => {
        mark('m', { data: 'mark bob@example.com', metadata: { who: 'eve@example.com' } });
        await toolCallExecute('t', {}, () => 1, { metadata: { requested_by: 'ann@example.com' } });
        return 'out carol@example.com';
      },
      { input: { q: 'in dave@example.com' }, metadata: { user_id: 'frank@example.com', session_id: 's1' } },
    );
    const text = JSON.stringify(c.events);
    assert.deepEqual(text.match(/[\w.-]+@example\.com/g) ?? [], []);
    const scopes = c.scopes().filter((e) => e.name === 'agent');
    assert.deepEqual(scopes[0]!.data, { q: 'in [REDACTED:EMAIL]' });
    assert.deepEqual(scopes[0]!.metadata, { user_id: '[REDACTED:EMAIL]', session_id: 's1' });
    assert.equal(scopes[1]!.data, 'out [REDACTED:EMAIL]');
    const m = c.events.find((e) => e.kind === 'mark')!;
    assert.equal(m.data, 'mark [REDACTED:EMAIL]');
    assert.deepEqual(m.metadata, { who: '[REDACTED:EMAIL]' });
  });

  it('error descriptions: thrown errors, thrown non-Error values, guardrail reasons, popScope errors', async () => {
    const c = await activate();
    registerToolConditionalExecutionGuardrail('deny', 0, () => 'blocked for gail@example.com');
    try {
      await assert.rejects(
        toolCallExecute('blocked', {}, () => 1),
        /gail@example\.com/,
        'the caller still gets the real error',
      );
    } finally {
      deregisterToolConditionalExecutionGuardrail('deny');
    }
    await assert.rejects(
      toolCallExecute('t', {}, () => {
        throw new Error('no mailbox hank@example.com');
      }),
      /hank@example\.com/,
    );
    await assert.rejects(
      withScope('s', 'function', () => {
        throw { detail: 'ivy@example.com' };
      }),
    );
    popScope(pushScope('p', 'function'), { error: new Error('jack@example.com') });
    const errors = c
      .scopes()
      .filter((e) => e.error)
      .map((e) => e.error!);
    assert.deepEqual(
      errors.map((e) => e.message),
      ['guardrail "deny" rejected "blocked": blocked for [REDACTED:EMAIL]', 'no mailbox [REDACTED:EMAIL]', '{"detail":"[REDACTED:EMAIL]"}', '[REDACTED:EMAIL]'],
    );
    assert.equal(errors[0]!.guardrail, 'deny');
    assert.deepEqual(
      errors.map((e) => e.type),
      ['GuardrailRejectedError', 'Error', 'NonErrorObject', 'Error'],
    );
  });

  it('with redaction on, no error stack is shown: a stack repeats the message and is not scanned', async () => {
    const c = await activate();
    popScope(pushScope('p', 'function'), { error: new Error('nothing personal here') });
    const end = c.scopes().find((e) => e.error)!;
    assert.equal(end.error!.message, 'nothing personal here');
    assert.equal(end.error!.stack, undefined);
    assert.equal(JSON.parse(JSON.stringify(end)).error.stack, undefined);
  });

  it('field paths apply to scope and mark payloads; error messages are always scanned whole', async () => {
    const c = await activate({ paths: ['contact'], redact_paths: ['**.password'] });
    await withScope(
      's',
      'function',
      () => {
        throw new Error('kim@example.com');
      },
      { input: { contact: 'lee@example.com', other: 'max@example.com', nested: { password: 'hunter2' } } },
    ).catch(() => undefined);
    const [start, end] = c.scopes();
    assert.deepEqual(start!.data, { contact: '[REDACTED:EMAIL]', other: 'max@example.com', nested: { password: '[REDACTED]' } });
    assert.equal(end!.error!.message, '[REDACTED:EMAIL]');
  });

  it('targets choose the event parts too', async () => {
    const c = await activate({ targets: ['error', 'mark_data'] });
    await withScope(
      's',
      'function',
      () => {
        mark('m', { data: 'ned@example.com', metadata: 'ola@example.com' });
        throw new Error('pat@example.com');
      },
      { input: 'quinn@example.com' },
    ).catch(() => undefined);
    const [start, end] = c.scopes();
    assert.equal(start!.data, 'quinn@example.com');
    assert.equal(end!.error!.message, '[REDACTED:EMAIL]');
    const m = c.events.find((e) => e.kind === 'mark')!;
    assert.equal(m.data, '[REDACTED:EMAIL]');
    assert.equal(m.metadata, 'ola@example.com');
  });

  it('a property that throws when read shows a marker; the scope and the tool still run', async () => {
    const c = await activate();
    const f = collectFailures();
    try {
      const input = {
        get secret(): string {
          throw new Error('unreadable');
        },
        mail: 'uma@example.com',
      };
      assert.equal(await withScope('s', 'function', () => 42, { input }), 42);
      assert.deepEqual(c.scopes()[0]!.data, { secret: '[redacted: unreadable]', mail: '[REDACTED:EMAIL]' });
      assert.equal(await toolCallExecute('t', input, () => 'ran'), 'ran');
      // Tool sanitizers get a private copy, where the getter already reads "[unreadable: …]"; the
      // key-named secret rule then redacts that field like any other secret.
      assert.deepEqual(c.scopes().find((e) => e.name === 't')!.data, { secret: '[REDACTED:API_KEY]', mail: '[REDACTED:EMAIL]' });
      assert.deepEqual(f.failures, []);
    } finally {
      f.restore();
    }
  });

  it('an event redactor that throws: the part shows the redaction marker, the failure is reported', async () => {
    const c = capture();
    cap = c;
    const f = collectFailures();
    addEventRedactor('test:throws', () => {
      throw new Error('boom');
    });
    try {
      await withScope(
        's',
        'function',
        () => {
          throw new Error('vic@example.com');
        },
        { input: 'x' },
      ).catch(() => undefined);
      const [start, end] = c.scopes();
      assert.equal(start!.data, REDACTED_MARKER);
      assert.deepEqual(end!.error, { type: 'Error', message: REDACTED_MARKER });
      assert.deepEqual(
        f.failures.map((x) => [x.source, x.count]),
        [['event-redactor:test:throws', 2]],
      );
    } finally {
      removeEventRedactor('test:throws');
      f.restore();
    }
  });

  it('goes away with the configuration, and a rolled-back configuration never installs it', async () => {
    let c = await activate();
    await withScope('s', 'function', () => 1, { input: 'rose@example.com' });
    assert.equal(c.scopes()[0]!.data, '[REDACTED:EMAIL]');
    c.stop();
    await clearPlugins();
    c = capture();
    cap = c;
    await withScope('s', 'function', () => 1, { input: 'rose@example.com' });
    assert.equal(c.scopes()[0]!.data, 'rose@example.com');

    registerPlugin('pii_test_fails', {
      register() {
        throw new Error('nope');
      },
    });
    try {
      await assert.rejects(initializePlugins({ version: 1, components: [{ kind: 'pii_redaction' }, { kind: 'pii_test_fails' }] }));
    } finally {
      deregisterPlugin('pii_test_fails');
    }
    await withScope('s2', 'function', () => 1, { input: 'sam@example.com' });
    assert.equal(c.scopes().find((e) => e.name === 's2')!.data, 'sam@example.com');
  });
});
