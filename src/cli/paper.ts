// smtnest paper [--json] [--iterations N]: the paper's evaluation. Every
// workload of the suite runs bare, under one level, and under two levels in
// baseline, sw and hw (evaluation.ts), on worker threads; one table sets
// each workload's figure and the two modes' improvements over baseline
// beside the paper's. `npm start` runs it.

import { writeSync } from 'node:fs';
import { CONFIGURATIONS, PAPER_FIGURES, SUITE, evaluationRow, type ConfigurationKey, type EvaluationRow } from '../machine/evaluation.ts';
import { workloadSpec, type WorkloadSpec } from '../machine/workloads.ts';
import { parse, positiveInteger } from './args.ts';
import { UsageError } from './errors.ts';
import { runJobs, type RunJob, type RunOutcome } from './pool.ts';
import { formatTable } from './table.ts';

/** The progress line on stderr, only when it is a terminal. */
function progress(total: number): ((finished: number, job: RunJob) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (finished, job) => {
    const line = `smtnest paper: ${finished}/${total} runs (last: ${job.target} at depth ${job.depth}, ${job.mode})`;
    process.stderr.write(`\r${line.padEnd(78)}${finished === total ? '\r'.padEnd(80) + '\r' : ''}`);
  };
}

/** A problem with one run: not a clean exit, or console output other than the bare run's. */
function problem(spec: WorkloadSpec, key: ConfigurationKey, outcome: RunOutcome, bare: RunOutcome): string | null {
  if (outcome.status !== 'exited' || outcome.exitCode !== 0) return `${spec.name} (${key}): ${outcome.status}, exit ${outcome.exitCode}`;
  if (outcome.console !== bare.console) return `${spec.name} (${key}): console output differs from the bare run`;
  if (outcome.figure === null) return `${spec.name} (${key}): no figure (the workload marked no region of interest)`;
  return null;
}

export interface Evaluation {
  rows: EvaluationRow[];
  /** One line per run that gave no figure; its row shows null there. */
  problems: string[];
}

export interface EvaluationOptions {
  /** Workloads of the suite, by name (default: the whole suite, SUITE). */
  workloads?: readonly string[];
  /** Rounds each workload measures (default: each workload's own). */
  iterations?: number;
  /** One table per VMCS shadowing setting, in this order (default: on). */
  shadowings?: readonly boolean[];
  /** Runs at a time on worker threads (default: one per core). */
  parallel?: number;
  /** Hears of each run as it finishes. */
  onRun?: (finished: number, job: RunJob) => void;
}

/** Runs the evaluation's configurations of the workloads on worker threads,
 * one table per shadowing setting (the runs below depth 2 once, shared by
 * the tables). Rows come table by table, in the order of `shadowings`. */
export async function runEvaluation(options: EvaluationOptions = {}): Promise<Evaluation> {
  const { workloads = SUITE, iterations, shadowings = [true], parallel, onRun } = options;
  const unknown = workloads.filter((name) => !SUITE.includes(name));
  if (unknown.length) throw new UsageError(`not workloads of the evaluation: ${unknown.join(', ')} (the suite: ${SUITE.join(', ')})`);
  const specs = workloads.map((name) => workloadSpec(name)!);
  const unnested = CONFIGURATIONS.filter((c) => c.depth < 2);
  const nested = CONFIGURATIONS.filter((c) => c.depth === 2);
  const jobs: RunJob[] = specs.flatMap((spec) => [
    ...unnested.map(({ depth, mode }) => ({ target: spec.name, depth, mode, shadowing: false, iterations })),
    ...shadowings.flatMap((shadowing) => nested.map(({ depth, mode }) => ({ target: spec.name, depth, mode, shadowing, iterations }))),
  ]);
  const outcomes = await runJobs(jobs, onRun, parallel);
  const perWorkload = unnested.length + shadowings.length * nested.length;
  const problems: string[] = [];
  const rows = shadowings.flatMap((shadowing, t) =>
    specs.map((spec, s) => {
      const runs = outcomes.slice(s * perWorkload, (s + 1) * perWorkload);
      const ofTable = [...runs.slice(0, unnested.length), ...runs.slice(unnested.length + t * nested.length, unnested.length + (t + 1) * nested.length)];
      const figures = {} as Record<ConfigurationKey, number | null>;
      CONFIGURATIONS.forEach(({ key, depth }, c) => {
        const trouble = problem(spec, key, ofTable[c], ofTable[0]);
        // A run below depth 2 belongs to every table: report its trouble once.
        if (trouble && (depth === 2 || t === 0)) problems.push(depth === 2 ? `${trouble}, shadowing ${shadowing ? 'on' : 'off'}` : trouble);
        figures[key] = trouble ? null : ofTable[c].figure;
      });
      return evaluationRow(spec, figures, shadowing);
    }),
  );
  return { rows, problems };
}

function number(value: number | null, digits: number): string {
  return value === null ? '-' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function textTable(rows: readonly EvaluationRow[]): string {
  const header = ['workload', 'metric', 'unit', 'native', 'single', 'baseline', 'sw', 'hw', 'sw x', 'hw x', 'paper'];
  const body = rows.map((r) => [
    r.workload,
    r.metric,
    r.unit,
    number(r.native, 1),
    number(r.single, 1),
    number(r.baseline, 1),
    number(r.sw, 1),
    number(r.hw, 1),
    number(r.swImprovement, 2),
    number(r.hwImprovement, 2),
    PAPER_FIGURES[r.workload].claim,
  ]);
  return formatTable([header, ...body], new Set([3, 4, 5, 6, 7, 8, 9]));
}

export async function paperCommand(args: string[]): Promise<number> {
  const { values } = parse('paper', args);
  const iterations = positiveInteger('iterations', values.iterations as string | undefined);
  const shadow = values.shadow as string | undefined;
  const shadowings = shadow === undefined ? [true, false] : [shadow === 'on'];
  const runs = SUITE.length * (2 + 3 * shadowings.length);
  const { rows, problems } = await runEvaluation({ iterations, shadowings, onRun: progress(runs) });
  if (values.json) {
    writeSync(1, JSON.stringify({ iterations: iterations ?? null, rows, problems }, null, 2) + '\n');
  } else {
    const tables = shadowings.flatMap((shadowing) => [
      `VMCS shadowing ${shadowing ? 'on (KVM\'s default on every Intel CPU that has it)' : 'off'}:`,
      '',
      textTable(rows.filter((r) => r.shadowing === shadowing)),
      '',
    ]);
    const lines = [
      'smtnest paper: each workload bare (native), under L0 (single) and under L1 under L0 in three modes',
      '',
      ...tables,
      'sw x, hw x: times better than baseline (latency: baseline/mode; bandwidth, throughput: mode/baseline).',
      'paper: Vilanova, Amit, Etsion, ISCA 2019. Why the figures differ: docs/results.md.',
      ...problems.map((p) => `problem: ${p}`),
    ];
    writeSync(1, lines.join('\n') + '\n');
  }
  return problems.length === 0 ? 0 : 1;
}
