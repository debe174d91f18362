import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import * as v from 'valibot';
import {
  AtofFileExporter,
  deregisterLlmRequestIntercept,
  deregisterLlmStreamExecutionIntercept,
  deregisterSubscriber,
  deregisterToolExecutionIntercept,
  deregisterToolRequestIntercept,
  flushSubscribers,
  registerLlmRequestIntercept,
  registerLlmStreamExecutionIntercept,
  registerSubscriber,
  registerToolExecutionIntercept,
  registerToolRequestIntercept,
} from '@nemo-flow/runtime';
import type { ScopeEvent } from '@nemo-flow/runtime';
import {
  ValidationError,
  bigintCodec,
  classCodec,
  dateCodec,
  mapCodec,
  objectCodec,
  setCodec,
  toolDefinition,
  typedLlmExecute,
  typedLlmStreamExecute,
  typedToolExecute,
} from '@nemo-flow/runtime/typed';
import type { ValueCodec } from '@nemo-flow/runtime/typed';
import { capture, collectFailures } from './helpers.js';

interface Booking {
  when: Date;
  seats: Map<string, bigint>;
  tags: Set<string>;
}
const bookingCodec = objectCodec<Booking>({ when: dateCodec, seats: mapCodec(undefined, bigintCodec), tags: setCodec() });

const weather = z.object({ city: z.string(), days: z.array(z.object({ offset: z.number().int() })).optional() });

describe('typed calls: value codecs', () => {
  it('the tool gets T, subscribers and ATOF files see JSON, the caller gets the real result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-typed-'));
    const atof = new AtofFileExporter({ path: join(dir, 'events.jsonl'), mode: 'overwrite' });
    registerSubscriber('typed-atof', atof);
    const c = capture();
    const booking: Booking = { when: new Date('2026-12-04T10:00:00.000Z'), seats: new Map([['A1', 2n ** 70n]]), tags: new Set(['vip']) };
    const result = { confirmed: new Date('2026-12-05T00:00:00.000Z') };
    let seen: Booking | undefined;
    const out = await typedToolExecute(
      'book',
      booking,
      (b) => {
        seen = b;
        return result;
      },
      { args: bookingCodec, result: objectCodec<typeof result>({ confirmed: dateCodec }) },
    );
    c.stop();
    await flushSubscribers();
    deregisterSubscriber('typed-atof');
    assert.equal(seen, booking, 'an untouched argument reaches the tool as the object passed in');
    assert.equal(out, result);
    const [start, end] = c.scopes();
    assert.deepEqual(start!.data, { when: '2026-12-04T10:00:00.000Z', seats: [['A1', '1180591620717411303424']], tags: ['vip'] });
    assert.deepEqual(end!.data, { confirmed: '2026-12-05T00:00:00.000Z' });
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const back = await Promise.resolve(bookingCodec.fromJson(lines[0].data));
    assert.deepEqual(back, booking, 'the ATOF line decodes back to the same Date, Map of BigInt and Set');
  });

  it('a request intercept edits the JSON form; the tool gets it decoded back to T', async () => {
    registerToolRequestIntercept('move-date', 1, (_name, args) => ({ ...(args as object), when: '2027-01-01T00:00:00.000Z' }));
    try {
      let seen: Booking | undefined;
      await typedToolExecute('book', { when: new Date(0), seats: new Map(), tags: new Set<string>() }, (b) => void (seen = b), { args: bookingCodec });
      assert.ok(seen!.when instanceof Date);
      assert.equal(seen!.when.toISOString(), '2027-01-01T00:00:00.000Z');
      assert.ok(seen!.seats instanceof Map && seen!.tags instanceof Set);
    } finally {
      deregisterToolRequestIntercept('move-date');
    }
  });

  it('an execution intercept answering from a cache hands the caller the cached JSON decoded', async () => {
    registerToolExecutionIntercept('cache', 1, () => ({ confirmed: '2030-01-01T00:00:00.000Z' }));
    try {
      let ran = false;
      const out = await typedToolExecute('book', 1, () => ((ran = true), { confirmed: new Date() }), {
        result: objectCodec<{ confirmed: Date }>({ confirmed: dateCodec }),
      });
      assert.equal(ran, false);
      assert.ok(out.confirmed instanceof Date);
      assert.equal(out.confirmed.toISOString(), '2030-01-01T00:00:00.000Z');
    } finally {
      deregisterToolExecutionIntercept('cache');
    }
  });

  it('class instances cross with a toJSON/factory pair; a codec that rejects the JSON fails the call clearly', async () => {
    class Money {
      constructor(readonly cents: bigint) {}
      toJSON() {
        return { cents: this.cents.toString() };
      }
      static fromJSON(j: unknown): Money {
        const cents = (j as { cents?: unknown })?.cents;
        if (typeof cents !== 'string') throw new TypeError('Money: expected { cents: string }');
        return new Money(BigInt(cents));
      }
    }
    const money = classCodec(Money.fromJSON);
    let got: Money | undefined;
    await typedToolExecute('pay', new Money(5n), (m) => void (got = m), { args: money });
    assert.equal(got!.cents, 5n);
    registerToolRequestIntercept('break', 1, () => ({ cents: 7 }));
    const c = capture();
    try {
      await assert.rejects(
        typedToolExecute('pay', new Money(5n), () => 'paid', { args: money }),
        /Money: expected \{ cents: string \}/,
      );
    } finally {
      deregisterToolRequestIntercept('break');
      c.stop();
    }
    assert.equal(c.scopes()[1]!.status, 'error');
  });

  it('helper codecs reject wrong JSON with a message naming the codec', () => {
    assert.throws(() => dateCodec.fromJson('not a date'), /dateCodec: expected an ISO 8601 date string/);
    assert.throws(() => bigintCodec.fromJson('1.5'), /bigintCodec: expected a decimal integer string/);
    assert.throws(() => mapCodec().fromJson([1] as never), /mapCodec: expected \[key, value\] pairs/);
    assert.throws(() => setCodec().fromJson({} as never), /setCodec: expected an array/);
  });

  it('bad options name what was wrong', async () => {
    await assert.rejects(
      typedToolExecute('t', 1, () => 1, { args: {} as unknown as ValueCodec<number> }),
      /typedToolExecute\("t"\): options.args must be a ValueCodec/,
    );
    await assert.rejects(
      typedLlmExecute('m', null as never, () => 1),
      /typedLlmExecute\("m"\): request must be an object/,
    );
  });
});

