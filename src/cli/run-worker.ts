// A worker thread of the run pool (pool.ts): it runs the jobs it is sent,
// one at a time, for as long as the pool keeps it. A job that fails (a bad
// program, a machine that cannot be built) is answered with its message.

import { parentPort } from 'node:worker_threads';
import { runJob, type RunJob, type WorkerAnswer } from './pool.ts';

parentPort!.on('message', (job: RunJob) => {
  let answer: WorkerAnswer;
  try {
    answer = { outcome: runJob(job) };
  } catch (error) {
    answer = { error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(answer);
});
