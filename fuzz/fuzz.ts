// npm run fuzz: the fuzz campaign, not part of npm test (docs/security.md).
//
//   npm run fuzz -- [--seed N] [--images N] [--sources N] [--costs N] [--lanes N]
//                   [--case-seconds S] [--memory MB] [--out DIR] [--replay KIND:SEED:INDEX]
//
// Random images run as the workload at depth 0, 1 or 2 in a random mode,
// bundled sources mutated and assembled (then run bare), and random --cost
// objects (refused with one line, or a nested cpuid run with them). Cases
// run in child processes (lanes); a case fails if it throws, if its lane's
// memory passes the bound (--memory, default 1536 MB), if it takes longer
// than the wall-clock bound for its budget (--case-seconds, default 60;
// only a hang can: every run has an instruction budget), if its counters
// do not add up, or if it ends in a status that is not a documented
// outcome. Each failure is written to DIR (default fuzz-failures/) as a
// reproducer: its kind, seed and index, which --replay runs again.

import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCase, type CaseKind } from './cases.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    images: { type: 'string', default: '300' },
    sources: { type: 'string', default: '100' },
    costs: { type: 'string', default: '30' },
    lanes: { type: 'string', default: '1' },
    'case-seconds': { type: 'string', default: '60' },
    memory: { type: 'string', default: '1536' },
    out: { type: 'string', default: 'fuzz-failures' },
    replay: { type: 'string' },
  },
});

const count = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`fuzz: --${name} must be a non-negative integer, got '${text}'`);
    process.exit(1);
  }
  return n;
};

if (values.replay) {
  const [kind, seed, index] = values.replay.split(':');
  console.log(JSON.stringify(runCase(kind as CaseKind, Number(seed), Number(index)), null, 2));
  process.exit(0);
}

const seed = count('seed', values.seed!);
const caseMs = count('case-seconds', values['case-seconds']!) * 1000;
const memoryBound = count('memory', values.memory!) * 2 ** 20;
// The kinds interleaved in proportion, so that a campaign stopped early has run some of each.
const totals = ([['image', values.images], ['source', values.sources], ['cost', values.costs]] as const).map(
  ([kind, total]) => ({ kind, total: count(`${kind}s`, total!) }),
);
const jobs: { kind: CaseKind; index: number; at: number }[] = totals.flatMap(({ kind, total }) =>
  Array.from({ length: total }, (_, index) => ({ kind, index, at: (index + 0.5) / total })),
);
jobs.sort((a, b) => a.at - b.at);

interface Tally {
  cases: number;
  failures: number;
  crashes: number;
  hangs: number;
  outcomes: Record<string, number>;
}
const tallies: Record<string, Tally> = {};
const PROGRESS_CASES = 2000;
const tally = (kind: string) => (tallies[kind] ??= { cases: 0, failures: 0, crashes: 0, hangs: 0, outcomes: {} });
let peakRss = 0;
let instructions = 0;
const started = Date.now();

function failure(kind: CaseKind, index: number, what: string, why: string): void {
  mkdirSync(values.out!, { recursive: true });
  const file = join(values.out!, `${kind}-${seed}-${index}.json`);
  writeFileSync(file, JSON.stringify({ kind, seed, index, what, why, replay: `npm run fuzz -- --replay ${kind}:${seed}:${index}` }, null, 2) + '\n');
  console.log(`FAIL ${kind}:${seed}:${index} ${what}: ${why.split('\n')[0]} (${file})`);
}

function lane(): Promise<void> {
  return new Promise((done) => {
    let child: ChildProcess;
    let timer: NodeJS.Timeout | undefined;
    let current: { kind: CaseKind; index: number } | undefined;
    const spawn = () => {
      child = fork(new URL('./runner.ts', import.meta.url), [], {
        execArgv: ['--import', 'tsx', `--max-old-space-size=${Math.ceil(memoryBound / 2 ** 20)}`],
      });
      child.on('message', (answer: { kind: CaseKind; index: number; what: string; outcome: string; instructions: number; failure: string | null; rss: number; maxRss: number }) => {
        clearTimeout(timer);
        const t = tally(answer.kind);
        t.cases++;
        t.outcomes[answer.outcome] = (t.outcomes[answer.outcome] ?? 0) + 1;
        instructions += answer.instructions;
        peakRss = Math.max(peakRss, answer.maxRss);
        if (answer.outcome === 'threw') t.crashes++;
        let why = answer.failure;
        if (!why && answer.rss > memoryBound) why = `lane memory ${answer.rss} bytes past the bound`;
        if (why) {
          t.failures++;
          failure(answer.kind, answer.index, answer.what, why);
        }
        if (answer.rss > memoryBound) {
          child.kill('SIGKILL');
          spawn();
        }
        if (Object.values(tallies).reduce((n, t) => n + t.cases, 0) % PROGRESS_CASES === 0) summary();
        next();
      });
      child.on('exit', (code, signal) => {
        if (signal === 'SIGKILL' || !current) return;
        // The lane died in a case: out of memory, or the process aborted.
        clearTimeout(timer);
        const t = tally(current.kind);
        t.cases++;
        t.crashes++;
        t.failures++;
        failure(current.kind, current.index, `${current.kind} case`, `the process ended (code ${code}, signal ${signal})`);
        spawn();
        next();
      });
    };
    const next = () => {
      current = jobs.shift();
      if (!current) {
        child.kill('SIGKILL');
        done();
        return;
      }
      const job = current;
      timer = setTimeout(() => {
        const t = tally(job.kind);
        t.cases++;
        t.hangs++;
        t.failures++;
        failure(job.kind, job.index, `${job.kind} case`, `no answer in ${caseMs / 1000} s`);
        child.kill('SIGKILL');
        spawn();
        next();
      }, caseMs);
      child.send({ kind: job.kind, seed, index: job.index });
    };
    spawn();
    next();
  });
}

/** The campaign so far: printed every PROGRESS_CASES cases and at the end. */
function summary(): void {
  const seconds = (Date.now() - started) / 1000;
  console.log(`fuzz: seed ${seed}, ${seconds.toFixed(0)} s, ${instructions.toLocaleString('en-US')} guest instructions, peak lane memory ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  for (const [kind, t] of Object.entries(tallies)) {
    const rate = (n: number) => `${n} (${((100 * n) / Math.max(1, t.cases)).toFixed(2)}%)`;
    console.log(`  ${kind.padEnd(7)} ${String(t.cases).padStart(6)} cases  failures ${rate(t.failures)}  crashes ${rate(t.crashes)}  hangs ${rate(t.hangs)}  outcomes ${JSON.stringify(t.outcomes)}`);
}
}

await Promise.all(Array.from({ length: Math.max(1, count('lanes', values.lanes!)) }, lane));
summary();
process.exit(Object.values(tallies).some((t) => t.failures > 0) ? 1 : 0);
