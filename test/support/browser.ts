/** One headless Debian chromium for a test file, driven by playwright-core (no downloaded browser). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Installs chromium when missing (or throws the exact command), then launches it. `launch()` gives
 * the browser a fresh temporary profile of its own (playwright refuses a --user-data-dir argument).
 */
export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  execFileSync('bash', [join(process.cwd(), 'test', 'support', 'ensure-chromium.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}
