// Independent runs on worker threads, as many at a time as the host has
// cores: each run builds its own machine, so nothing is shared and the
// results do not depend on which worker ran what, or when.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Mode } from '../machine/bootinfo.ts';
import type { CostModel } from '../timing/cost-model.ts';

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
}

function runOnWorker(job: RunJob): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../../bin/run-worker.js', import.meta.url), { workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** Runs `jobs` at most `parallel` at a time (default: one per core);
 * `onDone` hears of each as it finishes. Results come in job order. */
export async function runJobs(
  jobs: readonly RunJob[],
  onDone?: (finished: number, job: RunJob) => void,
  parallel = availableParallelism(),
): Promise<RunOutcome[]> {
  const results: RunOutcome[] = new Array(jobs.length);
  let next = 0;
  let finished = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await runOnWorker(jobs[index]);
      onDone?.(++finished, jobs[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, lane));
  return results;
}
