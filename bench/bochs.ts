// Bochs on the bench loops, measured in the same run as smtnest (npm run
// bench): the lines of each bench/*.s, framed as a boot sector by
// bench/bochs-boot.inc, are built by nasm twice,
// with a small and a large iteration count, and run under Bochs (its text
// display in a pseudo-terminal from script(1), the sound off); Bochs's
// instruction count at the shutdown port and the wall times give the MIPS of
// the difference, which leaves out the BIOS and Bochs's start-up. Needs
// bochs, bochs-term, bochsbios and nasm (Debian packages); without them the
// bench says so and goes on.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/paths.ts';

const FLOPPY_BYTES = 1474560;
const SMALL = 1_000_000;

function available(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

export function bochsAvailable(): boolean {
  return available('bochs') && available('nasm') && available('script');
}

/** bench/<loop>.s as nasm source for a boot sector: its instructions
 * unchanged; its include, iteration count, exit port and data area given
 * by the frame (the count by nasm's -D). */
function bootSource(loop: string): string {
  const lines = readFileSync(join(PROJECT_ROOT, 'bench', `${loop}.s`), 'utf8').split('\n');
  const body = lines
    .filter((line) => !/^\s*(%include|ITERATIONS\s+equ|align\b|buffer:|times\b)/.test(line))
    .map((line) => line.replace(/^\s*out PORT_DEBUG_EXIT, eax/, '    jmp finish'));
  return [`%include "${join(PROJECT_ROOT, 'bench/bochs-boot.inc')}"`, 'boot_sector_start', ...body, 'boot_sector_end', ''].join('\n');
}

/** Instructions Bochs executed and the wall seconds of one run of `loop` with `iterations`. */
function runOnce(dir: string, loop: string, iterations: number): { ticks: number; seconds: number } {
  const image = join(dir, `${loop}.img`);
  const source = join(dir, `${loop}.asm`);
  writeFileSync(source, bootSource(loop));
  const nasm = spawnSync('nasm', ['-f', 'bin', `-DITERATIONS=${iterations}`, source, '-o', image]);
  if (nasm.status !== 0) throw new Error(`nasm: ${nasm.stderr.toString().trim()}`);
  truncateSync(image, FLOPPY_BYTES);
  const rc = join(dir, 'bochsrc');
  writeFileSync(
    rc,
    [
      'megs: 16',
      'romimage: file=/usr/share/bochs/BIOS-bochs-latest',
      'vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest',
      `floppya: 1_44=${image}, status=inserted`,
      'boot: floppy',
      'display_library: term',
      'speaker: enabled=0',
      'log: -',
      // Each log line starts with the instruction count, which the shutdown's line gives.
      'logprefix: %t',
      'info: action=ignore',
      'debug: action=ignore',
      'panic: action=fatal',
    ].join('\n') + '\n',
  );
  // Debian's Bochs has its debugger built in: continue, then quit at the shutdown.
  const commands = join(dir, 'commands');
  writeFileSync(commands, 'c\nquit\n');
  const start = process.hrtime.bigint();
  const run = spawnSync('script', ['-qec', `bochs -q -f ${rc} -rc ${commands}`, '/dev/null'], { timeout: 600_000 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const match = /(\d+) >>PANIC<< Shutdown port: shutdown requested/.exec(run.stdout.toString('latin1'));
  if (!match) throw new Error(`bochs did not reach the shutdown port (${loop})`);
  return { ticks: Number(match[1]), seconds };
}

/** Bochs's MIPS on `loop` run with `iterations` (less a run with SMALL). */
export function bochsMips(loop: string, iterations: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'smtnest-bochs-'));
  try {
    const small = runOnce(dir, loop, SMALL);
    const large = runOnce(dir, loop, iterations);
    return (large.ticks - small.ticks) / (large.seconds - small.seconds) / 1e6;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
