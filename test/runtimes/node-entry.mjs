/** Node, Bun and Deno: `<runtime> node-entry.mjs <endpoint> <serviceName>` prints the smoke result as JSON. */
import { runSmoke } from './smoke.mjs';

const [endpoint, serviceName] = (globalThis.Deno?.args ?? process.argv.slice(2));
const result = await runSmoke({ endpoint, serviceName });
console.log(JSON.stringify(result));
