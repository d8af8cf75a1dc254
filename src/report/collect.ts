// Every number of the report, from runs of the workloads named, and of no
// other: each at depth 2 in each mode (exits per reason); the probe
// workload (cpuid when it is named, else the first named) at depths 1 and
// 2 with and without VMCS shadowing (cycles per round trip of its probe
// exit: CPUID for cpuid, else its most frequent exit from L2); the paper's
// evaluation rows of the workloads that have one (on worker threads, as
// `smtnest paper` runs them); and one probe exit traced instruction by
// instruction in each mode (the breakdown and the timeline).

import { availableParallelism } from 'node:os';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { Program } from '../asm/index.ts';
import { loadProgram } from '../cli/load.ts';
import { runEvaluation } from '../cli/paper.ts';
import { InputError } from '../cli/errors.ts';
import { DEFAULT_MAX_INSTRUCTIONS } from '../cli/run.ts';
import type { Mode } from '../machine/bootinfo.ts';
import { CONFIGURATIONS, SUITE, type EvaluationRow } from '../machine/evaluation.ts';
import { buildMachine, hypervisorsFor, IMPLEMENTED_MODES } from '../machine/scenario.ts';
import type { ExitRow } from '../cpu/vmx/exit-stats.ts';
import { EXIT, EXIT_REASON_NAMES } from '../cpu/vmx/exit-reasons.ts';
import { DEFAULT_NESTED_EXIT, profileNestedExit, type NestedExitProfile } from './nested-exit.ts';

export interface ReportOptions {
  /** Workloads by bundled name or file, as `smtnest run` takes them. */
  workloads: readonly string[];
  /** The workloads' iteration count (their own default when absent). */
  iterations?: number;
  /** Hears of each finished run. */
  onRun?: (finished: number, total: number, what: string) => void;
}

export interface ModeExits {
  mode: Mode;
  exits: ExitRow[];
}

export interface RoundTrip {
  mode: Mode;
  depth: number;
  shadowing: boolean;
  /** Cycles from a probe exit's trap until the trapping level runs again, averaged over its exit row. */
  cycles: number;
  count: number;
}

export interface ReportData {
  workloads: string[];
  iterations: number | null;
  /** Chart 1: each workload's exit rows at depth 2, per mode. */
  exits: { workload: string; modes: ModeExits[] }[];
  /** The workload and exit reason charts 2, 4 and 5 follow. */
  probe: { workload: string; reason: string };
  /** Chart 2: the probe workload's round trip of its probe exit. */
  roundTrips: RoundTrip[];
  /** Chart 3: the evaluation rows of the given workloads that the paper's evaluation has. */
  evaluation: EvaluationRow[];
  /** Charts 4 and 5: one nested exit per mode. */
  nestedExits: NestedExitProfile[];
}

const CPUID_WORKLOAD = 'cpuid';
const ROUND_TRIP_DEPTHS = [1, 2];

/** The exit reason a probe workload's charts follow: CPUID for cpuid, else
 * its most frequent exit from L2 to L0 in baseline (the lower code on a tie). */
export function probeReason(target: string, baselineExits: readonly ExitRow[]): number {
  if (target === CPUID_WORKLOAD) return EXIT.CPUID;
  const rows = baselineExits.filter((r) => r.from === 'L2' && r.to === 'L0').sort((a, b) => b.count - a.count || a.code - b.code);
  if (rows.length === 0) throw new InputError(`${target} makes no exit from L2 at depth 2, so it has no round trip to chart`);
  return rows[0].code;
}

interface LocalRun {
  target: string;
  depth: number;
  mode: Mode;
  shadowing: boolean;
}

function runLocally(run: LocalRun, workload: Program, hypervisors: readonly Program[], iterations: number | undefined): ExitRow[] {
  const machine = buildMachine({ workload, depth: run.depth, mode: run.mode, shadowing: run.shadowing, iterations }, hypervisors);
  const result = machine.run({ maxInstructions: DEFAULT_MAX_INSTRUCTIONS });
  if (result.status !== 'exited' || result.exitCode !== 0) {
    throw new InputError(`${run.target} at depth ${run.depth} in ${run.mode}${run.shadowing ? ' with shadowing' : ''}: ${result.reason}`);
  }
  return machine.stats().exits;
}

