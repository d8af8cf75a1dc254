// --stats FILE: the statistics in gem5's text form, one `name value #
// description` line each, with per-thread and per-level vectors, for the
// scripts architects already have for gem5's stats.txt.

import type { RunReport } from './stats.ts';

const key = (text: string): string => text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');

export function gem5Stats(report: RunReport): string {
  const lines: [string, number, string][] = [];
  const stat = (name: string, value: number, description: string) => lines.push([name, value, description]);
  stat('sim.cycles', report.cycles, 'cycles the run lasted (the furthest hardware thread clock)');
  stat('sim.instructions', report.instructions, 'instructions executed by all hardware threads');
  stat('sim.exitCode', report.exitCode, `the run ended: ${report.status}`);
  for (const t of report.threads) {
    stat(`system.thread${t.thread}.cycles`, t.cycles, `clock of hardware thread ${t.thread}`);
    stat(`system.thread${t.thread}.instructions`, t.instructions, `instructions executed by hardware thread ${t.thread}`);
    for (const [level, l] of Object.entries(t.perLevel)) {
      stat(`system.thread${t.thread}.${level}.cycles`, l.cycles, `cycles ${level} ran on hardware thread ${t.thread}`);
      stat(`system.thread${t.thread}.${level}.instructions`, l.instructions, `instructions ${level} executed on hardware thread ${t.thread}`);
    }
  }
  for (const [level, l] of Object.entries(report.levels)) {
    stat(`system.${level}.cycles`, l.cycles, `cycles spent running ${level} (all threads)`);
    stat(`system.${level}.instructions`, l.instructions, `instructions ${level} executed`);
    for (const [form, count] of Object.entries(l.opcodes)) {
      stat(`system.${level}.opcodes::${key(form)}`, count, `${form} executed by ${level}`);
    }
  }
  for (const row of report.exits) {
    const name = `system.exits.${row.from}_to_${row.to}::${row.reason}`;
    stat(`${name}.count`, row.count, `exits ${row.from} -> ${row.to} for ${row.reason} (reason ${row.code})`);
    stat(`${name}.cycles`, row.cycles, 'cycles from those traps until the trapping level ran again');
    if (row.count > 0) stat(`${name}.cyclesPerExit`, Math.round(row.cycles / row.count), 'cycles per round trip');
  }
  for (const [vector, count] of Object.entries(report.vectors)) {
    stat(`system.vectors::${key(vector)}`, count, `exceptions and interrupts delivered: ${vector}`);
  }
  if (report.roi) {
    stat('sim.roi.begin', report.roi.begin, 'cycle the workload began its measured phase (PORT_ROI)');
    stat('sim.roi.end', report.roi.end, 'cycle it ended it');
    stat('sim.roi.cycles', report.roi.cycles, 'cycles of the measured phase');
  }
  const net = report.network;
  stat('system.peer.packets', net.packets, `packets that reached the ${net.peer} peer`);
  stat('system.peer.bytes', net.bytes, 'bytes that reached the peer');
  if (net.transactions !== null) stat('system.peer.transactions', net.transactions, 'transactions the client peer completed');
  if (net.mismatches !== null) stat('system.peer.mismatches', net.mismatches, 'responses the client peer found wrong');
  stat('system.nic.rxDrops', net.rxDrops, 'packets the NIC dropped for want of a receive buffer');
  const width = Math.max(...lines.map(([name]) => name.length)) + 2;
  return [
    '---------- Begin Simulation Statistics ----------',
    ...lines.map(([name, value, description]) => `${name.padEnd(width)}${String(value).padStart(14)}  # ${description}`),
    '---------- End Simulation Statistics   ----------',
    '',
  ].join('\n');
}
