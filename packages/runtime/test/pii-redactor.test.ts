/** The PII detectors and the redactor as pure functions. */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { createPiiRedactor, findPii, luhnCheck, PII_DETECTORS } from '@nemo-flow/runtime/plugins';

const types = (text: string): string[] => findPii(text).map((f) => `${f.type}:${f.text}`);

describe('PII detectors', () => {
  it('finds email addresses', () => {
    assert.deepEqual(types('write to jane.doe+news@mail.example.co.uk today'), ['email:jane.doe+news@mail.example.co.uk']);
    assert.deepEqual(types('not an email: user@localhost or @handle'), []);
  });

  it('finds phone numbers with separators or a leading +, not dates, versions or bare numbers', () => {
    assert.deepEqual(types('call +1 (555) 123-4567 or 555.123.4567'), ['phone:+1 (555) 123-4567', 'phone:555.123.4567']);
    assert.deepEqual(types('intl +442079460958 and +44 20 7946 0958'), ['phone:+442079460958', 'phone:+44 20 7946 0958']);
    assert.deepEqual(types('on 2024-01-15 at 12:30:45, version 1.22.333, order 5551234567, total 1,234.56'), []);
  });

  it('finds card numbers that pass the Luhn check only', () => {
    assert.equal(luhnCheck('4111111111111111'), true);
    assert.equal(luhnCheck('4111111111111112'), false);
    assert.deepEqual(types('visa 4111 1111 1111 1111, amex 3782-822463-10005, mc 5555555555554444'), [
      'credit_card:4111 1111 1111 1111',
      'credit_card:3782-822463-10005',
      'credit_card:5555555555554444',
    ]);
    assert.deepEqual(types('id 4111111111111112 is not a card'), []);
  });

  it('finds API keys, bearer tokens, JWTs and key=value secrets', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const found = types(
      `openai sk-proj-AbCdEfGhIjKlMnOpQrStUv anthropic sk-ant-api03-AbCdEfGhIjKlMnOpQr nvidia nvapi-AbCdEfGhIjKlMnOpQrStUvWx ` +
        `aws AKIAIOSFODNN7EXAMPLE github ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 Authorization: Bearer tok.en-123_abc ${jwt} api_key=hunter2hunter2`,
    );
    assert.deepEqual(found, [
      'api_key:sk-proj-AbCdEfGhIjKlMnOpQrStUv',
      'api_key:sk-ant-api03-AbCdEfGhIjKlMnOpQr',
      'api_key:nvapi-AbCdEfGhIjKlMnOpQrStUvWx',
      'api_key:AKIAIOSFODNN7EXAMPLE',
      'api_key:ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
      'api_key:tok.en-123_abc',
      `api_key:${jwt}`,
      'api_key:hunter2hunter2',
    ]);
  });

  it('finds IPv4 and IPv6 addresses, not times or MAC addresses', () => {
    assert.deepEqual(types('from 10.0.0.254 via 2001:db8::8a2e:370:7334 and ::1'), [
      'ip_address:10.0.0.254',
      'ip_address:2001:db8::8a2e:370:7334',
      'ip_address:::1',
    ]);
    assert.deepEqual(types('at 12:30:45 mac 00:1A:2B:3C:4D:5E bad 999.1.1.1'), []);
  });

  it('resolves overlaps: a card number is not also a phone number', () => {
    assert.deepEqual(types('4111-1111-1111-1111'), ['credit_card:4111-1111-1111-1111']);
  });

  it('lists the detectors', () => {
    assert.deepEqual([...PII_DETECTORS].sort(), ['api_key', 'credit_card', 'email', 'ip_address', 'phone']);
  });
});

