// The region compiler against the interpreter, which stays the reference:
// - every form the compiler handles, from random register, flag and memory
//   state, ends in the same state either way (faults included);
// - random programs (ALU, shifts, mul/div with faults, moves, push/pop,
//   call/ret, branches, stores into their own code, interrupts), run in
//   slices of random instruction budgets and cycle deadlines, give the same
//   state after every slice: registers, lazy flags, eip, cycles, instruction
//   and opcode counts, memory;
// - the semantics table classifies every form, and the interpreter's
//   out-of-line switch holds exactly the forms left to the interpreter.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleSource } from '../src/asm/index.ts';
import { STOP_HALT, STOP_TRIPLE_FAULT, type Cpu } from '../src/cpu/cpu.ts';
import { encode, NO_REG, type Operand } from '../src/isa/encoding.ts';
import { INTERPRETER_ONLY, SEMANTICS_BY_OPCODE } from '../src/isa/semantics.ts';
import { INSTRUCTIONS, type InstructionForm } from '../src/isa/table.ts';
import { Machine } from '../src/machine/machine.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

const RAM = 64 * 1024;
const DATA = 0x2000;
const CODE = 0x100;
const R14 = 14;
const ESP = 4;

/** Everything of a thread's state the two tiers must agree on. */
function snapshot(cpu: Cpu, machine: Machine, ranges: [number, number][] = [[0, RAM]]) {
  const f = cpu.flags;
  return {
    regs: Array.from(cpu.regs),
    eip: cpu.eip,
    eflags: cpu.eflags,
    lazy: [f.op, f.res, f.a, f.b, f.carry, f.over, f.eflags],
    cycles: cpu.cycles,
    instructions: cpu.instructions,
    opcodes: Array.from(cpu.opcodeCounts),
    vectors: Array.from(cpu.vectorCounts),
    memory: ranges.map(([from, to]) => Buffer.from(machine.memory.bytes.subarray(from, to)).toString('base64')),
  };
}

// ---- one form from random state --------------------------------------------

const COMPILED = INSTRUCTIONS.filter((form) => !INTERPRETER_ONLY.has(form.opcode));

interface FormCase {
  regs: number[];
  lazy: number[];
  data: number[];
  operands: Operand[];
  /** 0: esp in the stack page; 1: esp at the end of RAM (a push faults); 2: esp 0 (a push wraps and faults). */
  stack: number;
  r14: number;
}

function operandArbitrary(kind: string): fc.Arbitrary<Operand> {
  if (kind === 'r') return fc.integer({ min: 0, max: 15 }).map((reg) => ({ kind: 'reg', reg }));
  if (kind === 'm' || kind === 'm8' || kind === 'm16') {
    return fc
      .record({
        base: fc.constantFrom(R14, R14, R14, NO_REG, ESP),
        index: fc.constantFrom(NO_REG, NO_REG, NO_REG, 3),
        scale: fc.constantFrom(1, 2, 4, 8),
        disp: fc.oneof(fc.integer({ min: -8, max: 0x1000 }), fc.constant(RAM - 2), fc.integer()),
      })
      .map(({ base, index, scale, disp }) => ({
        kind: 'mem',
        base,
        index,
        scale: scale as 1 | 2 | 4 | 8,
        disp: base === NO_REG && disp >= 0 && disp < 0x1000 ? DATA + disp : disp,
      }));
  }
  if (kind === 'rel') return fc.integer({ min: -16, max: 16 }).map((k) => ({ kind: 'imm', value: CODE + 64 + 4 * k }));
  return fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer()).map((value) => ({ kind: 'imm', value }));
}

function formCase(form: InstructionForm): fc.Arbitrary<FormCase> {
  return fc.record({
    regs: fc.array(fc.oneof(fc.integer(), fc.integer({ min: -3, max: 3 }), fc.constantFrom(0x7fffffff, -0x80000000)), {
      minLength: 16,
      maxLength: 16,
    }),
    lazy: fc.tuple(
      fc.integer({ min: 0, max: 8 }),
      fc.integer(),
      fc.integer(),
      fc.integer(),
      fc.integer({ min: 0, max: 1 }),
      fc.integer({ min: 0, max: 1 }),
      fc.integer({ min: 0, max: 0xfff }),
    ),
    data: fc.array(fc.integer(), { minLength: 16, maxLength: 16 }),
    operands: fc.tuple(...form.operands.map(operandArbitrary)) as fc.Arbitrary<Operand[]>,
    stack: fc.constantFrom(0, 0, 0, 1, 2),
    r14: fc.constantFrom(DATA, DATA, DATA + 0x40, RAM - 4),
  });
}

