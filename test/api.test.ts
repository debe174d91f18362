/**
 * The public surface, guarded: the API reports under test/api/ (generated from the built
 * declarations) must match, the shipped declarations must type-check, and the runtime root stays
 * small. After a deliberate change: `npm run build && npm run api:update`, and commit the reports.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApiReports, type ApiReports } from '../scripts/api-report.js';

const root = process.cwd();

/**
 * The runtime root: what an application needs. 22 of the values are the reference package's
 * per-family register/deregister names, kept so its users find them.
 */
const ROOT_BUDGET = { values: 65, types: 50 };

describe('API reports', function () {
  this.timeout(60_000);
  let reports: ApiReports;
  before(() => {
    reports = buildApiReports(root);
  });

  it('match the checked-in test/api/*.api.md (run `npm run api:update` after a deliberate change)', () => {
    for (const [file, text] of reports.files) {
      assert.ok(existsSync(join(root, file)), `${file} is missing: run \`npm run api:update\``);
      assert.equal(
        readFileSync(join(root, file), 'utf8'),
        text,
        `${file} differs from the built declarations: run \`npm run api:update\` if the change is deliberate`,
      );
    }
  });

  it('the shipped declarations type-check (no @internal name they need was stripped)', () => {
    assert.deepEqual(reports.diagnostics, []);
  });

  it(`the @nemo-flow/runtime root exports at most ${ROOT_BUDGET.values} values and ${ROOT_BUDGET.types} types`, () => {
    const rootEntry = reports.entries.find((e) => e.specifier === '@nemo-flow/runtime')!;
    assert.ok(rootEntry.values.length <= ROOT_BUDGET.values, `${rootEntry.values.length} values: ${rootEntry.values.join(', ')}`);
    assert.ok(rootEntry.types.length <= ROOT_BUDGET.types, `${rootEntry.types.length} types: ${rootEntry.types.join(', ')}`);
    // Nothing for exporter authors, codecs, plugin machinery or the adaptive layer leaks back in.
    for (const name of ['unwrapView', 'reportFailure', 'getCodec', 'registerPlugin', 'init', 'Adaptive', 'claudeFamily', 'luhnCheck']) {
      assert.ok(!rootEntry.values.includes(name), `${name} is in the root`);
    }
  });
});
