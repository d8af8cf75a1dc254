// --stats FILE: the statistics in gem5's text form, for the scripts
// architects already have for gem5's stats.txt. The run's configuration
// comes first, as comment lines; then one dump per region of interest the
// workload closed (each ROI_END dumps, as `m5 dumpstats` does, the region's
// counters since its ROI_BEGIN, as after `m5 resetstats`), then the dump of
// the whole run (of its region of interest alone with --roi), as gem5 dumps
// at exit. Each dump is gem5's `name value # description (Unit)` lines
// between its begin and end markers, with per-thread and per-level vectors
// and their `::total`.
//
// host_seconds and host_inst_rate are the host's time: the only values of
// smtnest's output that depend on the host, and so only here, never in
// --json; without a host time (the library's default) they are left out.

import type { CostModel } from '../timing/cost-model.ts';
import type { RegionDump } from './regions.ts';
import type { RunReport } from './run-report.ts';
import type { MachineStats } from './stats.ts';
import { CYCLES_PER_MICROSECOND } from './timeline.ts';

/** Ticks are cycles, at the model's clock. */
export const SIM_FREQ = CYCLES_PER_MICROSECOND * 1_000_000;

const key = (text: string): string => text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');

export interface Gem5Options {
  /** The cost model of the run, for the configuration lines. */
  costs?: CostModel;
  /** The region dumps (machine.regions.dumps) and how many were not kept. */
  dumps?: readonly RegionDump[];
  droppedDumps?: number;
  /** Host seconds of the whole run, if the caller measured them. */
  hostSeconds?: number;
}

type Line = [name: string, value: number, description: string, unit: string];