describe('createPiiRedactor', () => {
  const text = 'mail bob@example.com, card 4111 1111 1111 1111';

  it('redact (default) replaces each finding with a labelled marker', () => {
    assert.equal(createPiiRedactor()(text), 'mail [REDACTED:EMAIL], card [REDACTED:CREDIT_CARD]');
  });

  it('mask keeps the email domain and the last digits', () => {
    assert.equal(createPiiRedactor({ action: 'mask' })(text), 'mail b***@example.com, card **** **** **** 1111');
  });

  it('hash replaces with a salted digest, equal values alike', () => {
    const r = createPiiRedactor({ action: 'hash', hashSalt: 's3cret' });
    const digest = createHash('sha256').update('s3cret').update('\0').update('bob@example.com').digest('hex').slice(0, 16);
    const out = r({ a: 'bob@example.com', b: 'again bob@example.com' }) as { a: string; b: string };
    assert.equal(out.a, `[EMAIL:${digest}]`);
    assert.equal(out.b, `again [EMAIL:${digest}]`);
    assert.notEqual(createPiiRedactor({ action: 'hash', hashSalt: 'other' })('bob@example.com'), out.a);
  });

  it('remove deletes the finding', () => {
    assert.equal(createPiiRedactor({ action: 'remove' })(text), 'mail , card ');
  });

  it('per-detector actions override the default', () => {
    const r = createPiiRedactor({ action: 'redact', actions: { credit_card: 'mask' } });
    assert.equal(r(text), 'mail [REDACTED:EMAIL], card **** **** **** 1111');
  });

  it('runs only the chosen detectors', () => {
    assert.equal(createPiiRedactor({ detectors: ['credit_card'] })(text), 'mail bob@example.com, card [REDACTED:CREDIT_CARD]');
  });

  it('custom rules win over built-ins, with their own action and replacement', () => {
    const r = createPiiRedactor({
      rules: [
        { name: 'employee_id', pattern: 'emp-\\d{6}', flags: 'i' },
        { name: 'ticket', pattern: /TCK\d+/, replacement: '<ticket>' },
        { name: 'corp_mail', pattern: '[a-z]+@corp\\.example', action: 'mask' },
      ],
    });
    assert.equal(
      r('EMP-123456 filed TCK42 for ann@corp.example and bob@example.com'),
      '[REDACTED:EMPLOYEE_ID] filed <ticket> for a***@corp.example and [REDACTED:EMAIL]',
    );
  });

  it('walks objects and arrays, redacts credential-named fields whole and card numbers stored as numbers', () => {
    const input = {
      headers: { Authorization: 'Basic dXNlcjpwYXNz', 'x-request-id': 'abc' },
      messages: [
        { role: 'user', content: 'I am at 192.168.0.7' },
        { role: 'assistant', content: 'ok' },
      ],
      card: 4111111111111111,
      count: 3,
    };
    const out = createPiiRedactor()(input);
    assert.deepEqual(out, {
      headers: { Authorization: '[REDACTED:API_KEY]', 'x-request-id': 'abc' },
      messages: [
        { role: 'user', content: 'I am at [REDACTED:IP_ADDRESS]' },
        { role: 'assistant', content: 'ok' },
      ],
      card: '[REDACTED:CREDIT_CARD]',
      count: 3,
    });
  });

  it('never mutates its input and shares unchanged branches; returns the input itself when clean', () => {
    const clean = { a: { b: ['nothing here'] } };
    const r = createPiiRedactor();
    assert.equal(r(clean), clean);
    const input = { keep: { deep: ['x'] }, hit: 'bob@example.com' };
    const frozen = JSON.stringify(input);
    const out = r(input) as typeof input;
    assert.equal(JSON.stringify(input), frozen);
    assert.equal(out.keep, input.keep);
    assert.equal(out.hit, '[REDACTED:EMAIL]');
  });

  it('works on read-only inputs (it only reads)', () => {
    const view = new Proxy(
      { a: 'bob@example.com', b: { c: 'fine' } },
      {
        set: () => {
          throw new TypeError('read-only');
        },
        defineProperty: () => {
          throw new TypeError('read-only');
        },
      },
    );
    assert.deepEqual(createPiiRedactor()(view), { a: '[REDACTED:EMAIL]', b: { c: 'fine' } });
  });

  it('paths limit where detectors run; skip_paths leave values alone; redact_paths replace whole values', () => {
    const input = {
      user: { email: 'a@example.com', note: 'call 555-123-4567' },
      audit: { email: 'b@example.com' },
      creds: { password: 'short', nested: { password: 42 } },
    };
    assert.deepEqual(createPiiRedactor({ paths: ['user.email'] })(input), { ...input, user: { email: '[REDACTED:EMAIL]', note: 'call 555-123-4567' } });
    const skipped = createPiiRedactor({ skipPaths: ['audit'] })(input) as typeof input;
    assert.equal(skipped.audit, input.audit);
    assert.equal(skipped.user.email, '[REDACTED:EMAIL]');
    const whole = createPiiRedactor({ redactPaths: ['**.password'] })(input) as typeof input;
    assert.deepEqual(whole.creds, { password: '[REDACTED]', nested: { password: '[REDACTED]' } });
    const removed = createPiiRedactor({ action: 'remove', redactPaths: ['creds.*'] })(input) as Record<string, unknown>;
    assert.deepEqual(removed.creds, {});
    const indexed = createPiiRedactor({ paths: ['list[1]'] })({ list: ['a@example.com', 'b@example.com'] });
    assert.deepEqual(indexed, { list: ['a@example.com', '[REDACTED:EMAIL]'] });
  });

  it('handles cycles, class instances and deep nesting without leaking', () => {
    const cyclic: Record<string, unknown> = { mail: 'bob@example.com' };
    cyclic.self = cyclic;
    assert.deepEqual(createPiiRedactor()(cyclic), { mail: '[REDACTED:EMAIL]', self: '[Circular]' });
    class Resp {
      text = 'reach me at bob@example.com';
    }
    assert.deepEqual(createPiiRedactor()(new Resp()), { text: 'reach me at [REDACTED:EMAIL]' });
    const clean = new Resp();
    clean.text = 'nothing';
    assert.equal(createPiiRedactor()(clean), clean);
    let deep: unknown = 'bob@example.com';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    assert.ok(!JSON.stringify(createPiiRedactor()(deep)).includes('bob@example.com'));
  });

  it('never throws: a throwing getter or a revoked proxy shows a marker, the rest is still redacted', () => {
    const redact = createPiiRedactor();
    let reads = 0;
    const value = {
      get bad(): string {
        throw new Error('no');
      },
      get counted(): string {
        reads++;
        return 'ann@example.com';
      },
      list: [1, 'bob@example.com'],
    };
    assert.deepEqual(redact(value), { bad: '[redacted: unreadable]', counted: '[REDACTED:EMAIL]', list: [1, '[REDACTED:EMAIL]'] });
    assert.equal(reads, 1, 'each property is read once');
    const { proxy, revoke } = Proxy.revocable({ a: 'cat@example.com' }, {});
    revoke();
    assert.deepEqual(redact({ ok: 'fine', gone: proxy }), { ok: 'fine', gone: '[redacted: unreadable]' });
    assert.equal(redact(proxy), '[redacted: unreadable]');
    const clean = { n: NaN, s: 'plain' };
    assert.equal(redact(clean), clean, 'NaN does not count as a change');
  });

  it('rejects invalid options when created', () => {
    assert.throws(() => createPiiRedactor({ rules: [{ name: 'bad', pattern: '(' }] }), /PII rule "bad": invalid regular expression/);
    assert.throws(() => createPiiRedactor({ action: 'explode' as never }), /action must be one of/);
    assert.throws(() => createPiiRedactor({ detectors: ['ssn' as never] }), /unknown detector "ssn"/);
    assert.throws(() => createPiiRedactor({ paths: ['a..b'] }), /empty segment/);
  });
});

