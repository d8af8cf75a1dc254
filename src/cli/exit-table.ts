// VM exits as KVM users read them: the table of `perf kvm stat report`
// (smtnest stat, run --exit-stats) and the few lines a nested run ends with.
// One block per handling level, as perf gives one per hypervisor: each exit
// kind's count and share of the level's exits, its share of the level's
// handling time, and the handling time of one exit (least, greatest, mean
// and standard deviation, in cycles). A blocked vCPU's idle wait (HLT's) is
// its own column, kept out of the handling time and of the shares.

import type { ExitRow } from '../machine/stats.ts';
import { formatTable } from './table.ts';

/** The handling cycles of a row: from the trap until the trapping level ran again, less the idle wait. */
const handling = (row: ExitRow) => row.cycles - row.idleCycles;

const percent = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : '-');

/** The handling levels of `exits`, outermost first. */
function handlers(exits: readonly ExitRow[]): string[] {
  return [...new Set(exits.map((row) => row.to))].sort();
}

/** The perf kvm stat table of a run's exit rows. */
export function exitTable(exits: readonly ExitRow[]): string {
  if (exits.length === 0) return 'No VM exits (the program ran bare, or never trapped).';
  const blocks = handlers(exits).map((to) => {
    const rows = ranked(exits, to);
    const count = rows.reduce((n, row) => n + row.count, 0);
    const time = rows.reduce((n, row) => n + handling(row), 0);
    const header = ['VM-EXIT', 'from', 'Samples', 'Samples%', 'Time%', 'Min', 'Max', 'Mean', 'Stddev', 'Idle'];
    const body = rows.map((row) => [
      row.reason,
      row.from,
      String(row.count),
      percent(row.count, count),
      percent(handling(row), time),
      String(row.min),
      String(row.max),
      row.mean.toFixed(2),
      row.stddev.toFixed(2),
      String(row.idleCycles),
    ]);
    const total = ['total', '', String(count), '100.00%', time > 0 ? '100.00%' : '-', '', '', '', '', String(rows.reduce((n, row) => n + row.idleCycles, 0))];
    return [
      `Analyze events of the exits handled by ${to}: ${count} exits, ${time} cycles of handling`,
      '',
      formatTable([header, ...body, total], new Set([2, 3, 4, 5, 6, 7, 8, 9])),
    ].join('\n');
  });
  const note = "Times in cycles per exit: from the trap until the trapping level ran again, less Idle (a blocked vCPU's wait).";
  return [...blocks, note].join('\n\n');
}

/** Exit rows handled by `to`, most frequent first. */
function ranked(exits: readonly ExitRow[], to: string): ExitRow[] {
  return exits.filter((row) => row.to === to).sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.code - b.code);
}

/** A nested run's last words on stderr: each handling level's exits and its most frequent kinds. */
export function exitSummary(exits: readonly ExitRow[], top = 3): string {
  return handlers(exits)
    .map((to) => {
      const rows = ranked(exits, to);
      const shown = rows.slice(0, top).map((row) => `${row.reason} from ${row.from} ${row.count}`);
      if (rows.length > top) shown.push(`${rows.length - top} more kinds`);
      return `smtnest: ${to} handled ${rows.reduce((n, row) => n + row.count, 0)} exits: ${shown.join(', ')}\n`;
    })
    .join('');
}
