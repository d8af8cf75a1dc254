// The command line's help and its refusals, in this process: every command's
// --help lists its every option with the default and examples, and bad
// options, values that do not apply and binary sources are each one line
// on stderr and status 1.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../src/cli/commands.ts';
import { smtnestHere as smtnest } from './in-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'smtnest-options-'));

afterEach(() => vi.restoreAllMocks());

describe('smtnest help', () => {
  it('lists every command, and gives the version', async () => {
    const r = await smtnest('help');
    expect(r.status).toBe(0);
    for (const command of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${command.name} +\\S`, 'm'));
    expect(await smtnest('--help')).toEqual(r);
    expect((await smtnest('--version')).stdout).toMatch(/^smtnest \d+\.\d+\.\d+\n$/);
    const none = await smtnest();
    expect(none.status).toBe(1);
    expect(none.stderr).toBe(r.stdout);
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help gives every option, its default and an example', async (name) => {
    const spec = COMMANDS.find((c) => c.name === name)!;
    const r = await smtnest(name, '--help');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: smtnest ${name} `));
    // Help wraps descriptions, so compare without the line breaks.
    const text = r.stdout.replace(/\s+/g, ' ');
    for (const option of spec.options) {
      expect(text).toContain(`--${option.name}${option.value ? ` <${option.value}>` : ''}`);
      if (option.default !== undefined) expect(text).toContain(`default: "${option.default}"`);
      if (option.defaultText !== undefined) expect(text).toContain(`(default: ${option.defaultText})`);
    }
    expect(r.stdout).toMatch(/\nExamples:\n  smtnest /);
    expect((await smtnest('help', name)).stdout).toBe(r.stdout);
  });
});

describe('refusals', () => {
  const refused = async (argv: string[], message: RegExp) => {
    const r = await smtnest(...argv);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  };

  it.each(COMMANDS.map((c) => c.name))('%s rejects an unknown flag', async (name) => {
    await refused([name, 'hello', '--bogus'], new RegExp(`^smtnest: ${name}: unknown option '--bogus'`));
  });

  it('suggests the option meant', async () => {
    await refused(['run', 'hello', '--itrations', '3'], /unknown option '--itrations' \(did you mean --iterations\?\)/);
  });

  it('says a negative count is not one, instead of calling it ambiguous', async () => {
    await refused(['run', 'hello', '--iterations', '-1'], /^smtnest: --iterations: expected a positive integer, got '-1'\n$/);
    await refused(['sweep', 'cpuid', '--param', 'vmExit=1..2', '--points', '-3'], /--points: expected a positive integer, got '-3'/);
  });

  it('refuses options the configuration gives no meaning, saying why', async () => {
    await refused(['run', 'hello', '--mode', 'hw'], /^smtnest: --mode: .*at depth 0 the program runs bare/);
    await refused(['run', 'hello', '--depth', '1', '--shadow', 'on'], /^smtnest: --shadow: .*only at depth 2/);
    await refused(['debug', 'hello', '--mode', 'sw'], /^smtnest: --mode: /);
    await refused(['run', 'hello', '--trace-exits'], /^smtnest: --trace-exits: .*there is no --trace/);
    await refused(['run', 'hello', '--timeline-window', '1..2'], /^smtnest: --timeline-window: .*there is no --timeline/);
    await refused(['run', 'hello', '--json', '--exit-stats'], /^smtnest: --exit-stats: /);
    await refused(['run', 'hello', '--depth', '3'], /argument '3' is invalid. Allowed choices are 0, 1, 2/);
  });

  it('refuses a binary file given as a source in one line', async () => {
    const binary = join(dir, 'binary.s');
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Array(20000).fill(0x90)]));
    await refused(['run', binary], /binary\.s: not a text file \(a NUL byte at offset 7\)/);
    const latin1 = join(dir, 'latin1.s');
    writeFileSync(latin1, Buffer.from('; caf\xe9\nhlt\n', 'latin1'));
    await refused(['asm', latin1, '-o', join(dir, 'x.img')], /latin1\.s: not a text file \(not UTF-8\)/);
    await refused(['stat', binary], /binary\.s: not JSON: [ -~]+\n$/);
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"exits": [{"from": "L1"}]}');
    await refused(['stat', other], /other\.json: not a run report of smtnest run --json/);
  });

  it('refuses surplus arguments and unknown commands', async () => {
    await refused(['run', 'hello', 'world'], /^smtnest: run: too many arguments/);
    await refused(['frobnicate'], /^smtnest: unknown command 'frobnicate'/);
    await refused(['help', 'frobnicate'], /^smtnest: help: no command 'frobnicate'/);
  });
});
