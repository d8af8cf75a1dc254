// The VMX conformance suite (guests/tests/vmx/): small bare-metal programs,
// one per area of docs/vmx.md, each checking the machine's VMX from the
// inside, in the manner of kvm-unit-tests' x86/vmx_tests.c. Every program
// prints TAP lines ("ok N - ...", "not ok N - ...") on the serial console
// and exits with status 0 only if every check passed (guests/tests/vmx/lib.inc).
//
// A failing program's console is put in the assertion message, so the
// failing check, what it got and what it expected are visible in the report.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleFile } from '../src/asm/index.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { Machine } from '../src/machine/machine.ts';

const SUITE = join(PROJECT_ROOT, 'guests/tests/vmx');
const INCLUDE_PATHS = [join(PROJECT_ROOT, 'guests/include'), SUITE];
const RAM_SIZE = 1 << 22;
/** Generous: the largest program needs about 300k instructions. */
const BUDGET = 5_000_000;

const PROGRAMS = readdirSync(SUITE)
  .filter((name) => name.endsWith('.s'))
  .sort();

interface Outcome {
  status: string;
  exitCode: number;
  reason: string;
  console: string;
}

/** Assembles and runs `path`; an emulator exception is an outcome too, not a crash of the suite. */
function run(path: string, readFile?: (p: string) => string): Outcome {
  const program = assembleFile(path, readFile ? { includePaths: INCLUDE_PATHS, readFile } : { includePaths: INCLUDE_PATHS });
  const machine = new Machine({ ramSize: RAM_SIZE });
  machine.loadProgram(program);
  try {
    const result = machine.run({ maxInstructions: BUDGET });
    return { ...result, console: machine.serial.text() };
  } catch (e) {
    return { status: 'emulator-exception', exitCode: -1, reason: String(e instanceof Error ? (e.stack ?? e) : e), console: machine.serial.text() };
  }
}

const outcomes = new Map<string, Outcome>();
function outcome(name: string): Outcome {
  let o = outcomes.get(name);
  if (!o) {
    o = run(join(SUITE, name));
    outcomes.set(name, o);
  }
  return o;
}

const lines = (text: string) => text.split('\n');
const okLines = (text: string) => lines(text).filter((l) => /^ok \d+ - /.test(l));
const notOkLines = (text: string) => lines(text).filter((l) => /^not ok \d+ - /.test(l));

function report(name: string, o: Outcome): string {
  return `${name}: ${o.status} (exit code ${o.exitCode}): ${o.reason}\n--- console ---\n${o.console}--- end ---`;
}

describe('VMX conformance programs', () => {
  it('finds the programs', () => {
    expect(PROGRAMS.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of PROGRAMS) {
    describe(name, () => {
      it('passes every check and exits 0', () => {
        const o = outcome(name);
        const msg = report(name, o);
        expect(notOkLines(o.console), msg).toEqual([]);
        expect(o.status, msg).toBe('exited');
        expect(o.exitCode, msg).toBe(0);
      });

      it('makes at least one check, numbered from 1, and prints its plan', () => {
        const o = outcome(name);
        const msg = report(name, o);
        const checks = [...okLines(o.console), ...notOkLines(o.console)];
        expect(okLines(o.console).length, msg).toBeGreaterThan(0);
        const numbers = checks.map((l) => Number(/^(?:not )?ok (\d+)/.exec(l)![1])).sort((a, b) => a - b);
        expect(numbers, msg).toEqual(numbers.map((_, i) => i + 1));
        if (o.status === 'exited') expect(o.console, msg).toContain(`\n1..${checks.length}\n`);
      });
    });
  }
});

// The framework itself: a program that checks nothing, or whose check fails, must not pass.
describe('VMX conformance framework (lib.inc)', () => {
  const virtualPath = join(SUITE, '__framework_probe.s');
  const probe = (body: string) =>
    run(virtualPath, (p) => (p === virtualPath ? `%include "lib.inc"\n_start:\n    call test_init\n${body}\n    done\n` : readFileSync(p, 'utf8')));

  it('a program that makes no check exits 1', () => {
    const o = probe('');
    expect(o).toMatchObject({ status: 'exited', exitCode: 1 });
    expect(o.console).toContain('# no checks ran');
  });

  it('a failing check prints "not ok" with what it got and exits 1', () => {
    const o = probe('    mov eax, 5\n    expect_eq eax, 6, "five is six"\n    expect_eq eax, 5, "five is five"');
    expect(o).toMatchObject({ status: 'exited', exitCode: 1 });
    expect(notOkLines(o.console)).toEqual(['not ok 1 - five is six']);
    expect(okLines(o.console)).toEqual(['ok 2 - five is five']);
    expect(o.console).toContain('#   got 0x00000005, expected 0x00000006');
  });

  it('the flag checks tell VMsucceed, VMfailInvalid and VMfailValid apart', () => {
    const o = probe(
      [
        '    call vmx_enable',
        '    vmptrst [0x110000]',
        '    check_flags_vmsucceed "vmptrst succeeds"',
        '    vmxon [vmxon_pointer]',
        '    check_vmfail_invalid "vmxon in root without a VMCS"',
        '    vmxon [vmxon_pointer]',
        '    check_flags_vmsucceed "wrongly expected success"',
        '    vmxon [vmxon_pointer]',
        '    check_vmfail_valid 15, "wrongly expected VMfailValid"',
        '    expect_exception 6, ud2, "ud2 raises #UD"',
        '    expect_exception 6, nop, "nop wrongly expected to raise #UD"',
      ].join('\n'),
    );
    expect(okLines(o.console).map((l) => l.replace(/^ok \d+ - /, ''))).toEqual(['vmptrst succeeds', 'vmxon in root without a VMCS', 'ud2 raises #UD']);
    expect(notOkLines(o.console)).toHaveLength(3);
    expect(o).toMatchObject({ status: 'exited', exitCode: 1 });
  });
});
