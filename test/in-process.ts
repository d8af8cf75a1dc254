// The command line run in the test's own process, with what it writes
// captured: its main(), the same code the bin calls, without the start-up of
// a node process per case. Writes through fs.writeSync are captured only in
// a test file that mocks node:fs as captured-output.ts says.
import { vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { startCapture, stopCapture, text, type Output } from './captured-output.ts';

/** Runs `smtnest ...argv` here: its exit status and what it wrote. */
export async function smtnestHere(...argv: string[]): Promise<Output & { status: number }> {
  const output: Output = { stdout: '', stderr: '' };
  startCapture(output);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((output.stdout += text(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((output.stderr += text(chunk)), true));
  try {
    const status = await main(argv);
    return { status, ...output };
  } finally {
    stopCapture();
    vi.restoreAllMocks();
  }
}
