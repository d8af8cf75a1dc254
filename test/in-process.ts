// The command line run in the test's own process, with what it writes
// captured: its main(), the same code the bin calls, without the start-up of
// a node process per case. Commands write through process.stdout/stderr and
// through fs.writeSync on descriptors 1 and 2; the latter is replaced for the
// command's duration on node:fs itself (syncBuiltinESMExports carries it to
// every module's named import), so that it holds whichever test file loaded
// the command line's modules first.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { vi } from 'vitest';
import { main } from '../src/cli/main.ts';

const text = (chunk: unknown): string => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));

/** Runs `smtnest ...argv` here: its exit status and what it wrote. */
export async function smtnestHere(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const output = { stdout: '', stderr: '' };
  const writeSync = fs.writeSync;
  fs.writeSync = ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: never[]): number => {
    if (fd !== 1 && fd !== 2) return writeSync(fd, data as string, ...rest);
    const chunk = text(data);
    if (fd === 1) output.stdout += chunk;
    else output.stderr += chunk;
    return Buffer.byteLength(chunk);
  }) as typeof fs.writeSync;
  syncBuiltinESMExports();
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((output.stdout += text(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((output.stderr += text(chunk)), true));
  try {
    const status = await main(argv);
    return { status, ...output };
  } finally {
    fs.writeSync = writeSync;
    syncBuiltinESMExports();
    vi.restoreAllMocks();
  }
}
