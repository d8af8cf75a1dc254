// The run pool: persistent workers give what a run on this thread gives,
// whichever worker runs a job and however warm it is, and a job that fails
// fails alone.
import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { poolThreadIds, runJob, runJobs, startOrder, type RunJob } from '../src/cli/pool.ts';
import { loadProgram } from '../src/cli/load.ts';
import { buildMachine } from '../src/machine/scenario.ts';

describe('the run pool', () => {
  it('gives every job the outcome it has on this thread, reusing its workers', async () => {
    const job: RunJob = { target: 'cpuid', depth: 2, mode: 'sw', shadowing: true, iterations: 3 };
    const other: RunJob = { target: 'hello', depth: 1, mode: 'baseline' };
    const jobs = [job, other, job, other, job];
    const finished: number[] = [];
    const outcomes = await runJobs(jobs, (n) => finished.push(n));
    expect(finished).toEqual([1, 2, 3, 4, 5]);
    const [here, hereOther] = [runJob(job), runJob(other)];
    expect(outcomes).toEqual([here, hereOther, here, hereOther, here]);
    expect(here.exits.find((r) => r.from === 'L2' && r.to === 'L1' && r.reason === 'CPUID')?.count).toBe(3);
    const workers = poolThreadIds();
    expect(workers).toHaveLength(Math.min(availableParallelism(), jobs.length));
    // Later batches go to the same, warm workers.
    expect(await runJobs([other, job], undefined, 1)).toEqual([hereOther, here]);
    expect(poolThreadIds()).toEqual(workers);
  });

  it('gives a job on a machine reusing the EPT caches of a finished one the outcome it has on a fresh one', () => {
    const job: RunJob = { target: 'io-rr', depth: 2, mode: 'hw', shadowing: true, iterations: 3 };
    const fresh = buildMachine({ workload: loadProgram('io-rr'), depth: 2, mode: 'hw', shadowing: true, iterations: 3 });
    const freshResult = fresh.run();
    const first = runJob(job);
    // runJob released its machine: these take its EPT caches.
    const again = runJob(job);
    const other = runJob({ target: 'kv', depth: 2, mode: 'sw', iterations: 2 });
    expect(again).toEqual(first);
    expect(first.cycles).toBe(fresh.stats().cycles);
    expect(first.console).toBe(fresh.serial.text());
    expect(first.status).toBe(freshResult.status);
    expect(runJob({ target: 'kv', depth: 2, mode: 'sw', iterations: 2 })).toEqual(other);
  });

  it('starts the deepest runs first, in the order given among those of one depth', () => {
    const at = (depth: number, target: string): RunJob => ({ target, depth, mode: 'baseline' });
    const jobs = [at(0, 'a'), at(1, 'b'), at(2, 'c'), at(0, 'd'), at(2, 'e'), at(1, 'f')];
    expect(startOrder(jobs).map((i) => jobs[i].target)).toEqual(['c', 'e', 'b', 'f', 'a', 'd']);
    expect(startOrder([])).toEqual([]);
  });

  it('fails a job that cannot run with its message, and goes on with the rest', async () => {
    await expect(runJobs([{ target: 'no-such-program', depth: 0, mode: 'baseline' }])).rejects.toThrow(/no-such-program: no such file or bundled program/);
    expect((await runJobs([{ target: 'hello', depth: 0, mode: 'baseline' }]))[0].status).toBe('exited');
    expect(poolThreadIds()).toHaveLength(Math.min(availableParallelism(), 5));
  });
});
