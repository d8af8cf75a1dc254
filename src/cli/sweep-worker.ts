// One point of a sweep, run on a worker thread: the machine is built and
// run here, and the result sent back.

import { parentPort, workerData } from 'node:worker_threads';
import { buildMachine } from '../machine/scenario.ts';
import { loadProgram } from './load.ts';
import { DEFAULT_MAX_INSTRUCTIONS } from './run.ts';
import type { SweepJob, SweepResult } from './sweep.ts';

const job = workerData as SweepJob;
const machine = buildMachine({ workload: loadProgram(job.target), depth: job.depth, mode: job.mode, iterations: job.iterations, costs: job.costs });
const result = machine.run({ maxInstructions: DEFAULT_MAX_INSTRUCTIONS });
const answer: SweepResult = { status: result.status, cycles: machine.stats().cycles };
parentPort!.postMessage(answer);
