/**
 * Node, Bun and Deno: `<runtime> node-entry.mjs <endpoint> <serviceName> [exporter options JSON]`
 * prints the smoke result as JSON.
 */
import { runSmoke } from './smoke.mjs';

const [endpoint, serviceName, options] = globalThis.Deno?.args ?? process.argv.slice(2);
const result = await runSmoke({ endpoint, serviceName, exporterOptions: options ? JSON.parse(options) : {} });
console.log(JSON.stringify(result));