/** Loads a state: the instruction at CODE, then hlt; data words at DATA
 * (repeated). `fresh` also forgets decoded and compiled code. */
function load(machine: Machine, form: InstructionForm, c: FormCase, fresh = true): void {
  const m = machine.memory;
  m.bytes.fill(0);
  if (fresh) {
    m.lineFlags.fill(0);
    m.decoded.fill(0);
  }
  const words = encode(form, c.operands, CODE);
  words.forEach((w, i) => (m.words[(CODE >>> 2) + i] = w | 0));
  m.words[(CODE >>> 2) + words.length] = 0x02; // hlt
  for (let i = 0; i < 0x1000 / 4; i++) m.words[(DATA >>> 2) + i] = c.data[i % 16];
  const cpu = machine.cpu;
  c.regs.forEach((v, i) => (cpu.regs[i] = v));
  cpu.regs[R14] = c.r14;
  cpu.regs[ESP] = [0x8000, RAM, 0][c.stack];
  const [op, res, a, b, carry, over, eflags] = c.lazy;
  Object.assign(cpu.flags, { op, res, a, b, carry, over, eflags: eflags & 0x8c1 });
  cpu.eip = CODE;
}

describe('compiled forms', () => {
  it('classifies every form, and executeRare holds exactly the interpreter-only ones', () => {
    for (const form of INSTRUCTIONS) expect(SEMANTICS_BY_OPCODE[form.opcode], form.mnemonic).toBeDefined();
    const source = readFileSync(join(PROJECT_ROOT, 'src/cpu/cpu.ts'), 'utf8');
    const start = source.indexOf('private executeRare(');
    const end = source.indexOf('\n  }\n', start);
    const rare = new Set([...source.slice(start, end).matchAll(/case (0x[0-9a-f]+) \/\*/g)].map((m) => Number(m[1])));
    expect([...rare].sort()).toEqual([...INTERPRETER_ONLY].sort());
  });

  for (const form of COMPILED) {
    it(`${form.mnemonic} ${form.operands.join(',')} matches the interpreter`, () => {
      const reference = new Machine({ ramSize: RAM, jit: 'off' });
      const compiled = new Machine({ ramSize: RAM, jit: 'always' });
      fc.assert(
        fc.property(formCase(form), (c) => {
          // The compiled side decodes the instruction once (running it), is
          // compiled, and then both start from the same state.
          // (with every register at the data page, so that its store cannot land on its own code).
          load(compiled, form, { ...c, regs: c.regs.map(() => DATA), r14: DATA, stack: 0 });
          compiled.cpu.run(1, Infinity);
          compiled.jit!.compileAt(CODE);
          const compiledBefore = compiled.jit!.compiled;
          for (const machine of [reference, compiled]) {
            load(machine, form, c, machine === reference);
            const cpu = machine.cpu;
            cpu.instructions = cpu.cycles = 0;
            cpu.opcodeCounts.fill(0);
            cpu.vectorCounts.fill(0);
          }
          expect(compiled.memory.decoded[CODE >>> 2]).toBeGreaterThan(0);
          const stop = compiled.cpu.run(1, Infinity);
          expect(stop).toBe(reference.cpu.run(1, Infinity));
          expect(compiled.jit!.compiled).toBe(compiledBefore);
          expect(snapshot(compiled.cpu, compiled)).toEqual(snapshot(reference.cpu, reference));
        }),
        { numRuns: 25 },
      );
      expect(compiled.jit!.compiled).toBeGreaterThan(0);
    });
  }
});

// ---- random programs in random slices --------------------------------------

const REGS = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'r8', 'r9', 'r10', 'r11'];
const ALU_OPS = ['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp', 'test'];
const SHIFTS = ['shl', 'shr', 'sar', 'rol', 'ror'];
const CONDITIONS = ['jo', 'jno', 'jb', 'jae', 'je', 'jne', 'jbe', 'ja', 'js', 'jns', 'jl', 'jge', 'jle', 'jg'];

const reg = fc.constantFrom(...REGS);
const imm = fc.oneof(fc.integer({ min: -4, max: 40 }), fc.integer());
const mem = fc.integer({ min: 0, max: 0xffc }).map((d) => `[r14 + ${d}]`);

/** Instructions that leave each lazy-flag kind, and instructions that read
 * the flags (`@` stands for the line's label number). */
