// The report's per-thread vectors and network counters, in the JSON and in
// the gem5-style dump, from a real nested run.
import { describe, expect, it } from 'vitest';
import { buildMachine, assembleGuest } from '../src/machine/scenario.ts';
import { runReport } from '../src/machine/run-report.ts';
import { gem5Stats } from '../src/machine/stats-text.ts';
import { bundledProgramPath } from '../src/cli/load.ts';
import { assembleSource } from '../src/asm/index.ts';
import { INCLUDE_DIR } from '../src/machine/scenario.ts';
import { Machine } from '../src/machine/machine.ts';

const N = 5;

function run(name: string, mode: 'baseline' | 'sw' | 'hw') {
  const machine = buildMachine({ workload: assembleGuest(bundledProgramPath(name)!), depth: 2, mode, iterations: N });
  return { machine, result: machine.run({ maxInstructions: 100_000_000 }) };
}

function report(name: string, mode: 'baseline' | 'sw' | 'hw') {
  const { machine, result } = run(name, mode);
  return runReport(machine, result);
}

const kv = run('kv', 'sw');
const sw = runReport(kv.machine, kv.result);

describe('statistics of a nested I/O run', () => {

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

describe('the counters of the region of interest (--roi)', () => {
  it('counts exactly what ran between the marks', () => {
    // Ten nops inside the region; the end mark's two instructions close it.
    const program = assembleSource(
      `%include "ports.inc"
_start:
    mov eax, ROI_BEGIN
    out PORT_ROI, eax
    times 10 nop
    mov eax, ROI_END
    out PORT_ROI, eax
    times 5 nop
    xor eax, eax
    out PORT_DEBUG_EXIT, eax
`,
      'roi.s',
      { includePaths: [INCLUDE_DIR] },
    );
    const machine = new Machine();
    machine.loadProgram(program);
    const report = runReport(machine, machine.run(), 'roi');
    expect(report.scope).toBe('roi');
    expect(report.instructions).toBe(12);
    expect(report.levels.L0.opcodes).toEqual({ nop: 10, 'mov r,i': 1, 'out port,r': 1 });
    expect(report.cycles).toBe(report.roi!.cycles);
    expect(report.threads[0]).toMatchObject({ instructions: 12, cycles: report.roi!.cycles });
    // The whole run: both marks, the tail and the exit.
    expect(runReport(machine, machine.outcome!).instructions).toBe(21);
    expect(machine.regions.dumps).toHaveLength(1);
  });

  it('adds up inside the region of a nested run, per level, thread and exit', () => {
    const whole = sw;
    const roi = runReport(kv.machine, kv.result, 'roi');
    expect(roi.cycles).toBe(whole.roi!.cycles);
    expect(roi.instructions).toBe(roi.threads.reduce((n, t) => n + t.instructions, 0));
    expect(roi.instructions).toBe(Object.values(roi.levels).reduce((n, l) => n + l.instructions, 0));
    for (const [level, totals] of Object.entries(roi.levels)) {
      const onThreads = roi.threads.map((t) => t.perLevel[level] ?? { instructions: 0, cycles: 0 });
      expect(onThreads.reduce((n, l) => n + l.instructions, 0), level).toBe(totals.instructions);
      expect(onThreads.reduce((n, l) => n + l.cycles, 0), level).toBe(totals.cycles);
      expect(Object.values(totals.opcodes).reduce((n, c) => n + c, 0), level).toBe(totals.instructions);
      expect(totals.instructions, level).toBeLessThan(whole.levels[level].instructions);
    }
    for (const t of roi.threads) {
      expect(Object.values(t.perLevel).reduce((n, l) => n + l.instructions, 0)).toBe(t.instructions);
      expect(Object.values(t.perLevel).reduce((n, l) => n + l.cycles, 0)).toBe(t.cycles);
    }
    // Every exit of the region is one of the run's; the N transactions'
    // I/O exits of L2 all happen inside it.
    expect(roi.exits.length).toBeGreaterThan(0);
    for (const row of roi.exits) {
      const all = whole.exits.find((r) => r.from === row.from && r.to === row.to && r.code === row.code)!;
      expect(row.count, row.reason).toBeLessThanOrEqual(all.count);
      expect(row.cycles, row.reason).toBeLessThanOrEqual(all.cycles);
    }
    const l2io = roi.exits.find((r) => r.from === 'L2' && r.to === 'L0' && r.reason === 'IO_INSTRUCTION')!;
    expect(l2io.count).toBeGreaterThanOrEqual(N);
    // gem5: the region's dump, then the final one.
    const text = gem5Stats(roi, { dumps: kv.machine.regions.dumps, costs: kv.machine.costs });
    expect(text.match(/Begin Simulation Statistics/g)).toHaveLength(2);
    expect(text.split('\n')[0]).toBe('# smtnest statistics: mode sw, depth 2, VMCS shadowing off');
  });
});

