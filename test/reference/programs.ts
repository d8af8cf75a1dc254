// Building blocks of the test programs: operand generators biased toward
// edge values, and the assembly snippets that set flags and record them.

import fc from 'fast-check';
import { CONDITION_NAMES, flagsToBits, type Flags } from './model.ts';
import { hex, type AsmRun } from './harness.ts';

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

/** An interrupt table for #DE (0), #UD (6) and #GP (13) whose handlers each
 * stop at their own `hlt` (IF is clear in a handler, so the run ends
 * 'halted' with the exception frame still on the stack). Load it with
 * `lidt [fault_idtr]`. */
export const FAULT_HANDLERS = `
fault_idtr: dd fault_idt, 14
fault_idt:
    dd on_de
    times 5 dd on_other
    dd on_ud
    times 6 dd on_other
    dd on_gp
on_de: hlt
on_ud: hlt
on_gp: hlt
on_other: hlt
`;

const HANDLER_NAMES: Record<string, string> = { on_de: '#DE', on_ud: '#UD', on_gp: '#GP', on_other: 'other' };

/** Which FAULT_HANDLERS handler the run stopped in, or a description of how it ended otherwise. */
export function faultTaken(run: AsmRun): string {
  if (run.result.status !== 'halted') return `${run.result.status}: ${run.result.reason}`;
  const at = (run.machine.cpu.eip - 4) >>> 0;
  for (const [label, name] of Object.entries(HANDLER_NAMES)) if (run.sym(label) === at) return name;
  return `halted at 0x${at.toString(16)}, not in a fault handler`;
}

/** The exception frame on top of the stack: the pushed eip, then eflags. */
export function exceptionFrame(run: AsmRun): { eip: number; eflags: number } {
  const esp = run.reg('esp');
  return { eip: run.word(esp), eflags: run.word(esp + 4) };
}
