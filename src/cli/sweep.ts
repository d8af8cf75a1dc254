// smtnest sweep <workload> --param NAME=A..B [--points N] [--depth D]
// [--iterations N]: the workload in every implemented mode while one
// cost-model parameter goes from A to B, the points run in parallel on
// worker threads; a CSV of total cycles per point and mode and, for a
// workload of the paper's evaluation, its own figure (latency, bandwidth or
// throughput) and improvement over baseline, so that users can see which
// costs the modes' speed-ups hinge on.

import { writeSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { COST_PARAMETERS, costValueError, defaultCosts } from '../timing/cost-model.ts';
import { IMPLEMENTED_MODES, MAX_DEPTH } from '../machine/scenario.ts';
import { improvement } from '../machine/evaluation.ts';
import { workloadSpec } from '../machine/workloads.ts';
import { oneOf, parse, positiveInteger } from './args.ts';
import { UsageError } from './errors.ts';
import { loadProgram } from './load.ts';
import { runJobs, type RunJob } from './pool.ts';

function parseRange(text: string | undefined): { name: string; from: number; to: number } {
  const match = text === undefined ? null : /^(\w+)=(\d+)\.\.(\d+)$/.exec(text.replace(/_/g, ''));
  if (!match) throw new UsageError(`--param: expected NAME=A..B, such as vmExit=500..2000; got '${text ?? ''}'`);
  const [, name, from, to] = match;
  if (!COST_PARAMETERS.some((p) => p.name === name)) {
    throw new UsageError(`--param: unknown cost parameter '${name}' (known: ${COST_PARAMETERS.map((p) => p.name).join(', ')})`);
  }
  for (const end of [from, to]) {
    const error = costValueError(name, Number(end));
    if (error) throw new UsageError(`--param: ${error}`);
  }
  return { name, from: Number(from), to: Number(to) };
}

export async function sweepCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse('sweep', args);
  const range = parseRange(values.param as string | undefined);
  const points = positiveInteger('points', values.points as string | undefined) ?? 5;
  const depths = Array.from({ length: MAX_DEPTH }, (_, i) => String(i + 1));
  const depth = Number(oneOf('depth', values.depth as string | undefined, depths, String(MAX_DEPTH)));
  const iterations = positiveInteger('iterations', values.iterations as string | undefined);
  loadProgram(positionals[0]); // a bad workload is reported here, not in a worker
  const values_ = Array.from({ length: points }, (_, i) =>
    Math.round(points === 1 ? range.from : range.from + ((range.to - range.from) * i) / (points - 1)),
  );
  const jobs: RunJob[] = values_.flatMap((value) =>
    IMPLEMENTED_MODES.map((mode) => ({
      target: positionals[0],
      depth,
      mode,
      iterations,
      costs: { ...defaultCosts(), [range.name]: value },
    })),
  );
  const results = await runJobs(jobs);
  const spec = workloadSpec(basename(positionals[0], extname(positionals[0])));
  const header = [range.name, 'mode', 'status', 'cycles', 'speedup_over_baseline'];
  if (spec) header.push(`${spec.metric} (${spec.unit})`, `${spec.metric}_improvement`);
  const lines = [header.join(',')];
  values_.forEach((value, p) => {
    const row = results.slice(p * IMPLEMENTED_MODES.length, (p + 1) * IMPLEMENTED_MODES.length);
    const baseline = row[IMPLEMENTED_MODES.indexOf('baseline')];
    row.forEach((r, m) => {
      const cells: (string | number)[] = [value, IMPLEMENTED_MODES[m], r.status, r.cycles, (baseline.cycles / r.cycles).toFixed(3)];
      if (spec) cells.push(r.figure === null ? '' : r.figure.toFixed(1), improvement(spec, baseline.figure, r.figure)?.toFixed(3) ?? '');
      lines.push(cells.join(','));
    });
  });
  writeSync(1, lines.join('\n') + '\n');
  return results.every((r) => r.status === 'exited' && r.exitCode === 0) ? 0 : 1;
}
