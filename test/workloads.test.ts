// The workloads compute what their headers say: their results, worked out
// here in JavaScript, are what they print.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { assembleGuest, buildMachine } from '../src/machine/scenario.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

function consoleOf(workload: string, iterations?: number): string {
  const machine = buildMachine({ workload: assembleGuest(join(PROJECT_ROOT, 'guests/workloads', workload)), depth: 0, iterations });
  const result = machine.run({ maxInstructions: 50_000_000 });
  expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
  return machine.serial.text();
}

/** compute.s in JavaScript: N rounds of a = a * b + 1 over 16x16 dwords, then the checksum. */
function computeChecksum(rounds: number): number {
  const n = 16;
  let a = Array.from({ length: n * n }, (_, x) => Math.floor(x / n) + (x % n) + 1);
  const b = Array.from({ length: n * n }, (_, x) => Math.floor(x / n) * (x % n) + 3);
  let c: number[] = [];
  for (let round = 0; round < rounds; round++) {
    c = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 1;
        for (let k = 0; k < n; k++) sum = (sum + Math.imul(a[i * n + k], b[k * n + j])) | 0;
        c.push(sum);
      }
    }
    a = c;
  }
  let checksum = 0;
  c.forEach((v, index) => {
    checksum = (checksum + Math.imul(v, index + 1)) | 0;
  });
  return checksum >>> 0;
}

describe('the workloads', () => {
  it('compute prints the checksum of its matrix products', () => {
    for (const rounds of [1, 20]) {
      const expected = computeChecksum(rounds).toString(16).padStart(8, '0');
      expect(consoleOf('compute.s', rounds === 20 ? undefined : rounds)).toBe(`compute checksum: ${expected}\n`);
    }
  });

  it('cpuid and vmcall print their iteration counts', () => {
    expect(consoleOf('cpuid.s', 7)).toBe('cpuid iterations: 7\n');
    expect(consoleOf('vmcall.s', 9)).toBe('vmcall iterations: 9\n');
  });
});
