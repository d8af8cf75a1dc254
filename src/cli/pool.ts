// Independent runs on a pool of persistent worker threads, one per core,
// kept for the life of the process: paper, compare, sweep, demo and report
// hand their runs to the same workers, which load the modules and assemble
// the guest images once and are warm from the second run on. Each run builds
// its own machine, so nothing a run leaves behind reaches the next, and the
// results do not depend on which worker ran what, or when.

import { availableParallelism } from 'node:os';
import { basename, extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Mode } from '../machine/bootinfo.ts';
import { buildMachine } from '../machine/scenario.ts';
import type { ExitRow } from '../machine/stats.ts';
import { workloadSpec } from '../machine/workloads.ts';
import type { CostModel } from '../timing/cost-model.ts';
import { DEFAULT_MAX_INSTRUCTIONS } from './commands.ts';
import { loadProgram } from './load.ts';

/** One run, as a worker receives it. */
export interface RunJob {
  /** A file, an image or a bundled program's name (load.ts). */
  target: string;
  depth: number;
  mode: Mode;
  shadowing?: boolean;
  iterations?: number;
  costs?: CostModel;
}

/** What a worker sends back. `figure` is the bundled workload's own
 * measure (workloads.ts), or null for a program that has none. */
export interface RunOutcome {
  status: string;
  exitCode: number;
  cycles: number;
  instructions: number;
  console: string;
  figure: number | null;
  exits: ExitRow[];
}

/** Runs one job on this thread, as a worker does. */
export function runJob(job: RunJob): RunOutcome {
  const machine = buildMachine({
    workload: loadProgram(job.target),
    depth: job.depth,
    mode: job.mode,
    shadowing: job.shadowing,
    iterations: job.iterations,
    costs: job.costs,
  });
  const result = machine.run({ maxInstructions: DEFAULT_MAX_INSTRUCTIONS });
  const stats = machine.stats();
  const spec = workloadSpec(basename(job.target, extname(job.target)));
  const outcome: RunOutcome = {
    status: result.status,
    exitCode: result.exitCode,
    cycles: stats.cycles,
    instructions: stats.instructions,
    console: machine.serial.text(),
    figure: spec && result.status === 'exited' && result.exitCode === 0 ? spec.measure(machine) : null,
    exits: stats.exits,
  };
  // A worker runs machine after machine: the next one reuses this one's EPT caches.
  machine.release();
  return outcome;
}

/** A worker's answer to one job. */
export type WorkerAnswer = { outcome: RunOutcome } | { error: string };

/** The worker's script: started from the build, the run-worker.js beside
 * this module (from dist/cli/pool.js, dist/cli/run-worker.js; from the
 * command's bundle dist/smtnest.js, the worker's bundle dist/run-worker.js);
 * started from the TypeScript sources, bin/run-worker.js, which gives the
 * worker the loader it has no other way to get. */
const WORKER_SCRIPT = import.meta.url.endsWith('.ts')
  ? new URL('../../bin/run-worker.js', import.meta.url)
  : new URL('./run-worker.js', import.meta.url);

interface Lane {
  worker: Worker;
  /** The job it runs, if any, and where its answer goes. */
  pending?: { resolve: (outcome: RunOutcome) => void; reject: (error: Error) => void };
}

class RunPool {
  private readonly lanes: Lane[] = [];
  private readonly idle: Lane[] = [];
  private readonly waiting: ((lane: Lane) => void)[] = [];

  constructor(readonly size: number) {}

  /** The thread ids of the pool's workers, in the order they were started. */
  threadIds(): number[] {
    return this.lanes.map((lane) => lane.worker.threadId);
  }

  /** Runs `job` on the next free worker. */
  async run(job: RunJob): Promise<RunOutcome> {
    const lane = await this.acquire();
    try {
      return await new Promise<RunOutcome>((resolve, reject) => {
        lane.pending = { resolve, reject };
        // A worker with a job keeps the process alive; an idle one does not.
        lane.worker.ref();
        lane.worker.postMessage(job);
      });
    } finally {
      lane.pending = undefined;
      if (this.lanes.includes(lane)) this.release(lane);
    }
  }

  private acquire(): Promise<Lane> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.lanes.length < this.size) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(lane: Lane): void {
    lane.worker.unref();
    const next = this.waiting.shift();
    if (next) next(lane);
    else this.idle.push(lane);
  }

  private spawn(): Lane {
    const lane: Lane = { worker: new Worker(WORKER_SCRIPT) };
    this.lanes.push(lane);
    lane.worker.on('message', (answer: WorkerAnswer) => {
      if ('outcome' in answer) lane.pending?.resolve(answer.outcome);
      else lane.pending?.reject(new Error(answer.error));
    });
    // A worker that fails outside a job, or ends, leaves the pool; its job fails.
    const lost = (error: Error) => {
      this.lanes.splice(this.lanes.indexOf(lane), 1);
      const at = this.idle.indexOf(lane);
      if (at >= 0) this.idle.splice(at, 1);
      lane.pending?.reject(error);
    };
    lane.worker.on('error', lost);
    lane.worker.on('exit', (code) => {
      if (this.lanes.includes(lane)) lost(new Error(`a run's worker thread ended (exit code ${code})`));
    });
    return lane;
  }
}

let shared: RunPool | undefined;

/** The process's pool, one worker per core, started on first use. */
function pool(): RunPool {
  shared ??= new RunPool(availableParallelism());
  return shared;
}

/** The thread ids of the workers the process's pool has started, oldest first. */
export function poolThreadIds(): number[] {
  return shared?.threadIds() ?? [];
}

/** The order in which `jobs` are started: the deepest first, in the order
 * given among those of one depth. A nested run executes several times the
 * guest instructions of the same workload below it, so the longest runs go
 * first and the last to finish are short: the workers end close together,
 * rather than one running a long run alone at the end. */
export function startOrder(jobs: readonly RunJob[]): number[] {
  return jobs.map((_, index) => index).sort((a, b) => jobs[b].depth - jobs[a].depth || a - b);
}

/** Runs `jobs` on the pool's workers, at most `parallel` at a time (default:
 * one per core), in startOrder; `onDone` hears of each as it finishes.
 * Results come in job order. */
export async function runJobs(
  jobs: readonly RunJob[],
  onDone?: (finished: number, job: RunJob) => void,
  parallel = pool().size,
): Promise<RunOutcome[]> {
  const results: RunOutcome[] = new Array(jobs.length);
  const order = startOrder(jobs);
  let next = 0;
  let finished = 0;
  const lane = async () => {
    while (next < order.length) {
      const index = order[next++];
      results[index] = await pool().run(jobs[index]);
      onDone?.(++finished, jobs[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, lane));
  return results;
}
