// Fuzzing the interpreter: whatever the image, a run never throws and ends
// in one of the four statuses; the same image always gives the same state.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Program } from '../src/asm/index.ts';
import { encode, NO_REG, type Operand } from '../src/isa/encoding.ts';
import { INSTRUCTIONS, type InstructionForm } from '../src/isa/table.ts';
import { Machine } from '../src/machine/machine.ts';
import { assemble } from './reference/harness.ts';

const RAM = 64 * 1024;
const BUDGET = 2_000;
/** Bounds the simulated time too: a program can start the timer and then sleep. */
const CYCLE_BUDGET = 20_000_000;
const STATUSES = ['triple-fault', 'budget', 'halted', 'exited', 'deadlock'];

function image(bytes: Uint8Array, origin = 0): Program {
  return { bytes, origin, entry: origin, symbols: [], lines: [] };
}

interface Outcome {
  status: string;
  exitCode: number;
  regs: number[];
  eip: number;
  eflags: number;
  instructions: number;
  cycles: number;
  console: string;
}

/** Runs an image; `stepwise` runs one instruction per slice (through the
 * onInstruction hook), which must not change the outcome. */
function runImage(program: Program, stepwise = false): Outcome {
  const machine = new Machine({ ramSize: RAM });
  machine.loadProgram(program);
  const result = machine.run({
    maxInstructions: BUDGET,
    maxCycles: CYCLE_BUDGET,
    ...(stepwise ? { onInstruction: () => {} } : {}),
  });
  const cpu = machine.cpu;
  return {
    status: result.status,
    exitCode: result.exitCode,
    regs: Array.from(cpu.regs.subarray(0, 16)),
    eip: cpu.eip,
    eflags: cpu.eflags,
    instructions: cpu.instructions,
    cycles: cpu.cycles,
    console: machine.serial.text(),
  };
}

function checkOutcome(o: Outcome): void {
  expect(STATUSES).toContain(o.status);
  // eflags has no bits beyond CF ZF SF OF IF, and bit 1 reads 1.
  expect(o.eflags & ~0xac3).toBe(0);
  expect(o.eflags & 2).toBe(2);
  if (o.status === 'exited') expect(o.exitCode).toBeGreaterThanOrEqual(0);
  expect(o.instructions).toBeLessThanOrEqual(BUDGET);
}

describe('fuzz: random bytes', () => {
  it('a run of random bytes never throws, ends in a known status, and is deterministic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 1024 }), (bytes) => {
        const first = runImage(image(bytes));
        checkOutcome(first);
        expect(runImage(image(bytes))).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });
});

// Random but well-formed instructions get much further than random bytes
// (which mostly fault at once): memory operands near the image, small
// immediates, jumps inside it, and an interrupt table whose handlers step
// over the faulting word and return.

const reg = fc.integer({ min: 0, max: 15 });
const addressLike = fc.oneof(
  fc.integer({ min: 0, max: 0x1000 }),
  fc.integer({ min: RAM - 0x100, max: RAM + 0x100 }),
  fc.integer({ min: -0x100, max: 0x100 }),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
);
const immediate = fc.oneof(
  fc.integer({ min: -4, max: 64 }),
  fc.constantFrom(0x3f8, 0xf4, 0x40, 0x41, 0x42, 0x10, 0x80000000, 0x7fffffff, -1),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
);

type RandomInstruction = {
  form: InstructionForm;
  a: number;
  b: number;
  base: number;
  index: number;
  scale: number;
  disp: number;
  imm: number;
  target: number;
};

const instructionArb: fc.Arbitrary<RandomInstruction> = fc
  .record({
    form: fc.constantFrom(...INSTRUCTIONS),
    a: reg,
    b: reg,
    base: fc.oneof(reg, fc.constant(NO_REG)),
    index: fc.oneof(reg, fc.constant(NO_REG)),
    scale: fc.constantFrom(1, 2, 4, 8),
    disp: addressLike,
    imm: immediate,
    target: fc.integer({ min: 0, max: 0x400 }).map((x) => x & ~3),
  });

function encodeRandom(r: RandomInstruction, address: number): number[] {
  let regSlot = 0;
  const operands = r.form.operands.map((kind): Operand => {
    switch (kind) {
      case 'r':
        return { kind: 'reg', reg: regSlot++ === 0 ? r.a : r.b };
      case 'm':
      case 'm8':
      case 'm16':
        return { kind: 'mem', base: r.base, index: r.index, scale: r.scale as 1 | 2 | 4 | 8, disp: r.disp };
      case 'rel':
        return { kind: 'imm', value: r.target };
      case 'port':
        return { kind: 'imm', value: r.imm & 0xffff };
      case 'v8':
        return { kind: 'imm', value: r.imm & 0xff };
      default:
        return { kind: 'imm', value: r.imm };
    }
  });
  return encode(r.form, operands, address);
}

/** Sets up an interrupt table for all 256 vectors whose handler skips the
 * faulting word and returns (so runs go on after faults), then falls into the
 * random code at `body`. */
const PRELUDE = assemble(`
_start:
    lidt [idtr]
    jmp body
skip:
    add dword [esp], 4
    iret
idtr: dd idt, 256
idt: times 256 dd skip
align 16
body:
`);
const BODY = PRELUDE.symbols.find((s) => s.name === 'body')!.address;

function programOf(instructions: RandomInstruction[], withPrelude: boolean): Program {
  const origin = withPrelude ? BODY : 0;
  const words: number[] = [];
  for (const r of instructions) words.push(...encodeRandom(r, origin + words.length * 4));
  const body = new Uint8Array(words.length * 4);
  const view = new DataView(body.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  if (!withPrelude) return image(body);
  const bytes = new Uint8Array(BODY + body.length);
  bytes.set(PRELUDE.bytes.subarray(0, BODY));
  bytes.set(body, BODY);
  return { ...image(bytes), entry: PRELUDE.entry };
}

describe('fuzz: random well-formed instructions', () => {
  it('never throws, ends in a known status, and is deterministic, whether run in slices or one instruction at a time', () => {
    fc.assert(
      fc.property(fc.array(instructionArb, { minLength: 1, maxLength: 64 }), fc.boolean(), (instructions, withPrelude) => {
        const program = programOf(instructions, withPrelude);
        const first = runImage(program);
        checkOutcome(first);
        expect(runImage(program)).toEqual(first);
        expect(runImage(program, true)).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });
});
