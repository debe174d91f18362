/**
 * Runs a bundled Worker in workerd (through miniflare) with `nodejs_compat`, sends it one POST and
 * prints the answer: `node miniflare-driver.mjs <miniflare dir> <bundle.mjs> <request JSON>`.
 * Run by Node 22+ (miniflare's floor), started by test/runtimes.test.ts.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [miniflareDir, bundle, body] = process.argv.slice(2);
const { Miniflare } = await import(pathToFileURL(join(miniflareDir, 'dist', 'src', 'index.js')).href);
const mf = new Miniflare({
  // The bundle is given as its one module: miniflare's own module discovery refuses the runtime's
  // plugin loader (`import(specifier)`), which wrangler leaves alone.
  modules: [{ type: 'ESModule', path: basename(bundle), contents: readFileSync(bundle, 'utf8') }],
  compatibilityDate: '2026-07-01',
  compatibilityFlags: ['nodejs_compat'],
});
try {
  const res = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body });
  const text = await res.text();
  if (!res.ok) throw new Error(`the Worker answered ${res.status}: ${text}`);
  process.stdout.write(`${text}\n`);
} finally {
  await mf.dispose();
}