const key = (r: LocalRun) => `${r.target}@${r.depth}:${r.mode}:${r.shadowing}`;

/** Runs everything the report shows. Throws InputError for a workload that
 * cannot be loaded or a run that does not end cleanly, AssemblyError for a
 * source that does not assemble. */
export async function collectReport(options: ReportOptions): Promise<ReportData> {
  const { iterations } = options;
  const workloads = [...new Set(options.workloads)];
  const programs = new Map(workloads.map((target) => [target, loadProgram(target)] as const));
  const hypervisors = new Map(ROUND_TRIP_DEPTHS.map((depth) => [depth, hypervisorsFor(depth)] as const));
  const probe = workloads.includes(CPUID_WORKLOAD) ? CPUID_WORKLOAD : workloads[0];

  const nested: LocalRun[] = workloads.flatMap((target) => IMPLEMENTED_MODES.map((mode) => ({ target, depth: 2, mode, shadowing: false })));
  const probeRuns: LocalRun[] = ROUND_TRIP_DEPTHS.flatMap((depth) =>
    IMPLEMENTED_MODES.flatMap((mode) => [false, true].map((shadowing) => ({ target: probe, depth, mode, shadowing }))),
  );
  const local = [...new Map([...nested, ...probeRuns].map((r) => [key(r), r])).values()];
  const evaluated = workloads.filter((w) => SUITE.includes(w));
  const total = local.length + IMPLEMENTED_MODES.length + evaluated.length * CONFIGURATIONS.length;
  let finished = 0;
  const done = (what: string) => options.onRun?.(++finished, total, what);

  // The evaluation runs on worker threads while this thread runs the rest,
  // leaving one core to this thread where there are several.
  const pool = runEvaluation({
    workloads: evaluated,
    iterations,
    onRun: (_, job) => done(`${job.target} at depth ${job.depth}, ${job.mode}`),
    parallel: Math.max(1, availableParallelism() - 1),
  });
  // Awaited below; a failure here first must not surface as unhandled meanwhile.
  pool.catch(() => undefined);
  const exitRows = new Map<string, ExitRow[]>();
  for (const run of local) {
    exitRows.set(key(run), runLocally(run, programs.get(run.target)!, hypervisors.get(run.depth)!, iterations));
    done(`${run.target} at depth ${run.depth}, ${run.mode}${run.shadowing ? ' with shadowing' : ''}`);
    await yieldToEvents();
  }
  const reason = probeReason(probe, exitRows.get(key({ target: probe, depth: 2, mode: 'baseline', shadowing: false }))!);
  const query =
    probe === CPUID_WORKLOAD
      ? { ...DEFAULT_NESTED_EXIT, workload: programs.get(probe)! }
      : { workload: programs.get(probe)!, name: probe, reason, nth: 1, iterations };
  const nestedExits: NestedExitProfile[] = [];
  for (const mode of IMPLEMENTED_MODES) {
    try {
      nestedExits.push(profileNestedExit(mode, false, query));
    } catch (error) {
      throw new InputError((error as Error).message);
    }
    done(`one nested ${EXIT_REASON_NAMES[reason]}, ${mode}`);
    await yieldToEvents();
  }
  const { rows: evaluation, problems } = await pool;
  if (problems.length) throw new InputError(problems[0]);

  const roundTrips = probeRuns.map((run): RoundTrip => {
    const row = exitRows.get(key(run))!.find((r) => r.code === reason && r.from === `L${run.depth}` && r.to === 'L0');
    if (!row || row.count === 0) throw new InputError(`${probe} at depth ${run.depth} in ${run.mode}: no ${EXIT_REASON_NAMES[reason]} exit`);
    return { mode: run.mode, depth: run.depth, shadowing: run.shadowing, cycles: row.cycles / row.count, count: row.count };
  });

  return {
    workloads,
    iterations: iterations ?? null,
    exits: workloads.map((workload) => ({
      workload,
      modes: IMPLEMENTED_MODES.map((mode) => ({ mode, exits: exitRows.get(key({ target: workload, depth: 2, mode, shadowing: false }))! })),
    })),
    probe: { workload: probe, reason: EXIT_REASON_NAMES[reason] },
    roundTrips,
    evaluation,
    nestedExits,
  };
}
