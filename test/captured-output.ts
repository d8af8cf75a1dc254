// What the command line writes while a test runs it in its own process
// (in-process.ts): through process.stdout/stderr, and through fs.writeSync on
// descriptors 1 and 2. A test file whose commands write the latter mocks
// node:fs with `withCapturedWriteSync` (vi.mock must sit in the test file
// itself, where it is hoisted above the imports, and its factory imports this
// module, which imports nothing of the command line's).

export interface Output {
  stdout: string;
  stderr: string;
}

let capture: Output | undefined;

export const text = (chunk: unknown): string => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));

/** Sends writes to descriptors 1 and 2 to `output` until `stop` is called. */
export function startCapture(output: Output): void {
  capture = output;
}

export function stopCapture(): void {
  capture = undefined;
}

/** node:fs with writeSync to descriptors 1 and 2 captured while a command runs here. */
export function withCapturedWriteSync<T extends { writeSync: (...args: never[]) => number }>(fs: T): T {
  const original = fs.writeSync as unknown as (fd: number, data: unknown, ...rest: unknown[]) => number;
  const writeSync = (fd: number, data: unknown, ...rest: unknown[]): number => {
    if (capture && (fd === 1 || fd === 2)) {
      const chunk = text(data);
      if (fd === 1) capture.stdout += chunk;
      else capture.stderr += chunk;
      return Buffer.byteLength(chunk);
    }
    return original(fd, data, ...rest);
  };
  return { ...fs, writeSync };
}
