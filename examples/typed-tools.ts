/**
 * Typed tools: one zod schema types a tool, validates the model's arguments before the tool runs
 * and describes the tool to the model. Run: npx tsx examples/typed-tools.ts
 */
import { z } from 'zod';
import { ConsoleExporter, ScopeType, registerSubscriber, withScope } from '@nemo-flow/runtime';
import { ValidationError, dateCodec, objectCodec, toolDefinition, typedToolExecute } from '@nemo-flow/runtime/typed';

registerSubscriber('console', new ConsoleExporter());

const getWeather = z.object({ city: z.string(), days: z.number().int().min(1).max(7).default(1) });
// What you would put in the request's `tools` (OpenAI: { type: 'function', function: def }).
const def = toolDefinition('get_weather', getWeather, { description: 'Forecast for a city' });
console.log('tool definition:', JSON.stringify(def));

// Arguments as a model sends them: JSON text, not yet trusted.
const fromModel = ['{"city":"Oslo","days":2}', '{"city":42}'];

await withScope('weather-agent', ScopeType.Agent, async () => {
  for (const raw of fromModel) {
    try {
      const forecast = await typedToolExecute('get_weather', JSON.parse(raw), async ({ city, days }) => `${city}: sunny for ${days} day(s)`, {
        args: getWeather,
      });
      console.log('result:', forecast);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      // Give the model the issues so it can correct its call.
      console.log('rejected:', err.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    }
  }

  // Application types that are not JSON cross the boundary through a codec: the tool gets a Date,
  // events carry the ISO string.
  const remind = await typedToolExecute(
    'remind',
    { at: new Date('2026-12-24T18:00:00Z'), text: 'call home' },
    (r) => `reminder set for ${r.at.toUTCString()}`,
    {
      args: objectCodec<{ at: Date; text: string }>({ at: dateCodec }),
    },
  );
  console.log('result:', remind);
});
