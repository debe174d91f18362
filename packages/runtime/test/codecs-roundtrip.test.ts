import { strict as assert } from 'node:assert';
import { getCodec, type CodecName, type NormalizedMessage } from '@nemo-flow/runtime/codecs';
import { clone, fixture } from './fixtures/codecs/load.js';

const cases: [CodecName, string][] = [
  ['openai-chat', 'openai-chat-request.json'],
  ['openai-responses', 'openai-responses-request.json'],
  ['anthropic-messages', 'anthropic-request.json'],
  ['gemini', 'gemini-request.json'],
  ['gemini', 'gemini-sdk-request.json'],
];

/** The original's top-level fields other than `except`. */
function without(o: Record<string, unknown>, ...except: string[]): Record<string, unknown> {
  const out = { ...o };
  for (const k of except) delete out[k];
  return out;
}

/** Everything of a message except its text parts (which a text edit replaces). */
function nonText(m: NormalizedMessage): unknown {
  const parts = m.parts?.filter((p) => p.type !== 'text');
  return { ...m, text: undefined, parts: parts?.length ? parts : undefined };
}

for (const [name, file] of cases) {
  const codec = getCodec(name);
  const list = name === 'openai-responses' ? 'input' : name === 'gemini' ? 'contents' : 'messages';

  describe(`codecs: round trip (${name}, ${file})`, () => {
    it('every single text edit re-decodes to the edited request and changes one provider message', () => {
      const req = fixture(file);
      const before = codec.decode(req);
      let edits = 0;
      for (let i = 0; i < before.messages.length; i++) {
        if (before.messages[i].text === '') continue;
        const n = clone(before);
        n.messages[i].text = `EDITED ${i}`;
        const out = codec.encode(n, req) as Record<string, unknown[]>;
        const after = codec.decode(out);
        assert.equal(after.messages.length, before.messages.length);
        for (let j = 0; j < before.messages.length; j++) {
          if (j !== i) assert.deepEqual(after.messages[j], before.messages[j], `message ${j} untouched by editing ${i}`);
        }
        assert.equal(after.messages[i].text, `EDITED ${i}`);
        assert.deepEqual(nonText(after.messages[i]), nonText(before.messages[i]), `message ${i}: only its text changed`);
        assert.deepEqual(without(out, list), without(req, list), 'top-level fields untouched');
        const changed = out[list].filter((m, k) => m !== req[list][k]);
        assert.equal(changed.length, 1, `message ${i}: exactly one provider message rebuilt`);
        edits++;
      }
      assert.ok(edits >= 3);
    });

    it('deleting any message re-decodes to the shortened conversation', () => {
      const req = fixture(file);
      const before = codec.decode(req);
      for (let i = 0; i < before.messages.length; i++) {
        const n = clone(before);
        n.messages.splice(i, 1);
        assert.deepEqual(codec.decode(codec.encode(n, req)).messages, n.messages, `without message ${i}`);
      }
    });

    it('rewriting every message keeps each message’s unmodelled fields', () => {
      const req = fixture(file);
      const n = codec.decode(req);
      n.messages = n.messages.map((m) => (m.text ? { ...m, text: m.text.toUpperCase() } : { ...m }));
      const out = codec.encode(n, req);
      const after = codec.decode(out);
      assert.deepEqual(
        after.messages.map((m) => m.text),
        n.messages.map((m) => m.text),
      );
      assert.deepEqual(after.messages.map(nonText), n.messages.map(nonText));
      const raw = JSON.stringify(out);
      for (const marker of [
        'cache_control',
        'signature',
        'encrypted_content',
        '"name":"alice"',
        'annotations',
        'is_error',
        'thoughtSignature',
        'willContinue',
        'fileData',
      ]) {
        if (JSON.stringify(req).includes(marker)) assert.ok(raw.includes(marker), `${marker} kept`);
      }
    });

    it('the unedited request survives JSON serialization of the normalized form', () => {
      const req = fixture(file);
      const n = JSON.parse(JSON.stringify(codec.decode(req)));
      assert.deepEqual(codec.encode(n, req), req);
    });
  });
}