// Sized so a quadratic scan (the old overlap check, a lookbehind re-scanning whitespace) would run
// for minutes and hit the test timeout; linear redaction takes milliseconds. No clock is read.
describe('PII redaction on large inputs', () => {
  const redact = createPiiRedactor();

  it('redacts every one of 40,000 e-mail addresses in one string', () => {
    const n = 40_000;
    const text = Array.from({ length: n }, (_, i) => `user${i}@example.com`).join(' ');
    assert.equal(redact(text), Array.from({ length: n }, () => '[REDACTED:EMAIL]').join(' '));
    assert.equal(findPii(text).length, n);
  });

  it('a long run of "password: " labels: each value after a label is redacted', () => {
    const text = 'password: '.repeat(40_000);
    assert.equal(redact(text), 'password: ' + '[REDACTED:API_KEY] '.repeat(39_999));
  });

  it('long whitespace runs after a label, and a label repeated without separators', () => {
    const spaces = ' '.repeat(200_000);
    assert.equal(redact(`Bearer${spaces}`), `Bearer${spaces}`);
    assert.equal(redact(`password:${spaces}x`), `password:${spaces}x`);
    assert.equal(redact(`Authorization: Bearer${spaces}abcdefgh12345`), `Authorization: Bearer${spaces}[REDACTED:API_KEY]`);
    const labels = 'token='.repeat(30_000);
    assert.deepEqual(
      findPii(labels).map((f) => [f.type, f.start, f.end]),
      [['api_key', 6, labels.length]],
    );
  });

  it('many overlapping findings of different detectors resolve like small ones', () => {
    // Each card number is also a phone-number candidate; the card wins every time.
    const text = Array.from({ length: 10_000 }, () => '4111-1111-1111-1111').join(' and ');
    assert.equal(redact(text), Array.from({ length: 10_000 }, () => '[REDACTED:CREDIT_CARD]').join(' and '));
    const digits = '1 '.repeat(100_000); // one long digit-group candidate, no valid card in it
    assert.equal(redact(digits), digits);
  });
});