describe('typed calls: Standard Schema validation', () => {
  it('zod: invalid arguments are rejected before the tool runs, naming each path; END records a ValidationError', async () => {
    const c = capture();
    let ran = false;
    const err = await typedToolExecute('get_weather', { city: 42, days: [{ offset: 1.5 }] }, () => void (ran = true), { args: weather }).then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    );
    c.stop();
    assert.equal(ran, false);
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(
      err.issues.map((i) => i.path),
      ['city', 'days[0].offset'],
    );
    assert.match(
      err.message,
      /typedToolExecute\("get_weather"\) arguments failed validation: city: Invalid input: expected string, received number; days\[0\]\.offset: /,
    );
    const end = c.scopes()[1] as ScopeEvent;
    assert.equal(end.status, 'error');
    assert.equal(end.error!.type, 'ValidationError');
  });

  it('zod: valid input reaches the tool as the schema output (typed, defaults applied)', async () => {
    const schema = z.object({ city: z.string(), units: z.enum(['c', 'f']).default('c') });
    const out = await typedToolExecute('get_weather', { city: 'Oslo' }, (a) => `${a.city}:${a.units}`, { args: schema });
    assert.equal(out, 'Oslo:c');
  });

  it('async refinements are awaited', async () => {
    const schema = z.object({ user: z.string() }).refine(async (o) => o.user !== 'banned', { message: 'user is banned', path: ['user'] });
    await assert.rejects(
      typedToolExecute('lookup', { user: 'banned' }, () => 1, { args: schema }),
      /user: user is banned/,
    );
    assert.equal(await typedToolExecute('lookup', { user: 'ok' }, () => 1, { args: schema }), 1);
  });

  it('valibot works through the same interface; a result schema checks what the tool returns', async () => {
    const args = v.object({ id: v.number() });
    await assert.rejects(
      typedToolExecute('get', { id: 'x' }, () => 1, { args }),
      (e: unknown) => e instanceof ValidationError && e.issues[0]!.path === 'id',
    );
    const result = v.object({ ok: v.boolean() });
    await assert.rejects(
      typedToolExecute('get', { id: 1 }, () => ({ ok: 'yes' }) as unknown as { ok: boolean }, { args, result }),
      /typedToolExecute\("get"\) result failed validation: ok: /,
    );
  });

  it('an intercept edit that breaks the schema is caught before the tool runs', async () => {
    registerToolRequestIntercept('bad-edit', 1, () => ({ city: null }));
    try {
      let ran = false;
      await assert.rejects(
        typedToolExecute('get_weather', { city: 'Oslo' }, () => void (ran = true), { args: weather }),
        ValidationError,
      );
      assert.equal(ran, false);
    } finally {
      deregisterToolRequestIntercept('bad-edit');
    }
  });

  it('toolDefinition turns a zod schema into the JSON Schema tool definition; a schema without one is a clear error', () => {
    const def = toolDefinition('get_weather', weather, { description: 'Weather by city' });
    assert.equal(def.name, 'get_weather');
    assert.equal(def.description, 'Weather by city');
    assert.deepEqual((def.parameters as { required: string[] }).required, ['city']);
    assert.equal((def.parameters as { properties: Record<string, { type: string }> }).properties.city!.type, 'string');
    assert.equal('$schema' in def.parameters!, false);
    assert.throws(() => toolDefinition('x', v.object({})), /toolDefinition\("x"\): the schema does not expose a JSON Schema/);
  });
});

