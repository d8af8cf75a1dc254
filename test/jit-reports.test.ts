// Whole runs, compiled and interpreted: the `run --json` report is the same
// byte for byte with the region compiler always compiling and off. Every
// program at depth 0, and each mode and shadowing setting on some program
// nested; `npm run check:jit` runs the full matrix (bench/jit-reports.ts).

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledPrograms, caseName, reportJson, type ReportCase } from '../bench/jit-reports.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

const example = (name: string) => join(PROJECT_ROOT, 'guests/examples', `${name}.s`);
const workload = (name: string) => join(PROJECT_ROOT, 'guests/workloads', `${name}.s`);

const CASES: ReportCase[] = [
  ...bundledPrograms().map((path) => ({ path, depth: 0, mode: 'baseline' as const, shadowing: false })),
  { path: example('sieve'), depth: 1, mode: 'baseline', shadowing: false },
  { path: workload('io-rr'), depth: 1, mode: 'sw', shadowing: false },
  { path: workload('kv'), depth: 1, mode: 'hw', shadowing: false },
  { path: workload('io-stream'), depth: 2, mode: 'baseline', shadowing: true },
  { path: example('timer'), depth: 2, mode: 'sw', shadowing: false },
  { path: workload('web'), depth: 2, mode: 'hw', shadowing: true },
];

describe('run reports compiled and interpreted', () => {
  let compiled = 0;
  for (const c of CASES) {
    it(`${caseName(c)}: the same JSON`, () => {
      const always = reportJson(c, 'always');
      compiled += always.compiled;
      expect(always.json).toBe(reportJson(c, 'off').json);
    });
  }
  it('ran code compiled', () => expect(compiled).toBeGreaterThan(0));
});
