/** `observability.pricing`: model prices from the config file reach the cost on LLM end events. */
import { strict as assert } from 'node:assert';
import { deregisterSubscriber, llmCallExecute, registerSubscriber } from '@nemo-flow/runtime';
import type { LifecycleEvent, LlmCategoryProfile } from '@nemo-flow/runtime';
import { setModelPrices } from '@nemo-flow/runtime/models';
import { clearPlugins, initializePlugins, validateConfig } from '@nemo-flow/sdk';

const obs = (config: Record<string, unknown>): unknown => ({ version: 1, components: [{ kind: 'observability', config }] });

describe('config: observability.pricing', () => {
  afterEach(async () => {
    await clearPlugins();
    setModelPrices({}, { replace: true });
  });

  it('adds a model price that the next LLM end event is costed with', async () => {
    const report = await initializePlugins(obs({ pricing: { 'my-model': { input: 2, cached_input: 1, output: 4 } } }));
    assert.deepEqual(report.components[0]!.details, { pricing: { models: ['my-model'] } });
    const events: LifecycleEvent[] = [];
    registerSubscriber('pricing-capture', (e) => void events.push(e));
    try {
      await llmCallExecute(
        'chat',
        { headers: {}, content: { model: 'my-model', messages: [{ role: 'user', content: 'hi' }] } },
        () => ({
          id: 'r',
          object: 'chat.completion',
          model: 'my-model',
          choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1_000_000, completion_tokens: 500_000, prompt_tokens_details: { cached_tokens: 500_000 } },
        }),
        { codec: 'openai-chat' },
      );
    } finally {
      deregisterSubscriber('pricing-capture');
    }
    const end = events.find((e) => e.kind === 'scope' && e.scope_category === 'end')!;
    const cost = (end.category_profile as LlmCategoryProfile).cost!;
    // 0.5M × $2 + 0.5M × $1 + 0.5M × $4
    assert.equal(cost.total_usd, 3.5);
    assert.equal(cost.price_source, 'user');
  });

  it('a price without output or with a negative number is reported, naming the field', async () => {
    const ds = await validateConfig(obs({ pricing: { a: { input: 1 }, b: { input: -1, output: 1 } } }));
    const text = ds.map((d) => `${d.code} ${d.field}`).join('\n');
    assert.match(text, /MISSING_FIELD .*pricing\.a/);
    assert.match(text, /pricing\.b\.input/);
  });
});