describe('typed calls: LLM and streams', () => {
  interface Prompt {
    model: string;
    asked: Date;
    messages: { role: string; content: string }[];
  }
  const promptCodec = objectCodec<Prompt>({ asked: dateCodec });
  const chat = (text: string) => ({
    id: 'c1',
    model: 'gpt-4o',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  });

  it('typedLlmExecute: codecs see JSON (the OpenAI codec still detects it), a request edit is decoded back to T', async () => {
    registerLlmRequestIntercept('stamp', 1, ({ request }) => ({
      request: { ...request, content: { ...(request.content as object), asked: '2027-02-02T00:00:00.000Z' } },
    }));
    const c = capture();
    try {
      let seen: Prompt | undefined;
      const res = await typedLlmExecute(
        'openai.chat',
        { headers: {}, content: { model: 'gpt-4o', asked: new Date(0), messages: [{ role: 'user', content: 'hi' }] } },
        (r) => ((seen = r.content), chat('hello')),
        { request: promptCodec },
      );
      assert.equal(res.choices[0]!.message.content, 'hello');
      assert.ok(seen!.asked instanceof Date);
      assert.equal(seen!.asked.toISOString(), '2027-02-02T00:00:00.000Z');
    } finally {
      deregisterLlmRequestIntercept('stamp');
      c.stop();
    }
    const [start, end] = c.scopes();
    // START follows the request intercepts: subscribers see the edited request in its JSON form.
    assert.equal((start!.data as { content: { asked: string } }).content.asked, '2027-02-02T00:00:00.000Z');
    const profile = end!.category_profile as { annotated_response?: { message?: { content?: unknown } } };
    assert.ok(profile.annotated_response, 'the provider codec annotated the JSON response');
  });

  it('typedLlmStreamExecute: chunks decoded per chunk for the caller and the collector; intercepts see JSON; END once on early break', async () => {
    interface Tick {
      at: Date;
      text: string;
    }
    const tickCodec = objectCodec<Tick>({ at: dateCodec });
    const seenByIntercept: unknown[] = [];
    registerLlmStreamExecutionIntercept('spy', 1, async (req, next) => {
      const inner = await next(req);
      return (async function* () {
        for await (const ch of inner) {
          seenByIntercept.push(ch);
          yield ch;
        }
      })();
    });
    const c = capture();
    const collected: Tick[] = [];
    try {
      const stream = await typedLlmStreamExecute(
        'stream',
        { headers: {}, content: { model: 'm' } },
        async function* () {
          for (let i = 0; i < 5; i++) yield { at: new Date(i * 1000), text: `t${i}` };
        },
        { chunk: tickCodec, collector: (t) => void collected.push(t), finalizer: () => ({ done: true }) },
      );
      const got: Tick[] = [];
      for await (const t of stream) {
        got.push(t);
        if (got.length === 3) break;
      }
      assert.ok(got.every((t) => t.at instanceof Date));
      assert.deepEqual(
        got.map((t) => t.text),
        ['t0', 't1', 't2'],
      );
      assert.equal(collected.length, 3);
      assert.equal(typeof (seenByIntercept[0] as { at: unknown }).at, 'string', 'stream intercepts see the JSON form');
    } finally {
      deregisterLlmStreamExecutionIntercept('spy');
      c.stop();
    }
    const ends = c.scopes().filter((e) => e.scope_category === 'end');
    assert.equal(ends.length, 1);
    assert.deepEqual(ends[0]!.data, { done: true });
  });

  it('a rejecting async collector is reported, never an unhandled rejection; the stream goes on', async () => {
    const failures = collectFailures();
    try {
      const stream = await typedLlmStreamExecute('s', { headers: {}, content: {} }, () => [1, 2, 3], {
        collector: async () => Promise.reject(new Error('collector down')),
      });
      const got: number[] = [];
      for await (const n of stream) got.push(n);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(got, [1, 2, 3]);
      assert.ok(failures.failures.some((f) => /collector/.test(f.source)));
    } finally {
      failures.restore();
    }
  });
});
