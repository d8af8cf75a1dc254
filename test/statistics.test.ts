// The report's per-thread vectors and network counters, in the JSON and in
// the gem5-style dump, from a real nested run.
import { describe, expect, it } from 'vitest';
import { buildMachine, assembleGuest } from '../src/machine/scenario.ts';
import { runReport } from '../src/machine/stats.ts';
import { gem5Stats } from '../src/machine/stats-text.ts';
import { bundledProgramPath } from '../src/cli/load.ts';

const N = 5;

function report(name: string, mode: 'baseline' | 'sw' | 'hw') {
  const machine = buildMachine({ workload: assembleGuest(bundledProgramPath(name)!), depth: 2, mode, iterations: N });
  return runReport(machine, machine.run({ maxInstructions: 100_000_000 }));
}

describe('statistics of a nested I/O run', () => {
  const sw = report('kv', 'sw');

  it('splits each thread by level, and the levels are the sums over threads', () => {
    expect(sw.status).toBe('exited');
    for (const [level, totals] of Object.entries(sw.levels)) {
      const onThreads = sw.threads.map((t) => t.perLevel[level] ?? { instructions: 0, cycles: 0 });
      expect(onThreads.reduce((n, l) => n + l.instructions, 0), level).toBe(totals.instructions);
      expect(onThreads.reduce((n, l) => n + l.cycles, 0), level).toBe(totals.cycles);
    }
    // sw: L1 runs on thread 1 and L2 on thread 2 only.
    expect(Object.keys(sw.threads[1].perLevel)).toEqual(['L0', 'L1']);
    expect(Object.keys(sw.threads[2].perLevel)).toEqual(['L0', 'L2']);
  });

  it('counts what the client peer saw', () => {
    expect(sw.network).toMatchObject({ peer: 'kv', transactions: N, mismatches: 0, rxDrops: 0 });
    // The ready announcement and N responses reached the client.
    expect(sw.network.packets).toBe(N + 1);
  });

  it('writes the same counters in gem5 form', () => {
    const text = gem5Stats(sw);
    const value = (name: string) => Number(new RegExp(`^${name.replace(/[.:]/g, '\\$&')}\\s+(\\d+)`, 'm').exec(text)?.[1]);
    expect(value('system.thread2.L2.instructions')).toBe(sw.threads[2].perLevel.L2.instructions);
    expect(value('system.peer.transactions')).toBe(N);
    expect(value('sim.roi.cycles')).toBe(sw.roi!.cycles);
  });

  it('reports no transactions for a peer that is not a client', () => {
    const echo = report('io-rr', 'hw');
    expect(echo.network).toMatchObject({ peer: 'echo', transactions: null, mismatches: null });
    expect(echo.network.packets).toBe(N);
  });
});
