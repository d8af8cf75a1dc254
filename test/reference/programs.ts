// Building blocks of the test programs: operand generators biased toward
// edge values, and the assembly snippets that set flags and record them.

import fc from 'fast-check';
import { CONDITION_NAMES, flagsToBits, type Flags } from './model.ts';
import { hex } from './harness.ts';

/** 32-bit edge values: zero, one, the sign boundary, all ones and their neighbours. */
export const EDGE_VALUES = [
  0, 1, 2, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe, 0x7ffffffe, 0x40000000, 0xc0000000, 0xffff, 0x10000,
] as const;

/** An unsigned 32-bit operand, biased toward edge values and small magnitudes. */
export const word32: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_VALUES) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: -40, max: -1 }).map((x) => x >>> 0) },
);

/** A shift count: mostly 0..33 (so every masked count and the wrap at 32 are hit), sometimes any word. */
export const shiftCount: fc.Arbitrary<number> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 2, 31, 32, 33, 63, 64, 0xffffffff, 0x80000001) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 33 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
);

export const flagsArb: fc.Arbitrary<Flags> = fc.record({
  cf: fc.integer({ min: 0, max: 1 }),
  zf: fc.integer({ min: 0, max: 1 }),
  sf: fc.integer({ min: 0, max: 1 }),
  of: fc.integer({ min: 0, max: 1 }),
});

/** Sets CF ZF SF OF to `f` (IF clear) through popf. */
export function setFlagsAsm(f: Flags): string {
  return `    push ${hex(flagsToBits(f) | 2)}\n    popf`;
}

/** Records the flags in `flags_out` (through pushf) and then, without touching
 * the flags, the outcome of every jcc as a bit mask in esi (bit i for
 * CONDITION_NAMES[i]). Uses local labels, so it must follow a global label. */
export function recordFlagsAsm(): string {
  const out = ['    pushf', '    pop dword [flags_out]', '    mov esi, 0'];
  CONDITION_NAMES.forEach((cc, i) => {
    out.push(`    ${cc} .taken${i}`, `    jmp .next${i}`, `.taken${i}:`, `    lea esi, [esi + ${1 << i}]`, `.next${i}:`);
  });
  return out.join('\n');
}
