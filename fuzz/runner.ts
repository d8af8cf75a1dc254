// A fuzz lane: a child process of fuzz/fuzz.ts that runs the cases it is
// sent, one at a time, and answers each with its result and the process's
// peak memory. A case that throws is a failure it reports; one that never
// answers, the parent stops.
import { runCase, type CaseKind } from './cases.ts';

process.on('message', (job: { kind: CaseKind; seed: number; index: number }) => {
  let answer;
  try {
    answer = runCase(job.kind, job.seed, job.index);
  } catch (error) {
    answer = { what: `${job.kind} case`, outcome: 'threw', instructions: 0, failure: `threw ${(error as Error).stack ?? error}` };
  }
  process.send!({ ...job, ...answer, rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 });
});
