// smtnest stat <report.json>: the VM exits of a run report (run --json) as
// perf kvm stat prints them (exit-table.ts).

import { writeSync } from 'node:fs';
import type { ExitRow } from '../machine/stats.ts';
import { parse } from './args.ts';
import { InputError } from './errors.ts';
import { exitTable } from './exit-table.ts';
import { readJsonFile } from './load.ts';

const NUMBERS = ['code', 'count', 'cycles', 'idleCycles', 'min', 'max', 'mean', 'stddev'] as const;

function isExitRow(value: unknown): value is ExitRow {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Record<string, unknown>;
  return ['from', 'to', 'reason'].every((key) => typeof row[key] === 'string') && NUMBERS.every((key) => Number.isFinite(row[key]));
}

export function statCommand(args: string[]): number {
  const { positionals } = parse('stat', args);
  const path = positionals[0];
  const report = readJsonFile(path);
  const exits = (report as { exits?: unknown } | null)?.exits;
  if (!Array.isArray(exits) || !exits.every(isExitRow)) {
    throw new InputError(`${path}: not a run report of smtnest run --json (no list of exit rows with the counts and times of docs/statistics.md)`);
  }
  writeSync(1, exitTable(exits) + '\n');
  return 0;
}
