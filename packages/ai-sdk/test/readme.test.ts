/** The README's code blocks are the files in examples/ (type-checked with the tests), verbatim. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('@nemo-flow/ai-sdk: README', () => {
  it('starts with the one-line setup', () => {
    assert.match(
      readme,
      /^# @nemo-flow\/ai-sdk\n\n```ts fragment\nconst model = wrapLanguageModel\(\{ model: openai\('gpt-4o-mini'\), middleware: nemoFlowMiddleware\(\) \}\);\n```/,
    );
  });

  for (const file of ['agent.ts', 'guardrail.ts', 'telemetry.ts']) {
    it(`quotes examples/${file} verbatim`, () => {
      const code = readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8').trim();
      assert.ok(readme.includes(code), `README.md must contain examples/${file}`);
    });
  }
});