/** One dump's lines: the counters of `stats`, over `roi` if given. */
function dump(stats: MachineStats, hostSeconds: number | null, region: { begin: number; end: number } | null, report: RunReport): Line[] {
  const lines: Line[] = [];
  const stat = (name: string, value: number, description: string, unit: string) => lines.push([name, value, description, unit]);
  stat('sim_seconds', stats.cycles / SIM_FREQ, 'simulated seconds: the cycles at sim_freq', 'Second');
  stat('sim_ticks', stats.cycles, 'simulated ticks (one a cycle)', 'Tick');
  stat('sim_freq', SIM_FREQ, 'simulated ticks per second: the model\'s clock', 'Hertz');
  stat('sim_insts', stats.instructions, 'instructions executed by all hardware threads', 'Count');
  if (hostSeconds !== null) {
    stat('host_seconds', Math.round(hostSeconds * 1000) / 1000, 'host time it took (the host\'s, not the model\'s)', 'Second');
    if (hostSeconds > 0) stat('host_inst_rate', Math.round(stats.instructions / hostSeconds), 'instructions simulated per host second', 'Count/Second');
  }
  stat('sim.cycles', stats.cycles, region ? 'cycles of the region' : 'cycles the run lasted (the furthest hardware thread clock)', 'Cycle');
  stat('sim.instructions', stats.instructions, 'instructions executed by all hardware threads', 'Count');
  if (!region) stat('sim.exitCode', report.exitCode, `the run ended: ${report.status}`, 'Count');
  const roi = region ?? report.roi;
  if (roi) {
    stat('sim.roi.begin', roi.begin, 'cycle the measured phase began (PORT_ROI)', 'Cycle');
    stat('sim.roi.end', roi.end, 'cycle it ended', 'Cycle');
    stat('sim.roi.cycles', roi.end - roi.begin, 'cycles of the measured phase', 'Cycle');
  }
  for (const t of stats.threads) {
    stat(`system.thread${t.thread}.cycles`, t.cycles, `clock of hardware thread ${t.thread}`, 'Cycle');
    stat(`system.thread${t.thread}.instructions`, t.instructions, `instructions executed by hardware thread ${t.thread}`, 'Count');
    for (const [level, l] of Object.entries(t.perLevel)) {
      stat(`system.thread${t.thread}.${level}.cycles`, l.cycles, `cycles ${level} ran on hardware thread ${t.thread}`, 'Cycle');
      stat(`system.thread${t.thread}.${level}.instructions`, l.instructions, `instructions ${level} executed on hardware thread ${t.thread}`, 'Count');
    }
  }
  for (const [level, l] of Object.entries(stats.levels)) {
    stat(`system.${level}.cycles`, l.cycles, `cycles spent running ${level} (all threads)`, 'Cycle');
    stat(`system.${level}.instructions`, l.instructions, `instructions ${level} executed`, 'Count');
    for (const [form, count] of Object.entries(l.opcodes)) {
      stat(`system.${level}.opcodes::${key(form)}`, count, `${form} executed by ${level}`, 'Count');
    }
    stat(`system.${level}.opcodes::total`, l.instructions, `instructions ${level} executed, all forms`, 'Count');
  }
  const pairs = [...new Set(stats.exits.map((row) => `${row.from}_to_${row.to}`))];
  for (const pair of pairs) {
    const rows = stats.exits.filter((row) => `${row.from}_to_${row.to}` === pair);
    const [from, to] = pair.split('_to_');
    const name = `system.exits.${pair}`;
    for (const row of rows) stat(`${name}.count::${row.reason}`, row.count, `exits ${from} -> ${to} for ${row.reason} (reason ${row.code})`, 'Count');
    const count = rows.reduce((n, row) => n + row.count, 0);
    const cycles = rows.reduce((n, row) => n + row.cycles, 0);
    stat(`${name}.count::total`, count, `exits ${from} -> ${to}, all reasons`, 'Count');
    for (const row of rows) stat(`${name}.cycles::${row.reason}`, row.cycles, 'cycles from those traps until the trapping level ran again', 'Cycle');
    stat(`${name}.cycles::total`, cycles, `cycles of the exits ${from} -> ${to}, all reasons`, 'Cycle');
    for (const row of rows) {
      if (row.count > 0) stat(`${name}.cyclesPerExit::${row.reason}`, Math.round(row.cycles / row.count), 'cycles per round trip', 'Cycle/Count');
    }
  }
  const vectors = Object.entries(stats.vectors);
  for (const [vector, count] of vectors) {
    stat(`system.vectors::${key(vector)}`, count, `exceptions and interrupts delivered: ${vector}`, 'Count');
  }
  if (vectors.length) stat('system.vectors::total', vectors.reduce((n, [, c]) => n + c, 0), 'exceptions and interrupts delivered, all vectors', 'Count');
  if (!region) {
    const net = report.network;
    stat('system.peer.packets', net.packets, `packets that reached the ${net.peer} peer`, 'Count');
    stat('system.peer.bytes', net.bytes, 'bytes that reached the peer', 'Byte');
    if (net.transactions !== null) stat('system.peer.transactions', net.transactions, 'transactions the client peer completed', 'Count');
    if (net.mismatches !== null) stat('system.peer.mismatches', net.mismatches, 'responses the client peer found wrong', 'Count');
    stat('system.nic.rxDrops', net.rxDrops, 'packets the NIC dropped for want of a receive buffer', 'Count');
  }
  return lines;
}

function block(lines: Line[]): string[] {
  const width = Math.max(...lines.map(([name]) => name.length)) + 2;
  return [
    '---------- Begin Simulation Statistics ----------',
    ...lines.map(([name, value, description, unit]) => `${name.padEnd(width)}${String(value).padStart(14)}  # ${description} (${unit})`),
    '---------- End Simulation Statistics   ----------',
    '',
  ];
}

export function gem5Stats(report: RunReport, options: Gem5Options = {}): string {
  const dumps = options.dumps ?? [];
  const config = [
    `# smtnest statistics: mode ${report.mode}, depth ${report.depth}, VMCS shadowing ${report.shadowing ? 'on' : 'off'}`,
    `# counters: ${report.scope === 'roi' ? 'the region of interest only (--roi)' : 'the whole run'}; ${dumps.length} region dump${dumps.length === 1 ? '' : 's'} before the final one${options.droppedDumps ? ` (${options.droppedDumps} more regions not kept)` : ''}`,
  ];
  if (options.costs) config.push(`# costs (cycles): ${Object.entries(options.costs).map(([name, cycles]) => `${name}=${cycles}`).join(' ')}`);
  return [
    ...config,
    '',
    ...dumps.flatMap((d) => block(dump(d.stats, d.hostSeconds, d, report))),
    ...block(dump(report, options.hostSeconds ?? null, null, report)),
  ].join('\n');
}
