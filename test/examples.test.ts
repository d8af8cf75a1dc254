// The example guest programs (guests/examples/): each one assembles, runs to
// a clean exit and prints exactly its .expected file. The .expected files are
// themselves checked against values computed here in JavaScript, independently
// of the emulator, so that a golden file cannot silently record a wrong answer.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assembleFile } from '../src/asm/index.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { Machine } from '../src/machine/machine.ts';

const EXAMPLES = fileURLToPath(new URL('../guests/examples/', import.meta.url));
const NAMES = ['hello', 'fibonacci', 'sieve', 'crc32', 'sort', 'timer'] as const;
/** Generous: the largest example needs well under 100k instructions. */
const BUDGET = 5_000_000;

const source = (name: string): string => readFileSync(join(EXAMPLES, `${name}.s`), 'utf8');
const expectedFile = (name: string): string => readFileSync(join(EXAMPLES, `${name}.expected`), 'utf8');

function run(path: string, readFile?: (p: string) => string) {
  const includePaths = [join(PROJECT_ROOT, 'guests/include')];
  const program = assembleFile(path, readFile ? { readFile, includePaths } : { includePaths });
  const machine = new Machine({ ramSize: 1 << 20 });
  machine.loadProgram(program);
  const result = machine.run({ maxInstructions: BUDGET });
  return { result, console: machine.serial.text(), machine };
}

// ---- independent reference computations -------------------------------------

function fibonacci(count: number): number[] {
  const out = [0, 1];
  while (out.length < count) out.push(out[out.length - 1] + out[out.length - 2]);
  return out.slice(0, count);
}

/** Primes up to `limit` by trial division (deliberately not a sieve). */
function primesUpTo(limit: number): number[] {
  const out: number[] = [];
  for (let n = 2; n <= limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
    if (prime) out.push(n);
  }
  return out;
}

/** CRC-32 (IEEE, reflected), one bit at a time (deliberately not table-driven). */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The dd lines under `array:` in sort.s, the table the program sorts. */
function sortTable(): number[] {
  const lines = source('sort').split('\n');
  const start = lines.findIndex((l) => /^array:/.test(l));
  const values: number[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^\s*dd\s+([^;]*)/.exec(line);
    if (!m) break;
    for (const item of m[1].split(',')) values.push(Number(item.trim()));
  }
  return values;
}

const CRC_MESSAGE = 'The quick brown fox jumps over the lazy dog';

function rows(values: number[], perLine: number): string {
  let out = '';
  for (let i = 0; i < values.length; i += perLine) out += values.slice(i, i + perLine).join(' ') + '\n';
  return out;
}

/** What each example must print, built from the reference computations. */
function reference(name: (typeof NAMES)[number]): string {
  switch (name) {
    case 'hello':
      return 'Hello from smtnest!\n';
    case 'fibonacci':
      return fibonacci(20).map((n) => `${n}\n`).join('');
    case 'sieve': {
      const primes = primesUpTo(1000);
      return `primes up to 1000: ${primes.length}\nlast 10: ${primes.slice(-10).join(' ')}\n`;
    }
    case 'crc32': {
      const crc = crc32(new TextEncoder().encode(CRC_MESSAGE));
      return `message: ${CRC_MESSAGE}\ncrc32:   ${crc.toString(16).padStart(8, '0')}\n`;
    }
    case 'sort': {
      const table = sortTable();
      const sorted = [...table].sort((a, b) => a - b);
      return `before:\n${rows(table, 8)}after:\n${rows(sorted, 8)}sorted\n`;
    }
    case 'timer':
      return [1, 2, 3, 4, 5].map((n) => `tick ${n}\n`).join('') + 'timer stopped\n';
  }
}

// ---- the golden files ---------------------------------------------------------

describe('example golden files', () => {
  it('the reference computations give the well-known values', () => {
    expect(fibonacci(20).slice(-3)).toEqual([1597, 2584, 4181]);
    const primes = primesUpTo(1000);
    expect(primes.length).toBe(168);
    expect(primes.at(-1)).toBe(997);
    expect(crc32(new TextEncoder().encode(CRC_MESSAGE))).toBe(0x414fa339);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the CRC-32 check value
    const table = sortTable();
    expect(table).toHaveLength(32);
    expect(table).toContain(0xffffffff);
    expect(table.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)).toBe(true);
  });

  it('crc32.s checksums the message the reference uses', () => {
    expect(source('crc32')).toContain(`db "${CRC_MESSAGE}", 0`);
  });

  for (const name of NAMES) {
    it(`${name}.expected matches the reference computation`, () => {
      expect(expectedFile(name)).toBe(reference(name));
    });
  }
});

// ---- the programs ---------------------------------------------------------------

describe('example programs', () => {
  for (const name of NAMES) {
    it(`${name}.s prints ${name}.expected and exits 0`, () => {
      const { result, console } = run(join(EXAMPLES, `${name}.s`));
      expect(console).toBe(expectedFile(name));
      expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    });
  }

  it('sort.s exits nonzero when the table is not sorted', () => {
    // The same program with the call to quicksort in _start taken out.
    const path = join(EXAMPLES, 'sort.s');
    const text = source('sort');
    const patched = text.replace(/^([ \t]*)call quicksort[ \t]*$/m, '$1nop');
    expect(patched).not.toBe(text);
    const { result, console } = run(path, (p) => (p === path ? patched : readFileSync(p, 'utf8')));
    expect(console.endsWith('NOT SORTED\n')).toBe(true);
    expect(result).toMatchObject({ status: 'exited', exitCode: 1 });
  });

  it('timer.s is driven by timer interrupts', () => {
    const { machine } = run(join(EXAMPLES, 'timer.s'));
    expect(machine.cpu.vectorCounts[0x20]).toBe(5);
    // At 100000 cycles per tick, five ticks need at least 500000 cycles.
    expect(machine.cpu.cycles).toBeGreaterThanOrEqual(500_000);
  });
});
