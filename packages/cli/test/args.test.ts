/** CLI arguments through util.parseArgs: what each command accepts and the errors it prints. */
import { strict as assert } from 'node:assert';
import { parseArgs, UsageError } from '../src/args.js';

describe('cli: argument parsing', () => {
  it('reads --name value, --name=value, boolean flags and positionals', () => {
    const { flags, positionals } = parseArgs(['in.jsonl', '--to', 'atif', '--out=dir', '--quiet'], ['to', 'out'], ['quiet']);
    assert.deepEqual(
      [...flags],
      [
        ['to', 'atif'],
        ['out', 'dir'],
        ['quiet', true],
      ],
    );
    assert.deepEqual(positionals, ['in.jsonl']);
  });

  it('"--" ends the options: later arguments are positionals, even when they start with "-"', () => {
    assert.deepEqual(parseArgs(['--', '--odd-file-name.json', '-x'], [], ['quiet']).positionals, ['--odd-file-name.json', '-x']);
  });

  it('an unknown option (long or short) or a missing value is a UsageError naming the option', () => {
    const usage = (argv: string[], message: RegExp) =>
      assert.throws(
        () => parseArgs(argv, ['out'], ['quiet']),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      );
    usage(['--bogus', 'x'], /^unknown option --bogus$/);
    usage(['-q'], /^unknown option -q$/);
    usage(['--out'], /^option --out needs a value$/);
    usage(['--out', '--quiet'], /^option --out needs a value$/);
  });
});
