// Depth 2: L0 runs L1, which runs the workload. Every program gives the bare
// console output and status, and the trap table adds up with the
// instructions the images actually executed.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Program } from '../src/asm/index.ts';
import { imageCache } from '../src/machine/image-cache.ts';
import { Machine } from '../src/machine/machine.ts';
import { workloadDevices } from '../src/machine/workloads.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

const INCLUDE = { includePaths: [join(PROJECT_ROOT, 'guests/include')] };
const L0 = imageCache.assemble(join(PROJECT_ROOT, 'guests/l0/l0.s'), INCLUDE);
const L1 = imageCache.assemble(join(PROJECT_ROOT, 'guests/l1/l1.s'), INCLUDE);

const PROGRAMS = ['examples', 'workloads'].flatMap((dir) =>
  readdirSync(join(PROJECT_ROOT, 'guests', dir))
    .filter((f) => f.endsWith('.s'))
    .map((f) => join(PROJECT_ROOT, 'guests', dir, f)),
);

function run(workload: Program, depth: number, options: { shadowing?: boolean; iterations?: number } = {}) {
  const stack = [L0, L1].slice(0, depth);
  const machine = new Machine({ ramSize: depth > 0 ? 32 << 20 : 1 << 20, ...workloadDevices(workload) });
  const all = [...stack, workload];
  machine.loadProgram(all[0], all.slice(1), { depth, ...options });
  const result = machine.run({ maxInstructions: 300_000_000 });
  return { machine, result, console: machine.serial.text(), stats: machine.stats() };
}

const count = (opcodes: Record<string, number>, mnemonic: string) =>
  Object.entries(opcodes)
    .filter(([form]) => form.split(' ')[0] === mnemonic)
    .reduce((n, [, c]) => n + c, 0);

describe('every program at depth 2', () => {
  for (const path of PROGRAMS) {
    const name = path.split('/').pop()!;
    it(`${name}: the bare console and status, with and without shadowing`, () => {
      const workload = imageCache.assemble(path, INCLUDE);
      const bare = run(workload, 0);
      for (const shadowing of [false, true]) {
        const nested = run(workload, 2, { shadowing });
        expect(nested.result, `${name} shadowing ${shadowing}`).toEqual(bare.result);
        expect(nested.console).toBe(bare.console);
      }
    });
  }
});

describe('the trap table of N CPUIDs in L2', () => {
  const N = 40;
  const cpuid = imageCache.assemble(join(PROJECT_ROOT, 'guests/workloads/cpuid.s'), INCLUDE);

  for (const shadowing of [false, true]) {
    it(`adds up with what the images executed (shadowing ${shadowing ? 'on' : 'off'})`, () => {
      const { stats, result } = run(cpuid, 2, { shadowing, iterations: N });
      expect(result.status).toBe('exited');
      const row = (from: string, to: string, reason: string) =>
        stats.exits.find((r) => r.from === from && r.to === to && r.reason === reason)?.count ?? 0;
      expect(row('L2', 'L0', 'CPUID')).toBe(N);
      expect(row('L2', 'L1', 'CPUID')).toBe(N);
      const l1 = stats.levels.L1.opcodes;
      // Every VMX instruction L1 executes traps to L0, except the vmread and
      // vmwrite that shadowing lets through.
      expect(row('L1', 'L0', 'VMRESUME')).toBe(count(l1, 'vmresume'));
      expect(row('L1', 'L0', 'VMLAUNCH')).toBe(count(l1, 'vmlaunch'));
      if (shadowing) {
        expect(row('L1', 'L0', 'VMREAD')).toBeLessThan(count(l1, 'vmread'));
        expect(row('L1', 'L0', 'VMWRITE')).toBeLessThan(count(l1, 'vmwrite'));
      } else {
        expect(row('L1', 'L0', 'VMREAD')).toBe(count(l1, 'vmread'));
        expect(row('L1', 'L0', 'VMWRITE')).toBe(count(l1, 'vmwrite'));
      }
    });
  }

  it('costs fewer traps per L2 CPUID with shadowing', () => {
    const traps = (shadowing: boolean) => {
      const { stats } = run(cpuid, 2, { shadowing, iterations: N });
      return stats.exits.filter((r) => r.from === 'L1' && r.to === 'L0').reduce((n, r) => n + r.count, 0);
    };
    expect(traps(true)).toBeLessThan(traps(false));
  });
});
