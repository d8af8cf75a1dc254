// One run of a sweep or of the paper's evaluation, on a worker thread: the
// machine is built and run here, and what the caller needs is sent back.

import { parentPort, workerData } from 'node:worker_threads';
import { basename, extname } from 'node:path';
import { buildMachine } from '../machine/scenario.ts';
import { workloadSpec } from '../machine/workloads.ts';
import { loadProgram } from './load.ts';
import type { RunJob, RunOutcome } from './pool.ts';
import { DEFAULT_MAX_INSTRUCTIONS } from './run.ts';

const job = workerData as RunJob;
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
const answer: RunOutcome = {
  status: result.status,
  exitCode: result.exitCode,
  cycles: stats.cycles,
  instructions: stats.instructions,
  console: machine.serial.text(),
  figure: spec && result.status === 'exited' && result.exitCode === 0 ? spec.measure(machine) : null,
};
parentPort!.postMessage(answer);
