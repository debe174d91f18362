import * as rt from '@nemo-flow/runtime';
import { typedToolExecute } from '@nemo-flow/runtime/typed';
import { z } from 'zod';
rt.registerSubscriber('x', () => {});
const schema = z.object({ city: z.string(), days: z.number().int().min(1).max(7) });
const args = { city: 'Oslo', days: 3 };
const tool = (a) => a.city;
async function typed(n){ for (let i = 0; i < n; i++) await typedToolExecute('get_weather', args, tool, { args: schema }); }
async function hand(n){ for (let i = 0; i < n; i++) await rt.toolCallExecute('get_weather', args, async (a) => { const r = await schema['~standard'].validate(a); if (r.issues) throw new Error('invalid'); return tool(r.value); }); }
async function plain(n){ for (let i = 0; i < n; i++) await rt.toolCallExecute('get_weather', args, tool); }
for (const round of [1,2,3]) for (const [name, f] of [['typed',typed],['hand',hand],['plain',plain]]) { const t=performance.now(); await f(50000); console.log(round, name, ((performance.now()-t)*1e6/50000).toFixed(0),'ns'); }
