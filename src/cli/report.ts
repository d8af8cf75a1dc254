// smtnest report [workload...] --html FILE [--iterations N]: one
// self-contained HTML page of charts that show where the cycles of nested
// traps go (src/report/). The same inputs give a byte-identical file.

import { existsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { reportCharts } from '../report/charts.ts';
import { collectReport } from '../report/collect.ts';
import { reportPage } from '../report/html.ts';
import { parse, positiveInteger } from './args.ts';
import { InputError, UsageError } from './errors.ts';

/** The workloads when none are given: the cpuid microbenchmark, the two I/O benchmarks and two applications. */
export const DEFAULT_REPORT_WORKLOADS = ['cpuid', 'io-rr', 'io-stream', 'kv', 'web'];

/** The progress line on stderr, only when it is a terminal. */
function progress(): ((finished: number, total: number, what: string) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (finished, total, what) => {
    const line = `smtnest report: ${finished}/${total} runs (last: ${what})`;
    process.stderr.write(`\r${line.slice(0, 78).padEnd(78)}${finished === total ? '\r'.padEnd(80) + '\r' : ''}`);
  };
}

export async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse('report', args);
  const output = values.html as string | undefined;
  if (output === undefined || output === '') throw new UsageError('report: --html FILE is required (smtnest report --help lists the options)');
  // Before a minute of runs, not after.
  if (!existsSync(dirname(output))) throw new InputError(`${output}: cannot write: no such directory`);
  const iterations = positiveInteger('iterations', values.iterations as string | undefined);
  const workloads = positionals.length ? positionals : DEFAULT_REPORT_WORKLOADS;
  const data = await collectReport({ workloads, iterations, onRun: progress() });
  const page = reportPage(data, reportCharts(data), output);
  try {
    writeFileSync(output, page);
  } catch (error) {
    throw new InputError(`${output}: cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return 0;
}
