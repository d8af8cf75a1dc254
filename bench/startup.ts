// Start-up: the wall time of a cold `smtnest run hello.s`, a fresh process
// each time: as bin/smtnest.js runs it, from the command's bundle in dist/;
// from tsc's modules in dist/, loaded one by one (what the bundle replaced);
// and from the TypeScript sources through tsx (what bin/smtnest.js runs
// after an edit until the next build).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
  const runFrom = (path: string) =>
    `const { main } = await import(${JSON.stringify(join(PROJECT_ROOT, path))}); process.exitCode = await main(['run', ${JSON.stringify(HELLO)}]);`;
  const variants: [string, string[]][] = [
    ['node -e 0 (node alone)', ['-e', '0']],
    ['smtnest run hello.s, bundle', [join(PROJECT_ROOT, 'bin/smtnest.js'), 'run', HELLO]],
    ['smtnest run hello.s, dist/ modules', ['--input-type=module', '-e', runFrom('dist/cli/main.js')]],
    ['smtnest run hello.s, tsx', ['--import', 'tsx', '--input-type=module', '-e', runFrom('src/cli/main.ts')]],
  ];
  const lines = [`start-up, a fresh process each time (median of ${RUNS} runs, ms of wall time)`];
  for (const [label, args] of variants) {
    wallMs(args); // the page cache warm, as for any run after the first
    const times = Array.from({ length: RUNS }, () => wallMs(args));
    lines.push(`${label.padEnd(36)} ${median(times).toFixed(0).padStart(6)}   (least ${Math.min(...times).toFixed(0)})`);
  }
  return lines.join('\n');
}

// Run alone (npm run bench:startup), it prints the table by itself.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(startupTable());
