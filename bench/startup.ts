// Start-up: the wall time of a cold `smtnest run hello.s`, a fresh process
// each time, from the build in dist/ (what bin/smtnest.js runs) and from the
// TypeScript sources through tsx (what it ran before there was a build, and
// still runs after an edit until the next build).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/paths.ts';

const HELLO = join(PROJECT_ROOT, 'guests/examples/hello.s');
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function wallMs(args: string[]): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`start-up benchmark: ${args.join(' ')} failed: ${run.stderr}`);
  return ms;
}

export function startupTable(): string {
  // The build must be current, or bin/smtnest.js would run the sources.
  const build = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/build.js')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`start-up benchmark: the build failed: ${build.stdout}${build.stderr}`);
  const fromSource = `const { main } = await import(${JSON.stringify(join(PROJECT_ROOT, 'src/cli/main.ts'))}); process.exitCode = await main(['run', ${JSON.stringify(HELLO)}]);`;
  const variants: [string, string[]][] = [
    ['node -e 0 (node alone)', ['-e', '0']],
    ['smtnest run hello.s, dist/', [join(PROJECT_ROOT, 'bin/smtnest.js'), 'run', HELLO]],
    ['smtnest run hello.s, tsx', ['--import', 'tsx', '--input-type=module', '-e', fromSource]],
  ];
  const lines = [`start-up, a fresh process each time (median of ${RUNS} runs, ms of wall time)`];
  for (const [label, args] of variants) {
    wallMs(args); // the page cache warm, as for any run after the first
    const times = Array.from({ length: RUNS }, () => wallMs(args));
    lines.push(`${label.padEnd(32)} ${median(times).toFixed(0).padStart(6)}   (least ${Math.min(...times).toFixed(0)})`);
  }
  return lines.join('\n');
}
