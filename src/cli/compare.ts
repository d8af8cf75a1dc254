// smtnest compare <workload> [--depth N] [--json|--csv]: the workload in
// every mode the hypervisor images implement, with and without VMCS
// shadowing, as one table: exits per reason, cycles per exit round trip,
// total cycles and the speed-up over baseline.

import { writeSync } from 'node:fs';
import type { Mode } from '../machine/bootinfo.ts';
import { IMPLEMENTED_MODES, MAX_DEPTH } from '../machine/scenario.ts';
import type { ExitRow } from '../cpu/vmx/exit-stats.ts';
import { oneOf, parse, positiveInteger } from './args.ts';
import { UsageError } from './errors.ts';
import { loadCosts, loadProgram } from './load.ts';
import { runJobs } from './pool.ts';
import { formatTable } from './table.ts';

interface Configuration {
  mode: Mode;
  shadowing: boolean;
  status: string;
  exitCode: number;
  cycles: number;
  instructions: number;
  /** Baseline's cycles with the same shadowing over this configuration's. */
  speedup: number;
  exits: ExitRow[];
}

export interface Comparison {
  workload: string;
  depth: number;
  /** Modes the hypervisor images do not implement yet, so not in the table. */
  missingModes: Mode[];
  configurations: Configuration[];
  /** One row per exit kind: its count and cycles per round trip in each configuration, in order. */
  rows: { from: string; to: string; reason: string; code: number; count: number[]; cyclesPerExit: (number | null)[] }[];
}

async function compare(target: string, depth: number, iterations: number | undefined, costPath: string | undefined): Promise<Comparison> {
  loadProgram(target); // a bad workload is reported here, not in a worker
  const costs = loadCosts(costPath);
  const runs = IMPLEMENTED_MODES.flatMap((mode) => [false, true].map((shadowing) => ({ mode, shadowing })));
  const outcomes = await runJobs(runs.map(({ mode, shadowing }) => ({ target, depth, mode, shadowing, iterations, costs })));
  const configurations: Configuration[] = runs.map(({ mode, shadowing }, i) => ({
    mode,
    shadowing,
    status: outcomes[i].status,
    exitCode: outcomes[i].exitCode,
    cycles: outcomes[i].cycles,
    instructions: outcomes[i].instructions,
    speedup: 1,
    exits: outcomes[i].exits,
  }));
  for (const c of configurations) {
    const base = configurations.find((b) => b.mode === 'baseline' && b.shadowing === c.shadowing)!;
    c.speedup = Math.round((base.cycles / c.cycles) * 100) / 100;
  }
  const keys = new Map<string, { from: string; to: string; reason: string; code: number }>();
  for (const c of configurations) for (const r of c.exits) keys.set(`${r.from}>${r.to}:${r.code}`, r);
  const rows = [...keys.values()]
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.code - b.code)
    .map(({ from, to, reason, code }) => {
      const found = configurations.map((c) => c.exits.find((r) => r.from === from && r.to === to && r.code === code));
      return {
        from,
        to,
        reason,
        code,
        count: found.map((r) => r?.count ?? 0),
        cyclesPerExit: found.map((r) => (r && r.count > 0 ? Math.round(r.cycles / r.count) : null)),
      };
    });
  const missingModes = (['baseline', 'sw', 'hw'] as Mode[]).filter((m) => !IMPLEMENTED_MODES.includes(m));
  return { workload: target, depth, missingModes, configurations, rows };
}

const label = (c: Configuration) => `${c.mode}${c.shadowing ? '+shadow' : ''}`;

function text(result: Comparison): string {
  const cols = result.configurations;
  const header = ['from', 'to', 'reason', ...cols.flatMap((c) => [`${label(c)} n`, 'cyc/exit'])];
  const body = result.rows.map((r) => [
    r.from,
    r.to,
    r.reason,
    ...r.count.flatMap((n, i) => [String(n), r.cyclesPerExit[i] === null ? '-' : String(r.cyclesPerExit[i])]),
  ]);
  const summary = [
    ['', '', 'total cycles', ...cols.flatMap((c) => [String(c.cycles), ''])],
    ['', '', 'speed-up', ...cols.flatMap((c) => [`${c.speedup.toFixed(2)}x`, ''])],
    ['', '', 'status', ...cols.flatMap((c) => [c.status === 'exited' ? `exit ${c.exitCode}` : c.status, ''])],
  ];
  const rows = [header, ...body, ...summary];
  const lines = formatTable(rows, new Set(header.map((_, i) => i).filter((i) => i >= 3))).split('\n');
  lines.splice(2 + body.length, 0, '');
  const notes = [
    `${result.workload} at depth ${result.depth}: VM exits per reason (n) and cycles from each trap until the trapping level ran again (cyc/exit).`,
    'speed-up: baseline cycles with the same shadowing over this configuration\'s.',
  ];
  if (result.missingModes.length) notes.push(`Not in the table: ${result.missingModes.join(', ')} (the hypervisor images do not implement it yet).`);
  return [...notes, '', ...lines].join('\n');
}

function csv(result: Comparison): string {
  const lines = ['from,to,reason,code,mode,shadowing,count,cycles_per_exit'];
  for (const r of result.rows) {
    result.configurations.forEach((c, i) => {
      lines.push([r.from, r.to, r.reason, r.code, c.mode, c.shadowing, r.count[i], r.cyclesPerExit[i] ?? ''].join(','));
    });
  }
  for (const c of result.configurations) {
    lines.push(['', '', 'TOTAL_CYCLES', '', c.mode, c.shadowing, '', c.cycles].join(','));
    lines.push(['', '', 'SPEEDUP', '', c.mode, c.shadowing, '', c.speedup].join(','));
  }
  return lines.join('\n');
}

/** The comparison as compare prints it. */
export function formatComparison(result: Comparison, format: 'text' | 'json' | 'csv'): string {
  return format === 'json' ? JSON.stringify(result, null, 2) : format === 'csv' ? csv(result) : text(result);
}

export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse('compare', args);
  if (values.json && values.csv) throw new UsageError('compare: --json and --csv exclude each other');
  const depths = Array.from({ length: MAX_DEPTH }, (_, i) => String(i + 1));
  const depth = Number(oneOf('depth', values.depth as string | undefined, depths, String(MAX_DEPTH)));
  const iterations = positiveInteger('iterations', values.iterations as string | undefined);
  const result = await compare(positionals[0], depth, iterations, values.cost as string | undefined);
  writeSync(1, formatComparison(result, values.json ? 'json' : values.csv ? 'csv' : 'text') + '\n');
  return result.configurations.every((c) => c.status === 'exited' && c.exitCode === result.configurations[0].exitCode) ? 0 : 1;
}
