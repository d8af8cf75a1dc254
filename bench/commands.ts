// The wall time of the commands a user waits for: `npm start` (the paper's
// evaluation, 40 runs on the worker pool) and a 100-point sweep (300 runs:
// every point in each mode), each a fresh process from the built command,
// as a user starts it. The median of three leaves out a first run that
// found the page cache or the image cache on disk cold.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../src/paths.ts';

const COMMAND = join(PROJECT_ROOT, 'bin/smtnest.js');
const RUNS = 3;

/** The words of package.json's start script, `node [flags] bin/smtnest.js paper`:
 * npm start is timed with the flags it gives node. */
const START_WORDS = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts.start as string).split(/\s+/);
const START_COMMAND_AT = START_WORDS.indexOf('bin/smtnest.js');
if (START_COMMAND_AT < 0) throw new Error(`command benchmark: package.json's start script does not run bin/smtnest.js: ${START_WORDS.join(' ')}`);

const COMMANDS: [label: string, nodeFlags: string[], args: string[]][] = [
  ['npm start (smtnest paper)', START_WORDS.slice(1, START_COMMAND_AT), START_WORDS.slice(START_COMMAND_AT + 1)],
  ['smtnest sweep cpuid, 100 points', [], ['sweep', 'cpuid', '--param', 'vmExit=300..1290', '--points', '100']],
];

function wallSeconds(nodeFlags: string[], args: string[]): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, [...nodeFlags, COMMAND, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`command benchmark: smtnest ${args.join(' ')} failed: ${run.stderr}`);
  return seconds;
}

/** The table; the build must be current (startupTable() makes it). */
export function commandsTable(): string {
  const lines = [`commands, a fresh process each time (median of ${RUNS} runs, s of wall time)`];
  for (const [label, nodeFlags, args] of COMMANDS) {
    const times = Array.from({ length: RUNS }, () => wallSeconds(nodeFlags, args)).sort((a, b) => a - b);
    lines.push(`${label.padEnd(36)} ${times[Math.floor(RUNS / 2)].toFixed(2).padStart(6)}   (least ${times[0].toFixed(2)})`);
  }
  return lines.join('\n');
}

// Run alone (npm run bench:commands), it prints the table by itself.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(commandsTable());