const flagWriter = fc.oneof(
  fc.tuple(fc.constantFrom(...ALU_OPS), reg, fc.oneof(reg, imm.map(String))).map(([o, d, s]) => `${o} ${d}, ${s}`),
  fc.tuple(fc.constantFrom('inc', 'dec', 'neg'), reg).map(([o, d]) => `${o} ${d}`),
  fc.tuple(fc.constantFrom(...SHIFTS), reg, fc.oneof(fc.integer({ min: 0, max: 33 }).map(String), reg)).map(([o, d, s]) => `${o} ${d}, ${s}`),
  fc.tuple(fc.constantFrom('mul', 'imul'), reg).map(([o, s]) => `${o} ${s}`),
  fc.constantFrom('stc', 'clc', 'cmc', 'nop'),
);
const flagReader = fc.oneof(
  fc.tuple(fc.constantFrom('adc', 'sbb'), reg, fc.oneof(reg, imm.map(String))).map(([o, d, s]) => `${o} ${d}, ${s}`),
  fc.tuple(fc.constantFrom('inc', 'dec'), reg).map(([o, d]) => `${o} ${d}\n    adc r11, 0`),
  fc.tuple(fc.constantFrom('rol', 'ror'), reg, fc.integer({ min: 1, max: 31 })).map(([o, d, k]) => `${o} ${d}, ${k}\n    adc r11, 0`),
  fc.constantFrom(...CONDITIONS).map((cc) => `${cc} .over@\n    inc r10\n.over@:`),
  fc.constant('cmc\n    adc r11, 0'),
);

/** One line of a loop body; `label` numbers its forward branch targets. */
const bodyLine: fc.Arbitrary<(label: number) => string> = fc.oneof(
  fc.tuple(fc.constantFrom(...ALU_OPS), reg, fc.oneof(reg, imm.map(String), mem)).map(([o, d, s]) => () => `${o} ${d}, ${s}`),
  fc.tuple(fc.constantFrom(...ALU_OPS), mem, fc.oneof(reg, imm.map(String))).map(([o, d, s]) => () => `${o} dword ${d}, ${s}`),
  fc.tuple(fc.constantFrom('not', 'neg', 'inc', 'dec'), fc.oneof(reg, mem.map((m) => `dword ${m}`))).map(([o, d]) => () => `${o} ${d}`),
  fc.tuple(fc.constantFrom(...SHIFTS), reg, fc.oneof(fc.integer({ min: 0, max: 40 }).map(String), reg)).map(([o, d, s]) => () => `${o} ${d}, ${s}`),
  fc.tuple(fc.constantFrom(...SHIFTS), mem, fc.integer({ min: 0, max: 33 })).map(([o, d, s]) => () => `${o} dword ${d}, ${s}`),
  fc.tuple(fc.constantFrom('mul', 'imul', 'div', 'idiv'), reg).map(([o, s]) => () => `${o} ${s}`),
  fc.tuple(fc.constantFrom('mul', 'imul'), mem).map(([o, s]) => () => `${o} dword ${s}`),
  fc.tuple(mem).map(([s]) => () => `xor edx, edx\n    or dword ${s}, 1\n    div dword ${s}`),
  fc.tuple(reg, fc.oneof(reg, imm.map(String), mem)).map(([d, s]) => () => `imul ${d}, ${s}`),
  fc.tuple(reg, fc.oneof(reg, imm.map(String), mem)).map(([d, s]) => () => `mov ${d}, ${s}`),
  fc.tuple(mem, fc.oneof(reg, imm.map(String)), fc.constantFrom('byte', 'word', 'dword')).map(([d, s, size]) => () => `mov ${size} ${d}, ${s}`),
  fc.tuple(fc.constantFrom('movzx', 'movsx'), reg, fc.constantFrom('byte', 'word'), mem).map(([o, d, size, s]) => () => `${o} ${d}, ${size} ${s}`),
  fc.tuple(reg, fc.integer({ min: 0, max: 0x100 })).map(([d, k]) => () => `lea ${d}, [r14 + ebx*2 + ${k}]`),
  fc.tuple(reg, fc.oneof(reg, mem)).map(([d, s]) => () => `xchg ${d}, ${s}`),
  fc.tuple(fc.oneof(reg, mem.map((m) => `dword ${m}`)), reg).map(([d, s]) => () => `cmpxchg ${d}, ${s}`),
  fc.tuple(fc.oneof(reg, imm.map(String), mem.map((m) => `dword ${m}`)), fc.oneof(reg, mem.map((m) => `dword ${m}`))).map(([s, d]) => () => `push ${s}\n    pop ${d}`),
  fc.constantFrom('clc', 'stc', 'cmc', 'nop', 'pushf\n    pop r12').map((t) => () => t),
  fc.constantFrom(...CONDITIONS).map((cc) => (label: number) => `${cc} .skip${label}\n    inc r10\n.skip${label}:`),
  // Two paths that leave different lazy-flag kinds, joined by two jumps,
  // then an instruction that reads the flags at the join.
  fc
    .tuple(fc.constantFrom(...CONDITIONS), flagWriter, flagWriter, flagReader)
    .map(([cc, x, y, read]) => (label: number) =>
      `${cc} .then${label}\n    ${x}\n    jmp .join${label}\n.then${label}:\n    ${y}\n    jmp .join${label}\n.join${label}:\n    ${read.replaceAll('@', String(label))}`,
    ),
  fc.constant(() => 'call leaf'),
  fc.constant((label: number) => `mov r12, .here${label}\n    jmp r12\n.here${label}:`),
  // Stores into the loop's own code: the word already there, and a new
  // immediate for the instruction that follows (compiled code must be dropped).
  fc.constant(() => 'mov r12, [top]\n    mov [top], r12'),
  reg.map((r) => () => `mov dword [top + 4], ${r}`),
);

