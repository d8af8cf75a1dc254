// Property tests of ALU results and CF ZF SF OF against the reference model
// (test/reference/model.ts, eager and bit-by-bit, written unlike the
// emulator's lazy flags). Every sample assembles a small program that sets
// the flags, runs the instruction under test, then records the flags twice:
// through pushf, and through every jcc (which read the lazy flags by their
// own paths).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, hex, runAsm, runProgram, type AsmRun } from './reference/harness.ts';
import {
  BINARY_OPS,
  SHIFT_OPS,
  UNARY_OPS,
  binary,
  conditionMask,
  div,
  flagsToBits,
  idiv,
  imul1,
  imul2,
  mul,
  shift,
  unary,
  writesResult,
  type BinaryOp,
  type Flags,
  type ShiftOp,
  type UnaryOp,
} from './reference/model.ts';
import { exceptionFrame, FAULT_HANDLERS, faultTaken, flagsArb, recordFlagsAsm, setFlagsAsm, shiftCount, word32 } from './reference/programs.ts';

const RUNS = 200;
const ARITH = 0x8c1;

/** How the flags are set before the instruction under test: popf (all four),
 * stc/clc (CF; the rest as popf left them), or a real add/sub whose lazily
 * recorded flags the instruction must read (adc, sbb, inc, dec, rotates). */
type Prelude = { kind: 'popf'; flags: Flags } | { kind: 'stc' | 'clc'; flags: Flags } | { kind: 'add' | 'sub'; flags: Flags; x: number; y: number };

const preludeArb: fc.Arbitrary<Prelude> = fc.oneof(
  { weight: 3, arbitrary: flagsArb.map((flags): Prelude => ({ kind: 'popf', flags })) },
  { weight: 1, arbitrary: fc.tuple(flagsArb, fc.boolean()).map(([flags, set]): Prelude => ({ kind: set ? 'stc' : 'clc', flags })) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.boolean(), word32, word32).map(([isAdd, x, y]): Prelude => ({
      kind: isAdd ? 'add' : 'sub',
      flags: binary(isAdd ? 'add' : 'sub', x, y, { cf: 0, zf: 0, sf: 0, of: 0 }).flags,
      x,
      y,
    })),
  },
);

function preludeAsm(p: Prelude): string {
  switch (p.kind) {
    case 'popf':
      return setFlagsAsm(p.flags);
    case 'stc':
    case 'clc':
      return `${setFlagsAsm(p.flags)}\n    ${p.kind}`;
    default:
      // r14 is not used by the instruction under test.
      return `    mov r14, ${hex(p.x)}\n    ${p.kind} r14, ${hex(p.y)}`;
  }
}

/** The flags the instruction under test sees. */
function preludeFlags(p: Prelude): Flags {
  if (p.kind === 'stc') return { ...p.flags, cf: 1 };
  if (p.kind === 'clc') return { ...p.flags, cf: 0 };
  return p.flags;
}

/** Wraps the instruction under test: operands and flags in, flags and every jcc out. */
function program(setup: string, prelude: Prelude, instruction: string, data = ''): string {
  return `
_start:
${setup}
${preludeAsm(prelude)}
    ${instruction}
${recordFlagsAsm()}
    out 0xf4, eax
flags_out: dd 0
${data}
`;
}

function expectFlags(run: AsmRun, expected: Flags, context: string): void {
  expect(run.result.status, `${context}: ${run.result.reason}`).toBe('exited');
  const pushed = run.word('flags_out');
  expect(pushed & 2, `${context}: eflags bit 1`).toBe(2);
  expect(hex(pushed & ARITH), `${context}: CF ZF SF OF through pushf`).toBe(hex(flagsToBits(expected)));
  expect(hex(run.eflags & ARITH), `${context}: CF ZF SF OF through cpu.eflags`).toBe(hex(flagsToBits(expected)));
  expect(hex(run.reg('esi')), `${context}: jcc outcomes (bit i = CONDITION_NAMES[i] taken)`).toBe(hex(conditionMask(expected)));
}

const ALU_FORMS = ['r,r', 'r,i', 'r,m', 'm,r', 'm,i', 'same'] as const;
const TEST_FORMS = ['r,r', 'r,i', 'm,r', 'm,i', 'same'] as const;

