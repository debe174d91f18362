/**
 * Typed calls: a tool call whose arguments a zod schema validates, against the same validation
 * done by hand around `toolCallExecute` (the baseline column here).
 */
import * as rt from '@nemo-flow/runtime';
import { typedToolExecute } from '@nemo-flow/runtime/typed';
import { z } from 'zod';
import type { Workload } from './run.js';

const schema = z.object({ city: z.string(), days: z.number().int().min(1).max(7) });
const args = { city: 'Oslo', days: 3 };
const tool = (a: { city: string; days: number }): string => a.city;

export function typedWorkloads(ops: (n: number) => number): Workload[] {
  return [
    {
      name: 'typed_tool_zod',
      what: 'typed tool call, zod-validated args, 1 subscriber (baseline: same zod check by hand around toolCallExecute)',
      ops: ops(30_000),
      target: 1.1,
      ours: async (n) => {
        for (let i = 0; i < n; i++) await typedToolExecute('get_weather', args, tool, { args: schema });
      },
      otel: async (n) => {
        for (let i = 0; i < n; i++) {
          await rt.toolCallExecute('get_weather', args, async (a) => {
            const r = await schema['~standard'].validate(a);
            if (r.issues) throw new Error('invalid');
            return tool(r.value);
          });
        }
      },
    },
  ];
}
