// docs/writing-guests.md: its final program runs, with the same console at
// every depth, and the mistake it warns about is reported as it says.
import { describe, expect, it } from 'vitest';
import { assembleSource, AssemblyError, formatDiagnostic } from '../src/asm/index.ts';
import { runTutorial, TUTORIAL_ROUNDS, TUTORIAL_RUNS, tutorialSource } from '../src/docs/tutorial.ts';

function expectedConsole(rounds: number): string {
  let checksum = 0;
  let dots = '';
  for (let round = rounds; round > 0; round--) {
    checksum = (Math.imul(checksum, 31) + round) | 0;
    if (round % 10 === 0) dots += '.';
  }
  return `${dots}\nchecksum ${(checksum >>> 0).toString(16).padStart(8, '0')}\n`;
}

describe('the tutorial program', () => {
  for (const { depth, shadowing } of TUTORIAL_RUNS) {
    it(`prints its checksum at depth ${depth}${shadowing ? ' with shadowing' : ''}`, () => {
      const machine = runTutorial(depth, shadowing);
      expect(machine.serial.text()).toBe(expectedConsole(TUTORIAL_ROUNDS));
      if (depth > 0) {
        const cpuid = machine.exits.list().find((r) => r.reason === 'CPUID' && r.from === `L${depth}` && r.to === 'L0');
        expect(cpuid?.count).toBe(TUTORIAL_ROUNDS);
      }
    });
  }

  it("reports x86's three-operand imul with the forms imul takes", () => {
    const broken = tutorialSource().replace('imul edi, 31', 'imul edi, edi, 31');
    let error: unknown;
    try {
      assembleSource(broken, 'ping.s', { readFile: () => '' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AssemblyError);
    const text = (error as AssemblyError).diagnostics.map(formatDiagnostic).join('\n');
    expect(text).toMatch(/^ping\.s:\d+:\d+: .*imul/m);
    expect(text).toMatch(/r,r/);
  });
});