interface RandomProgram {
  init: number[];
  body: ((label: number) => string)[];
  leaf: ((label: number) => string)[];
  iterations: number;
}

const program: fc.Arbitrary<RandomProgram> = fc.record({
  init: fc.array(fc.integer(), { minLength: REGS.length, maxLength: REGS.length }),
  body: fc.array(bodyLine, { minLength: 1, maxLength: 24 }),
  leaf: fc.array(bodyLine.filter((line) => !line(0).includes('call')), { maxLength: 4 }),
  iterations: fc.integer({ min: 1, max: 40 }),
});

function source(p: RandomProgram): string {
  const lines = [
    '_start:',
    '    lidt [idt]',
    '    mov esp, 0x8000',
    '    mov r14, data',
    `    mov r15, ${p.iterations}`,
    ...REGS.map((r, i) => `    mov ${r}, ${p.init[i]}`),
    '    sti',
    'top:',
    '    mov r13, 7',
    ...p.body.map((line, i) => `    ${line(i)}`),
    '    dec r15',
    '    jnz top',
    '    cli',
    '    hlt',
    'leaf:',
    ...p.leaf.map((line, i) => `    ${line(100 + i)}`),
    '    ret',
    // #DE: the faulting div is 4 bytes long: skip it.
    'divide_error:',
    '    add dword [esp], 4',
    '    iret',
    'timer:',
    '    add dword [r14 + 0x1000], 1',
    '    iret',
    'align 4',
    'idt: dd table, 33',
    'table: dd divide_error',
    '    times 31 dd 0',
    '    dd timer',
    'align 4096',
    'data: times 1028 dd 0x9e3779b9',
  ];
  return lines.join('\n');
}

const slices = fc.array(
  fc.record({
    instructions: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 3000 })),
    cycles: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 20000 })),
    interrupt: fc.boolean(),
  }),
  { minLength: 1, maxLength: 60 },
);

describe('random programs in random slices', () => {
  it('end every slice in the same state compiled and interpreted', () => {
    let compiledInstructions = 0;
    fc.assert(
      fc.property(program, slices, (p, plan) => {
        const image = assembleSource(source(p), 'random.s');
        // The interpreter; the compiler at its sampling points; and the
        // compiler asked for a region wherever a slice ends, so that regions
        // also start where all the code around them has run (both arms of
        // a branch decoded, joins inside the region).
        const machines = (['off', 'always', 'auto'] as const).map((jit) => {
          const machine = new Machine({ ramSize: RAM, jit });
          machine.loadProgram(image);
          return machine;
        });
        const [reference, ...compiled] = machines;
        let i = 0;
        for (let slice = 0; slice < 400; slice++) {
          const { instructions, cycles, interrupt } = plan[i++ % plan.length];
          const stops = machines.map((m) => {
            if (interrupt) m.cpu.interruptLines.raise(32);
            return m.cpu.run(instructions, m.cpu.cycles + cycles);
          });
          // Code, data and the stack's top after every slice; all of RAM at the end.
          const ranges: [number, number][] = [[0, 0x2400], [0x7c00, 0x8000]];
          for (const [k, machine] of compiled.entries()) {
            expect(stops[k + 1]).toBe(stops[0]);
            expect(snapshot(machine.cpu, machine, ranges)).toEqual(snapshot(reference.cpu, reference, ranges));
          }
          compiled[1].jit!.compileAt(compiled[1].cpu.eip);
          if (stops[0] === STOP_HALT || stops[0] === STOP_TRIPLE_FAULT) break;
        }
        for (const machine of compiled) {
          expect(snapshot(machine.cpu, machine)).toEqual(snapshot(reference.cpu, reference));
          compiledInstructions += machine.jit!.executed;
        }
      }),
      { numRuns: 60 },
    );
    expect(compiledInstructions).toBeGreaterThan(0);
  });
});