describe('two-operand ALU instructions match the reference model', () => {
  for (const op of BINARY_OPS) {
    const forms = op === 'test' ? TEST_FORMS : ALU_FORMS;
    it(`${op}`, () => {
      fc.assert(
        fc.property(word32, word32, preludeArb, fc.constantFrom(...forms), (a, b0, prelude, form) => {
          const b = form === 'same' ? a : b0;
          const setup = `    mov eax, ${hex(a)}\n    mov ebx, ${hex(b)}`;
          const text: Record<(typeof ALU_FORMS)[number], string> = {
            'r,r': `${op} eax, ebx`,
            'r,i': `${op} eax, ${hex(b)}`,
            'r,m': `${op} eax, [src]`,
            'm,r': `${op} [dst], ebx`,
            'm,i': `${op} dword [dst], ${hex(b)}`,
            same: `${op} eax, eax`,
          };
          const run = runAsm(program(setup, prelude, text[form], `src: dd ${hex(b)}\ndst: dd ${hex(a)}`));
          const before = preludeFlags(prelude);
          const want = binary(op, a, b, before);
          const context = `${op} ${form} a=${hex(a)} b=${hex(b)} flags in ${JSON.stringify(before)}`;
          const stored = writesResult(op) ? want.result : a;
          const actual = form === 'm,r' || form === 'm,i' ? run.word('dst') : run.reg('eax');
          expect(hex(actual), `${context}: result`).toBe(hex(stored));
          expectFlags(run, want.flags, context);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('one-operand ALU instructions match the reference model', () => {
  for (const op of UNARY_OPS) {
    it(`${op}`, () => {
      fc.assert(
        fc.property(word32, preludeArb, fc.constantFrom('r', 'm'), (a, prelude, form) => {
          const instruction = form === 'r' ? `${op} eax` : `${op} dword [dst]`;
          const run = runAsm(program(`    mov eax, ${hex(a)}`, prelude, instruction, `dst: dd ${hex(a)}`));
          const want = unary(op as UnaryOp, a, preludeFlags(prelude));
          const context = `${op} ${form} a=${hex(a)} flags in ${JSON.stringify(preludeFlags(prelude))}`;
          expect(hex(form === 'r' ? run.reg('eax') : run.word('dst')), `${context}: result`).toBe(hex(want.result));
          expectFlags(run, want.flags, context);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('shifts and rotates match the reference model', () => {
  for (const op of SHIFT_OPS) {
    it(`${op}`, () => {
      fc.assert(
        fc.property(word32, shiftCount, preludeArb, fc.constantFrom('r,i', 'r,r', 'm,i'), (a, count, prelude, form) => {
          const text = {
            'r,i': `${op} eax, ${hex(count)}`,
            'r,r': `${op} eax, ecx`,
            'm,i': `${op} dword [dst], ${hex(count)}`,
          }[form];
          const setup = `    mov eax, ${hex(a)}\n    mov ecx, ${hex(count)}`;
          const run = runAsm(program(setup, prelude, text, `dst: dd ${hex(a)}`));
          const want = shift(op as ShiftOp, a, count, preludeFlags(prelude));
          const context = `${op} ${form} a=${hex(a)} count=${hex(count)} flags in ${JSON.stringify(preludeFlags(prelude))}`;
          expect(hex(form === 'm,i' ? run.word('dst') : run.reg('eax')), `${context}: result`).toBe(hex(want.result));
          expect(run.reg('ecx'), `${context}: count register`).toBe(count >>> 0);
          expectFlags(run, want.flags, context);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('multiply matches the reference model', () => {
  for (const op of ['mul', 'imul'] as const) {
    it(`${op} (one operand: edx:eax = eax * src)`, () => {
      fc.assert(
        fc.property(word32, word32, word32, preludeArb, fc.boolean(), (a, b, junk, prelude, inMemory) => {
          const setup = `    mov eax, ${hex(a)}\n    mov ebx, ${hex(b)}\n    mov edx, ${hex(junk)}`;
          const run = runAsm(program(setup, prelude, inMemory ? `${op} dword [src]` : `${op} ebx`, `src: dd ${hex(b)}`));
          const want = op === 'mul' ? mul(a, b) : imul1(a, b);
          const context = `${op} ${inMemory ? 'm' : 'r'} eax=${hex(a)} src=${hex(b)}`;
          expect(hex(run.reg('eax')), `${context}: eax`).toBe(hex(want.lo));
          expect(hex(run.reg('edx')), `${context}: edx`).toBe(hex(want.hi));
          expect(run.reg('ebx'), `${context}: source`).toBe(b);
          expectFlags(run, want.flags, context);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('imul (two operands and immediate: dst = dst * src)', () => {
    fc.assert(
      fc.property(word32, word32, word32, preludeArb, fc.constantFrom('r,r', 'r,m', 'r,i', 'same'), (a, b0, junk, prelude, form) => {
        const b = form === 'same' ? a : b0;
        const setup = `    mov ecx, ${hex(a)}\n    mov ebx, ${hex(b)}\n    mov edx, ${hex(junk)}`;
        const text = { 'r,r': 'imul ecx, ebx', 'r,m': 'imul ecx, [src]', 'r,i': `imul ecx, ${hex(b)}`, same: 'imul ecx, ecx' }[form];
        const run = runAsm(program(setup, prelude, text, `src: dd ${hex(b)}`));
        const want = imul2(a, b);
        const context = `imul ${form} ${hex(a)} * ${hex(b)}`;
        expect(hex(run.reg('ecx')), `${context}: product`).toBe(hex(want.result));
        expect(hex(run.reg('edx')), `${context}: edx untouched`).toBe(hex(junk));
        expectFlags(run, want.flags, context);
      }),
      { numRuns: RUNS },
    );
  });
});

/** A dividend high half that usually lets the quotient fit, sometimes not. */
const divCase = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(word32, word32, word32).map(([d, lo, x]) => ({ src: d, lo, hi: d === 0 ? 0 : x % d })) },
  { weight: 2, arbitrary: fc.tuple(word32, word32, word32).map(([d, lo, hi]) => ({ src: d, lo, hi })) },
  {
    // Signed dividends that fit in 32 bits (edx = sign extension of eax).
    weight: 3,
    arbitrary: fc.tuple(word32, word32).map(([d, lo]) => ({ src: d, lo, hi: lo >= 0x80000000 ? 0xffffffff : 0 })),
  },
  { weight: 1, arbitrary: fc.tuple(word32, word32).map(([lo, hi]) => ({ src: 0, lo, hi })) },
);

describe('divide matches the reference model (and raises #DE when it says so)', () => {
  for (const op of ['div', 'idiv'] as const) {
    it(op, () => {
      fc.assert(
        fc.property(divCase, flagsArb, fc.boolean(), ({ src, lo, hi }, flagsIn, inMemory) => {
          const source = `
_start:
    lidt [idtr]
    mov edx, ${hex(hi)}
    mov eax, ${hex(lo)}
    mov ebx, ${hex(src)}
${setFlagsAsm(flagsIn)}
divide:
    ${inMemory ? `${op} dword [src]` : `${op} ebx`}
${recordFlagsAsm()}
    mov r15, 0
    out 0xf4, r15
divide_error:
    pop dword [fault_eip]
    pop dword [flags_out]
    mov r15, 0xde
    out 0xf4, r15
idtr: dd idt, 1
idt: dd divide_error
fault_eip: dd 0
flags_out: dd 0
src: dd ${hex(src)}
`;
          const run = runAsm(source);
          const want = op === 'div' ? div(hi, lo, src) : idiv(hi, lo, src);
          const context = `${op} ${hex(hi)}:${hex(lo)} / ${hex(src)}`;
          expect(run.result.status, `${context}: ${run.result.reason}`).toBe('exited');
          if (want.fault) {
            expect(run.result.exitCode, `${context}: #DE expected`).toBe(0xde);
            expect(hex(run.word('fault_eip')), `${context}: pushed eip is the divide's`).toBe(hex(run.sym('divide')));
            expect(hex(run.reg('eax')), `${context}: eax unchanged`).toBe(hex(lo));
            expect(hex(run.reg('edx')), `${context}: edx unchanged`).toBe(hex(hi));
            expect(hex(run.word('flags_out') & ARITH), `${context}: pushed flags`).toBe(hex(flagsToBits(flagsIn)));
          } else {
            expect(run.result.exitCode, `${context}: no #DE expected`).toBe(0);
            expect(hex(run.reg('eax')), `${context}: quotient`).toBe(hex(want.quotient));
            expect(hex(run.reg('edx')), `${context}: remainder`).toBe(hex(want.remainder));
            // The emulator documents that div and idiv leave the flags alone.
            expectFlags(run, flagsIn, context);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});

// ---- sequences: lazy flags carried from one instruction to the next ---------

type Step =
  | { kind: 'binary'; op: BinaryOp; dst: number; src: number | { imm: number } }
  | { kind: 'unary'; op: UnaryOp; dst: number }
  | { kind: 'shift'; op: ShiftOp; dst: number; count: number }
  | { kind: 'imul'; dst: number; src: number }
  | { kind: 'flag'; op: 'stc' | 'clc' | 'cmc' };

const SEQ_REGS = ['eax', 'ebx', 'ecx', 'edx'] as const;
const regIndex = fc.integer({ min: 0, max: SEQ_REGS.length - 1 });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...BINARY_OPS), regIndex, fc.oneof(regIndex, word32.map((imm) => ({ imm }))))
      .map(([op, dst, src]): Step => ({ kind: 'binary', op, dst, src })),
  },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...UNARY_OPS), regIndex).map(([op, dst]): Step => ({ kind: 'unary', op, dst })) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...SHIFT_OPS), regIndex, shiftCount).map(([op, dst, count]): Step => ({ kind: 'shift', op, dst, count })),
  },
  { weight: 1, arbitrary: fc.tuple(regIndex, regIndex).map(([dst, src]): Step => ({ kind: 'imul', dst, src })) },
  { weight: 1, arbitrary: fc.constantFrom('stc', 'clc', 'cmc').map((op): Step => ({ kind: 'flag', op: op as 'stc' | 'clc' | 'cmc' })) },
);

function stepAsm(s: Step): string {
  switch (s.kind) {
    case 'binary':
      return `${s.op} ${SEQ_REGS[s.dst]}, ${typeof s.src === 'number' ? SEQ_REGS[s.src] : hex(s.src.imm)}`;
    case 'unary':
      return `${s.op} ${SEQ_REGS[s.dst]}`;
    case 'shift':
      return `${s.op} ${SEQ_REGS[s.dst]}, ${hex(s.count)}`;
    case 'imul':
      return `imul ${SEQ_REGS[s.dst]}, ${SEQ_REGS[s.src]}`;
    case 'flag':
      return s.op;
  }
}

function stepModel(s: Step, regs: number[], f: Flags): Flags {
  switch (s.kind) {
    case 'binary': {
      const src = typeof s.src === 'number' ? regs[s.src] : s.src.imm;
      const r = binary(s.op, regs[s.dst], src, f);
      if (writesResult(s.op)) regs[s.dst] = r.result;
      return r.flags;
    }
    case 'unary': {
      const r = unary(s.op, regs[s.dst], f);
      regs[s.dst] = r.result;
      return r.flags;
    }
    case 'shift': {
      const r = shift(s.op, regs[s.dst], s.count, f);
      regs[s.dst] = r.result;
      return r.flags;
    }
    case 'imul': {
      const r = imul2(regs[s.dst], regs[s.src]);
      regs[s.dst] = r.result;
      return r.flags;
    }
    case 'flag':
      return { ...f, cf: s.op === 'stc' ? 1 : s.op === 'clc' ? 0 : 1 - f.cf };
  }
}

describe('instruction sequences', () => {
  it('registers and flags after a random sequence match the model', () => {
    fc.assert(
      fc.property(fc.array(word32, { minLength: 4, maxLength: 4 }), flagsArb, fc.array(stepArb, { minLength: 1, maxLength: 6 }), (init, flagsIn, steps) => {
        const setup = SEQ_REGS.map((r, i) => `    mov ${r}, ${hex(init[i])}`).join('\n');
        const source = `
_start:
${setup}
${setFlagsAsm(flagsIn)}
${steps.map((s) => `    ${stepAsm(s)}`).join('\n')}
${recordFlagsAsm()}
    out 0xf4, eax
flags_out: dd 0
`;
        const regs = [...init];
        let f = flagsIn;
        for (const s of steps) f = stepModel(s, regs, f);
        const run = runAsm(source);
        const context = `sequence ${steps.map(stepAsm).join('; ')} from ${init.map(hex).join(' ')} flags ${JSON.stringify(flagsIn)}`;
        expect(SEQ_REGS.map((r) => hex(run.reg(r))), `${context}: registers`).toEqual(regs.map(hex));
        expectFlags(run, f, context);
      }),
      { numRuns: 1000 },
    );
  });
});

// ---- the model itself, against the arithmetic definitions -------------------

describe('the reference model agrees with the SDM definitions of CF and OF', () => {
  const signed = (x: number): bigint => BigInt(x | 0);
  const unsigned = (x: number): bigint => BigInt(x >>> 0);
  const inRange = (x: bigint): number => (x < -(1n << 31n) || x >= 1n << 31n ? 1 : 0);
  it('add/adc/sub/sbb: CF = unsigned result out of range, OF = signed result out of range', () => {
    fc.assert(
      fc.property(word32, word32, fc.integer({ min: 0, max: 1 }), (a, b, c) => {
        const f: Flags = { cf: c, zf: 0, sf: 0, of: 0 };
        const adc = binary('adc', a, b, f);
        expect(adc.flags.cf).toBe(unsigned(a) + unsigned(b) + BigInt(c) >= 1n << 32n ? 1 : 0);
        expect(adc.flags.of).toBe(inRange(signed(a) + signed(b) + BigInt(c)));
        expect(adc.result).toBe(Number(BigInt.asUintN(32, unsigned(a) + unsigned(b) + BigInt(c))));
        const sbb = binary('sbb', a, b, f);
        expect(sbb.flags.cf).toBe(unsigned(a) < unsigned(b) + BigInt(c) ? 1 : 0);
        expect(sbb.flags.of).toBe(inRange(signed(a) - signed(b) - BigInt(c)));
        expect(sbb.result).toBe(Number(BigInt.asUintN(32, unsigned(a) - unsigned(b) - BigInt(c))));
      }),
      { numRuns: 300 },
    );
  });
  it('shifts: the one-bit-at-a-time model agrees with closed forms', () => {
    fc.assert(
      fc.property(word32, fc.integer({ min: 1, max: 31 }), (a, n) => {
        const f: Flags = { cf: 0, zf: 0, sf: 0, of: 0 };
        expect(shift('shl', a, n, f).result).toBe(Number(BigInt.asUintN(32, unsigned(a) << BigInt(n))));
        expect(shift('shr', a, n, f).result).toBe(a >>> n);
        expect(shift('sar', a, n, f).result).toBe((a >> n) >>> 0);
        expect(shift('rol', a, n, f).result).toBe(((a << n) | (a >>> (32 - n))) >>> 0);
        expect(shift('ror', a, n, f).result).toBe(((a >>> n) | (a << (32 - n))) >>> 0);
        expect(shift('shl', a, n, f).flags.cf).toBe((a >>> (32 - n)) & 1);
        expect(shift('shr', a, n, f).flags.cf).toBe((a >>> (n - 1)) & 1);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- memory operands: effective addresses and the bounds of RAM --------------

describe('memory operands', () => {
  const RAM = 64 * 1024;
  const near = fc.oneof(
    fc.integer({ min: 0, max: 0x100 }),
    fc.integer({ min: RAM - 0x40, max: RAM + 0x40 }),
    fc.integer({ min: -0x40, max: 0x40 }).map((x) => x >>> 0),
    word32,
  );
  const addressing = fc.record({
    base: near,
    index: near,
    scale: fc.constantFrom(1, 2, 4, 8),
    disp: fc.oneof(fc.integer({ min: -0x100, max: 0x100 }), word32.map((x) => x | 0)),
    size: fc.constantFrom('byte', 'word', 'dword'),
  });
  const effective = (a: { base: number; index: number; scale: number; disp: number }): number =>
    (a.base + a.index * a.scale + a.disp) >>> 0;
  const operand = (a: { scale: number; disp: number }): string => `[ebx + ecx*${a.scale} + ${a.disp}]`;

  it('lea computes base + index*scale + disp modulo 2^32', () => {
    fc.assert(
      fc.property(addressing, (a) => {
        const run = runAsm(`
_start:
    mov ebx, ${hex(a.base)}
    mov ecx, ${hex(a.index)}
    lea eax, ${operand(a)}
    out 0xf4, eax
`);
        expect(hex(run.reg('eax')), JSON.stringify(a)).toBe(hex(effective(a)));
      }),
      { numRuns: RUNS },
    );
  });

  it('a load reads RAM when the whole operand is inside it, and raises #GP otherwise', () => {
    fc.assert(
      fc.property(addressing, (a) => {
        const width = { byte: 1, word: 2, dword: 4 }[a.size];
        const load = a.size === 'dword' ? `mov eax, ${operand(a)}` : `movzx eax, ${a.size} ${operand(a)}`;
        let pattern: Uint8Array | undefined;
        const run = runAsm(
          `
_start:
    lidt [fault_idtr]
    mov ebx, ${hex(a.base)}
    mov ecx, ${hex(a.index)}
    mov eax, 0x5a5a5a5a
load:
    ${load}
    out 0xf4, eax
${FAULT_HANDLERS}
end_of_program:
`,
          {
            setup: (machine, r) => {
              // A pattern over the RAM above the program, as it is before the run.
              const bytes = machine.memory.bytes;
              for (let i = r.sym('end_of_program'); i < bytes.length; i++) bytes[i] = (i * 0x9e3779b1) >>> 24;
              pattern = bytes.slice();
            },
          },
        );
        const address = effective(a);
        const context = `${load} at ${hex(address)}`;
        if (address + width <= RAM) {
          expect(run.result.status, `${context}: ${run.result.reason}`).toBe('exited');
          let want = 0;
          for (let i = width - 1; i >= 0; i--) want = want * 256 + pattern![address + i];
          expect(hex(run.reg('eax')), context).toBe(hex(want));
        } else {
          expect(faultTaken(run), context).toBe('#GP');
          expect(exceptionFrame(run).eip, context).toBe(run.sym('load'));
          expect(hex(run.reg('eax')), `${context}: eax unchanged`).toBe('0x5a5a5a5a');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a store writes exactly its bytes when inside RAM, and raises #GP (writing nothing) otherwise', () => {
    fc.assert(
      fc.property(addressing, word32, (a, value) => {
        const width = { byte: 1, word: 2, dword: 4 }[a.size];
        const store = `mov ${a.size} ${operand(a)}, edx`;
        let before: Uint8Array | undefined;
        const program = assemble(`
    org 0x1000
_start:
    lidt [fault_idtr]
    mov ebx, ${hex(a.base)}
    mov ecx, ${hex(a.index)}
    mov edx, ${hex(value)}
    mov esp, 0x8000
store:
    ${store}
    out 0xf4, eax
${FAULT_HANDLERS}
`);
        const address = effective(a);
        // A store into the program itself would change what it does next.
        fc.pre(address + width <= program.origin || address >= program.origin + program.bytes.length);
        const run = runProgram(program, { setup: (machine) => void (before = machine.memory.bytes.slice()) });
        const context = `${store} at ${hex(address)} = ${hex(value)}`;
        const after = run.machine.memory.bytes;
        const want = before!.slice();
        if (address + width <= RAM) {
          expect(run.result.status, `${context}: ${run.result.reason}`).toBe('exited');
          for (let i = 0; i < width; i++) want[address + i] = (value >>> (8 * i)) & 0xff;
        } else {
          expect(faultTaken(run), context).toBe('#GP');
          // The only other bytes written: the exception frame below esp.
          const frame = 0x8000 - 8;
          want.set(after.subarray(frame, frame + 8), frame);
        }
        const differences: number[] = [];
        for (let i = 0; i < RAM; i++) if (after[i] !== want[i]) differences.push(i);
        expect(differences.slice(0, 8).map(hex), context).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
