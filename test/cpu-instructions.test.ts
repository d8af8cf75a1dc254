// One or more tests per instruction form of src/isa/table.ts, each a small
// program with hand-computed expected values. Every test names the forms it
// checks (`covers`), which also asserts that the form really executed; the
// last test fails when a form of the table has no test.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INSTRUCTIONS, type InstructionForm } from '../src/isa/table.ts';
import { hex, runAsm, type AsmRun } from './reference/harness.ts';
import { CONDITION_NAMES, flagsToBits, type Flags } from './reference/model.ts';
import { exceptionFrame, FAULT_HANDLERS, faultTaken, recordFlagsAsm } from './reference/programs.ts';

// ---- coverage of the instruction table ---------------------------------------------

const formKey = (f: InstructionForm): string => `${f.mnemonic} ${f.operands.join(',')}`.trim();
const FORMS = new Map(INSTRUCTIONS.map((f) => [formKey(f), f]));
const covered = new Set<string>();

/** Records that this run tests `keys` ('add r,m', 'nop', ...), after checking they executed. */
function covers(run: AsmRun, ...keys: string[]): void {
  for (const key of keys) {
    const form = FORMS.get(key);
    if (!form) throw new Error(`no instruction form '${key}' in the table`);
    expect(run.executed(form.opcode), `${key} executed`).toBeGreaterThan(0);
    covered.add(key);
  }
}

// ---- helpers -------------------------------------------------------------------------

/** Flags from a string of letters: 'CZ' = CF and ZF set, SF and OF clear. */
function flags(letters: string): Flags {
  return { cf: +letters.includes('C'), zf: +letters.includes('Z'), sf: +letters.includes('S'), of: +letters.includes('O') };
}
const complement = (f: Flags): Flags => ({ cf: 1 - f.cf, zf: 1 - f.zf, sf: 1 - f.sf, of: 1 - f.of });
const eflagsOf = (f: Flags, ifBit = false): number => flagsToBits(f) | 2 | (ifBit ? 0x200 : 0);
const ARITH = 0x8c1;

function expectExit(run: AsmRun, code?: number): void {
  expect(run.result.status, run.result.reason).toBe('exited');
  if (code !== undefined) expect(run.result.exitCode).toBe(code);
}

function expectArith(run: AsmRun, want: Flags, context = ''): void {
  expect(hex(run.eflags & ARITH), `${context} CF ZF SF OF`).toBe(hex(flagsToBits(want)));
}

const STACK_TOP = 0x10000; // the harness's 64 KiB of RAM: esp starts here

// ---- data movement -----------------------------------------------------------------

describe('mov', () => {
  it('mov r,r and mov r,i reach all sixteen registers', () => {
    const run = runAsm(`
_start:
    mov r15, 0x0f0f0f0f
    mov r14, r15
    mov r13, r14
    mov r12, r13
    mov r11, r12
    mov r10, r11
    mov r9, r10
    mov r8, r9
    mov edi, r8
    mov esi, edi
    mov ebp, esi
    mov ebx, ebp
    mov edx, ebx
    mov ecx, edx
    mov eax, ecx
    mov r14, -2
    mov r8, 0x80000000
    out 0xf4, eax
`);
    covers(run, 'mov r,r', 'mov r,i');
    expectExit(run, 0x0f);
    for (const r of ['eax', 'ecx', 'edx', 'ebx', 'ebp', 'esi', 'edi', 'r9', 'r10', 'r11', 'r12', 'r13', 'r15']) {
      expect(hex(run.reg(r)), r).toBe('0xf0f0f0f');
    }
    expect(hex(run.reg('r14'))).toBe('0xfffffffe');
    expect(hex(run.reg('r8'))).toBe('0x80000000');
    expect(run.reg('esp')).toBe(STACK_TOP);
  });

  it('mov r,m and mov m,r at aligned and unaligned addresses', () => {
    const run = runAsm(`
_start:
    mov eax, [bytes]
    mov ebx, [bytes + 1]
    mov ecx, 0xaabbccdd
    mov [buf + 1], ecx
    mov esi, buf
    mov [esi + 8], ecx
    out 0xf4, eax
bytes: db 0x80, 0x7f, 0xff, 0x01, 0x34, 0x12, 0x00, 0x80
buf: dd 0, 0, 0
`);
    covers(run, 'mov r,m', 'mov m,r');
    expectExit(run);
    expect(hex(run.reg('eax'))).toBe('0x1ff7f80');
    expect(hex(run.reg('ebx'))).toBe('0x3401ff7f');
    expect(hex(run.word('buf'))).toBe('0xbbccdd00');
    expect(hex(run.word('buf', 4))).toBe('0xaa');
    expect(hex(run.word('buf', 8))).toBe('0xaabbccdd');
  });

  it('mov m,i, and byte and word stores keep the neighbouring bytes', () => {
    const run = runAsm(`
_start:
    mov dword [buf + 8], 0xdeadbeef
    mov eax, 0x12345678
    mov byte [buf + 2], eax
    mov byte [buf + 5], 0xab
    mov word [buf + 3], eax
    mov word [buf + 6], 0xbeef
    mov byte [buf + 9], -1     ; the immediate word is 0xffffffff: one byte is stored
    out 0xf4, eax
buf: dd 0x11111111, 0x11111111, 0
`);
    covers(run, 'mov m,i', 'mov m8,r', 'mov m8,i', 'mov m16,r', 'mov m16,i');
    expectExit(run);
    // byte [2] = 0x78; word [3] = 0x5678 across the dword boundary; byte [5] = 0xab; word [6] = 0xbeef
    expect(hex(run.word('buf'))).toBe('0x78781111');
    expect(hex(run.word('buf', 4))).toBe('0xbeefab56');
    expect(hex(run.word('buf', 8))).toBe('0xdeadffef');
    expect(hex(run.reg('eax'))).toBe('0x12345678');
  });
});

describe('movzx and movsx', () => {
  it('zero- and sign-extend bytes and words, aligned or not', () => {
    const run = runAsm(`
_start:
    movzx eax, byte [bytes]
    movsx ebx, byte [bytes]
    movsx ecx, byte [bytes + 1]
    movzx edx, word [bytes + 1]
    movsx esi, word [bytes + 1]
    movzx edi, word [bytes + 6]
    movsx ebp, word [bytes + 6]
    movsx r8, word [bytes + 4]
    movzx r9, byte [bytes + 2]
    out 0xf4, eax
bytes: db 0x80, 0x7f, 0xff, 0x01, 0x34, 0x12, 0x00, 0x80
`);
    covers(run, 'movzx r,m8', 'movzx r,m16', 'movsx r,m8', 'movsx r,m16');
    expectExit(run);
    expect(hex(run.reg('eax'))).toBe('0x80');
    expect(hex(run.reg('ebx'))).toBe('0xffffff80');
    expect(hex(run.reg('ecx'))).toBe('0x7f');
    expect(hex(run.reg('edx'))).toBe('0xff7f');
    expect(hex(run.reg('esi'))).toBe('0xffffff7f');
    expect(hex(run.reg('edi'))).toBe('0x8000');
    expect(hex(run.reg('ebp'))).toBe('0xffff8000');
    expect(hex(run.reg('r8'))).toBe('0x1234');
    expect(hex(run.reg('r9'))).toBe('0xff');
  });
});

describe('lea', () => {
  it('computes every addressing shape without touching memory or flags', () => {
    const run = runAsm(`
_start:
    mov ebx, 0x1000
    mov ecx, 3
    mov edx, 0xffffffff
    push 0x8c3
    popf
    lea eax, [0x1234]
    lea esi, [ebx]
    lea edi, [ebx + 0x10]
    lea ebp, [ebx - 4]
    lea r8, [ebx + ecx]
    lea r9, [ebx + ecx*2 + 1]
    lea r10, [ecx*4 + 0x20]
    lea r11, [ecx*8]
    lea r12, [ebx + ecx*8 - 0x1000]
    lea r13, [edx + 2]
    lea r14, [edx + edx*8]
    lea r15, [esp + ecx*4 + 4]
    pushf
    pop dword [flags_out]
    out 0xf4, eax
flags_out: dd 0
`);
    covers(run, 'lea r,m');
    expectExit(run);
    const want: Record<string, number> = {
      eax: 0x1234,
      esi: 0x1000,
      edi: 0x1010,
      ebp: 0xffc,
      r8: 0x1003,
      r9: 0x1007,
      r10: 0x2c,
      r11: 0x18,
      r12: 0x18,
      r13: 1, // wraps around 2^32
      r14: 0xfffffff7, // -1 + -1*8
      r15: STACK_TOP + 16,
    };
    for (const [r, v] of Object.entries(want)) expect(hex(run.reg(r)), r).toBe(hex(v));
    expect(hex(run.word('flags_out') & ARITH)).toBe('0x8c1');
  });
});

describe('xchg', () => {
  it('xchg r,r swaps registers', () => {
    const run = runAsm(`
_start:
    mov eax, 1
    mov r12, 0x20000002
    xchg eax, r12
    xchg ebx, ebx
    out 0xf4, eax
`);
    covers(run, 'xchg r,r');
    expectExit(run, 2);
    expect(hex(run.reg('eax'))).toBe('0x20000002');
    expect(run.reg('r12')).toBe(1);
  });

  it('xchg r,m swaps with memory, in either operand order, unaligned too', () => {
    const run = runAsm(`
_start:
    mov eax, 0xaaaaaaaa
    xchg eax, [cell]
    mov ebx, 0x12345678
    xchg [cell + 5], ebx
    out 0xf4, eax
cell: dd 0x11111111, 0x22222222, 0x33333333
`);
    covers(run, 'xchg r,m');
    expectExit(run);
    expect(hex(run.reg('eax'))).toBe('0x11111111');
    expect(hex(run.word('cell'))).toBe('0xaaaaaaaa');
    expect(hex(run.reg('ebx'))).toBe('0x33222222');
    expect(hex(run.word('cell', 4))).toBe('0x34567822');
    expect(hex(run.word('cell', 8))).toBe('0x33333312');
  });
});

describe('cmpxchg', () => {
  it('cmpxchg m,r: equal stores the source and sets ZF; unequal loads eax', () => {
    const run = runAsm(`
_start:
    mov eax, 5
    mov ecx, 9
    cmpxchg [a], ecx
    pushf
    pop dword [flags1]
    mov ebx, eax
    mov eax, 1
    cmpxchg [b], ecx
    pushf
    pop dword [flags2]
    out 0xf4, eax
a: dd 5
b: dd 2
flags1: dd 0
flags2: dd 0
`);
    covers(run, 'cmpxchg m,r');
    expectExit(run);
    expect(run.word('a')).toBe(9);
    expect(run.reg('ebx')).toBe(5); // eax unchanged when equal
    expect(hex(run.word('flags1') & ARITH)).toBe(hex(flagsToBits(flags('Z'))));
    // 1 - 2: borrow and negative, as cmp eax, [b]
    expect(run.word('b')).toBe(2);
    expect(run.reg('eax')).toBe(2);
    expect(hex(run.word('flags2') & ARITH)).toBe(hex(flagsToBits(flags('CS'))));
  });

  it('cmpxchg r,r: both outcomes', () => {
    const run = runAsm(`
_start:
    mov eax, 7
    mov ebx, 7
    mov ecx, 0x80000000
    cmpxchg ebx, ecx
    mov esi, eax
    mov eax, 0x80000000
    mov edx, 1
    cmpxchg edx, ecx
    out 0xf4, eax
`);
    covers(run, 'cmpxchg r,r');
    expectExit(run);
    expect(hex(run.reg('ebx'))).toBe('0x80000000');
    expect(run.reg('esi')).toBe(7);
    // 0x80000000 - 1 overflows: OF set, ZF SF CF clear; eax takes edx's value.
    expect(run.reg('eax')).toBe(1);
    expect(run.reg('edx')).toBe(1);
    expectArith(run, flags('O'));
  });
});

// ---- ALU ------------------------------------------------------------------------------

interface AluCase {
  a: number;
  b: number;
  cf?: number;
  result: number;
  flags: string;
}

/** Hand-computed cases; `result` is what the instruction computes (cmp and test drop it). */
const ALU_CASES: Record<string, AluCase[]> = {
  add: [
    { a: 0xffffffff, b: 1, result: 0, flags: 'CZ' },
    { a: 0x7fffffff, b: 1, result: 0x80000000, flags: 'SO' },
    { a: 0x80000000, b: 0x80000000, result: 0, flags: 'CZO' },
  ],
  adc: [
    { a: 0xffffffff, b: 0, cf: 1, result: 0, flags: 'CZ' },
    { a: 0x7fffffff, b: 0, cf: 1, result: 0x80000000, flags: 'SO' },
    { a: 0xffffffff, b: 0xffffffff, cf: 1, result: 0xffffffff, flags: 'CS' },
    { a: 2, b: 3, cf: 0, result: 5, flags: '' },
  ],
  sub: [
    { a: 0, b: 1, result: 0xffffffff, flags: 'CS' },
    { a: 0x80000000, b: 1, result: 0x7fffffff, flags: 'O' },
    { a: 7, b: 7, result: 0, flags: 'Z' },
  ],
  sbb: [
    { a: 0, b: 0, cf: 1, result: 0xffffffff, flags: 'CS' },
    { a: 5, b: 4, cf: 1, result: 0, flags: 'Z' },
    { a: 0x80000000, b: 0, cf: 1, result: 0x7fffffff, flags: 'O' },
    { a: 5, b: 0xffffffff, cf: 1, result: 5, flags: 'C' },
  ],
  and: [
    { a: 0xf0f0f0f0, b: 0x0ff00ff0, result: 0x00f000f0, flags: '' },
    { a: 0x80000000, b: 0x80000001, result: 0x80000000, flags: 'S' },
    { a: 0xaaaaaaaa, b: 0x55555555, result: 0, flags: 'Z' },
  ],
  or: [
    { a: 0x80000000, b: 1, result: 0x80000001, flags: 'S' },
    { a: 0, b: 0, result: 0, flags: 'Z' },
  ],
  xor: [
    { a: 0x12345678, b: 0x12345678, result: 0, flags: 'Z' },
    { a: 0x7fffffff, b: 0xffffffff, result: 0x80000000, flags: 'S' },
  ],
  cmp: [
    { a: 1, b: 2, result: 0xffffffff, flags: 'CS' },
    { a: 0x80000000, b: 1, result: 0x7fffffff, flags: 'O' },
    { a: 0xffffffff, b: 0xffffffff, result: 0, flags: 'Z' },
  ],
  test: [
    { a: 0x80000000, b: 0xffffffff, result: 0x80000000, flags: 'S' },
    { a: 1, b: 2, result: 0, flags: 'Z' },
  ],
};

describe('two-operand ALU, every form, hand-computed', () => {
  for (const [op, cases] of Object.entries(ALU_CASES)) {
    const forms = op === 'test' ? ['r,r', 'r,i', 'm,r', 'm,i'] : ['r,r', 'r,i', 'r,m', 'm,r', 'm,i'];
    for (const form of forms) {
      it(`${op} ${form}`, () => {
        for (const c of cases) {
          const want = flags(c.flags);
          // Start from the opposite flags so that every flag must be written;
          // CF is an input of adc and sbb.
          const start = { ...complement(want), ...(c.cf !== undefined ? { cf: c.cf } : {}) };
          const text = {
            'r,r': `${op} eax, ebx`,
            'r,i': `${op} eax, ${hex(c.b)}`,
            'r,m': `${op} eax, [b_val]`,
            'm,r': `${op} [a_val], ebx`,
            'm,i': `${op} dword [a_val], ${hex(c.b)}`,
          }[form];
          const run = runAsm(`
_start:
    mov eax, ${hex(c.a)}
    mov ebx, ${hex(c.b)}
    push ${hex(eflagsOf(start))}
    popf
    ${text}
    out 0xf4, ecx
a_val: dd ${hex(c.a)}
b_val: dd ${hex(c.b)}
`);
          covers(run, `${op} ${form}`);
          expectExit(run);
          const context = `${op} ${form} ${hex(c.a)}, ${hex(c.b)}${c.cf !== undefined ? ` CF=${c.cf}` : ''}`;
          const stored = op === 'cmp' || op === 'test' ? c.a : c.result;
          const inMemory = form.startsWith('m');
          expect(hex(inMemory ? run.word('a_val') : run.reg('eax')), `${context} result`).toBe(hex(stored));
          expect(hex(inMemory ? run.reg('eax') : run.word('a_val')), `${context} other copy untouched`).toBe(hex(c.a));
          expect(hex(run.reg('ebx')), `${context} source untouched`).toBe(hex(c.b));
          expect(hex(run.word('b_val')), `${context} source untouched`).toBe(hex(c.b));
          expectArith(run, want, context);
        }
      });
    }
  }
});

describe('one-operand ALU', () => {
  it('not r, not m: complement, flags untouched', () => {
    const run = runAsm(`
_start:
    push 0x8c3
    popf
    mov eax, 0x0f0f00ff
    not eax
    not dword [cell]
    out 0xf4, eax
cell: dd 0xffffffff
`);
    covers(run, 'not r', 'not m');
    expectExit(run);
    expect(hex(run.reg('eax'))).toBe('0xf0f0ff00');
    expect(run.word('cell')).toBe(0);
    expectArith(run, flags('CZSO'));
  });

  it('neg r: of 0 (CF clear), of 0x80000000 (OF set), of 1', () => {
    const cases = [
      { a: 0, result: 0, flags: 'Z' },
      { a: 0x80000000, result: 0x80000000, flags: 'CSO' },
      { a: 1, result: 0xffffffff, flags: 'CS' },
      { a: 0xffffffff, result: 1, flags: 'C' },
    ];
    for (const c of cases) {
      const want = flags(c.flags);
      const run = runAsm(`
_start:
    push ${hex(eflagsOf(complement(want)))}
    popf
    mov eax, ${hex(c.a)}
    neg eax
    out 0xf4, eax
`);
      covers(run, 'neg r');
      expectExit(run);
      expect(hex(run.reg('eax')), `neg ${hex(c.a)}`).toBe(hex(c.result));
      expectArith(run, want, `neg ${hex(c.a)}`);
    }
  });

  it('neg m', () => {
    const run = runAsm(`
_start:
    neg dword [cell]
    pushf
    pop dword [flags1]
    neg dword [zero]
    out 0xf4, eax
cell: dd 5
zero: dd 0
flags1: dd 0
`);
    covers(run, 'neg m');
    expectExit(run);
    expect(hex(run.word('cell'))).toBe('0xfffffffb');
    expect(hex(run.word('flags1') & ARITH)).toBe(hex(flagsToBits(flags('CS'))));
    expect(run.word('zero')).toBe(0);
    expectArith(run, flags('Z'));
  });

  for (const cf of [0, 1]) {
    it(`inc and dec (r and m) keep CF=${cf}`, () => {
      const run = runAsm(`
_start:
    mov eax, 0x7fffffff
    mov ebx, 0x80000000
    mov ecx, 0xffffffff
    push ${cf ? '0x003' : '0x002'}
    popf
    inc eax
    pushf
    pop dword [f_inc_max]
    dec ebx
    pushf
    pop dword [f_dec_min]
    inc ecx
    pushf
    pop dword [f_inc_wrap]
    inc dword [m1]
    dec dword [m2]
    pushf
    pop dword [f_dec_one]
    out 0xf4, eax
m1: dd 0xffffffff
m2: dd 1
f_inc_max: dd 0
f_dec_min: dd 0
f_inc_wrap: dd 0
f_dec_one: dd 0
`);
      covers(run, 'inc r', 'dec r', 'inc m', 'dec m');
      expectExit(run);
      const c = cf ? 'C' : '';
      expect(hex(run.reg('eax'))).toBe('0x80000000');
      expect(hex(run.word('f_inc_max') & ARITH), 'inc 0x7fffffff').toBe(hex(flagsToBits(flags(c + 'SO'))));
      expect(hex(run.reg('ebx'))).toBe('0x7fffffff');
      expect(hex(run.word('f_dec_min') & ARITH), 'dec 0x80000000').toBe(hex(flagsToBits(flags(c + 'O'))));
      expect(run.reg('ecx')).toBe(0);
      expect(hex(run.word('f_inc_wrap') & ARITH), 'inc 0xffffffff').toBe(hex(flagsToBits(flags(c + 'Z'))));
      expect(run.word('m1')).toBe(0);
      expect(run.word('m2')).toBe(0);
      expect(hex(run.word('f_dec_one') & ARITH), 'dec [1]').toBe(hex(flagsToBits(flags(c + 'Z'))));
    });
  }
});

// ---- shifts and rotates -------------------------------------------------------------

interface ShiftCase {
  a: number;
  count: number;
  result: number;
  /** Flags after; for rotates ZF and SF are those set before (all flags start as `before`). */
  flags: string;
  before?: string;
}

const SHIFT_CASES: Record<string, ShiftCase[]> = {
  shl: [
    { a: 0x80000001, count: 1, result: 2, flags: 'CO' },
    { a: 0x40000000, count: 1, result: 0x80000000, flags: 'SO' },
    { a: 0x12345678, count: 4, result: 0x23456780, flags: 'CO' }, // CF = bit 28; OF = MSB ^ CF
    { a: 3, count: 31, result: 0x80000000, flags: 'CS' }, // CF = bit 1 = 1; OF = 1 ^ 1
    { a: 1, count: 33, result: 2, flags: '' }, // count masked to 1
  ],
  shr: [
    { a: 0x80000001, count: 1, result: 0x40000000, flags: 'CO' }, // OF = MSB of the original
    { a: 0x80000000, count: 31, result: 1, flags: '' },
    { a: 1, count: 1, result: 0, flags: 'CZ' },
    { a: 0xffffffff, count: 2, result: 0x3fffffff, flags: 'C' }, // OF = bit31 ^ bit30 of the result = 0
  ],
  sar: [
    { a: 0x80000001, count: 1, result: 0xc0000000, flags: 'CS' },
    { a: 0x80000000, count: 31, result: 0xffffffff, flags: 'S' },
    { a: 0x7fffffff, count: 30, result: 1, flags: 'C' },
    { a: 0xffffffff, count: 63, result: 0xffffffff, flags: 'CS' }, // 63 & 31 = 31
  ],
  rol: [
    { a: 0x80000001, count: 1, result: 3, flags: 'CZSO', before: 'ZS' }, // ZF SF kept
    { a: 0x12345678, count: 8, result: 0x34567812, flags: '', before: 'CO' },
    { a: 0x40000000, count: 1, result: 0x80000000, flags: 'O', before: 'C' }, // ZF SF not recomputed
  ],
  ror: [
    { a: 1, count: 1, result: 0x80000000, flags: 'CO', before: '' },
    { a: 0x12345678, count: 8, result: 0x78123456, flags: 'ZSO', before: 'CZS' },
    { a: 0x80000000, count: 31, result: 1, flags: 'Z', before: 'CZO' }, // CF = bit 31 = 0; OF = 0 ^ 0
  ],
};

describe('shifts and rotates, every form, hand-computed', () => {
  for (const [op, cases] of Object.entries(SHIFT_CASES)) {
    for (const form of ['r,i', 'r,r', 'm,i']) {
      it(`${op} ${form}`, () => {
        for (const c of cases) {
          const want = flags(c.flags);
          const start = c.before !== undefined ? flags(c.before) : complement(want);
          const text = { 'r,i': `${op} eax, ${c.count}`, 'r,r': `${op} eax, ecx`, 'm,i': `${op} dword [cell], ${c.count}` }[form];
          const run = runAsm(`
_start:
    mov eax, ${hex(c.a)}
    mov ecx, ${c.count}
    push ${hex(eflagsOf(start))}
    popf
    ${text}
    out 0xf4, eax
cell: dd ${hex(c.a)}
`);
          covers(run, `${op} ${form}`);
          expectExit(run);
          const context = `${op} ${form} ${hex(c.a)}, ${c.count}`;
          expect(hex(form === 'm,i' ? run.word('cell') : run.reg('eax')), context).toBe(hex(c.result));
          expectArith(run, want, context);
        }
      });
    }
  }

  it('a count of 0 (or a multiple of 32) changes nothing, flags included', () => {
    for (const op of Object.keys(SHIFT_CASES)) {
      for (const [start, count] of [
        ['CZSO', 0],
        ['', 32],
        ['CS', 0],
        ['ZO', 64],
      ] as const) {
        const run = runAsm(`
_start:
    mov eax, 0x80000001
    mov ecx, ${count}
    push ${hex(eflagsOf(flags(start)))}
    popf
    ${op} eax, ${count}
    ${op} eax, ecx
    ${op} dword [cell], ${count}
${recordFlagsAsm()}
    out 0xf4, eax
cell: dd 0x80000001
flags_out: dd 0
`);
        expectExit(run);
        const context = `${op} by ${count} with flags ${start || 'none'}`;
        expect(hex(run.reg('eax')), context).toBe('0x80000001');
        expect(hex(run.word('cell')), context).toBe('0x80000001');
        expect(hex(run.word('flags_out') & ARITH), context).toBe(hex(flagsToBits(flags(start))));
      }
    }
  });
});

// ---- multiply and divide ---------------------------------------------------------

describe('mul and imul', () => {
  it('mul r and mul m: edx:eax = eax * src, CF = OF = (edx != 0)', () => {
    const run = runAsm(`
_start:
    mov eax, 0x80000000
    mov ebx, 4
    mov edx, 0x55
    mul ebx
    mov esi, eax
    mov edi, edx
    pushf
    pop dword [f1]
    mov eax, 0xffffffff
    mul dword [m]
    out 0xf4, ecx
m: dd 0xffffffff
f1: dd 0
`);
    covers(run, 'mul r', 'mul m');
    expectExit(run);
    expect(run.reg('esi')).toBe(0);
    expect(run.reg('edi')).toBe(2);
    expect(hex(run.word('f1') & ARITH)).toBe(hex(flagsToBits(flags('CZO'))));
    // 0xffffffff^2 = 0xfffffffe_00000001
    expect(hex(run.reg('eax'))).toBe('0x1');
    expect(hex(run.reg('edx'))).toBe('0xfffffffe');
    expectArith(run, flags('CO'));
  });

  it('mul with a product that fits clears CF and OF', () => {
    const run = runAsm(`
_start:
    push 0x8c3
    popf
    mov eax, 3
    mov ecx, 5
    mul ecx
    out 0xf4, eax
`);
    expectExit(run, 15);
    expect(run.reg('edx')).toBe(0);
    expectArith(run, flags(''));
  });

  it('imul r and imul m: signed edx:eax', () => {
    const run = runAsm(`
_start:
    mov eax, -2
    mov ebx, 3
    imul ebx
    mov esi, eax
    mov edi, edx
    pushf
    pop dword [f1]
    mov eax, 0x10000
    imul dword [m]
    out 0xf4, ecx
m: dd 0x10000
f1: dd 0
`);
    covers(run, 'imul r', 'imul m');
    expectExit(run);
    expect(hex(run.reg('esi'))).toBe('0xfffffffa');
    expect(hex(run.reg('edi'))).toBe('0xffffffff');
    expect(hex(run.word('f1') & ARITH)).toBe(hex(flagsToBits(flags('S'))));
    expect(run.reg('eax')).toBe(0);
    expect(run.reg('edx')).toBe(1);
    expectArith(run, flags('CZO'));
  });

  it('imul r,r, imul r,m, imul r,i: truncated signed product, CF = OF = did not fit', () => {
    const run = runAsm(`
_start:
    mov edx, 0x77
    mov eax, -7
    mov ebx, 6
    imul eax, ebx
    pushf
    pop dword [f1]
    mov ecx, 0x40000000
    imul ecx, [two]
    pushf
    pop dword [f2]
    mov esi, 100
    imul esi, -3
    out 0xf4, eax
two: dd 2
f1: dd 0
f2: dd 0
`);
    covers(run, 'imul r,r', 'imul r,m', 'imul r,i');
    expectExit(run);
    expect(hex(run.reg('eax'))).toBe('0xffffffd6');
    expect(hex(run.word('f1') & ARITH)).toBe(hex(flagsToBits(flags('S'))));
    expect(hex(run.reg('ecx'))).toBe('0x80000000');
    expect(hex(run.word('f2') & ARITH)).toBe(hex(flagsToBits(flags('CSO'))));
    expect(hex(run.reg('esi'))).toBe('0xfffffed4');
    expectArith(run, flags('S'));
    expect(run.reg('edx')).toBe(0x77);
  });
});

describe('div and idiv', () => {
  it('div r and div m: unsigned quotient and remainder, flags unchanged', () => {
    const run = runAsm(`
_start:
    push 0x8c3
    popf
    mov edx, 1
    mov eax, 5
    mov ebx, 0x10
    div ebx
    mov esi, eax
    mov edi, edx
    mov edx, 0
    mov eax, 100
    div dword [seven]
    out 0xf4, eax
seven: dd 7
`);
    covers(run, 'div r', 'div m');
    expectExit(run, 14);
    expect(hex(run.reg('esi'))).toBe('0x10000000');
    expect(run.reg('edi')).toBe(5);
    expect(run.reg('edx')).toBe(2);
    expectArith(run, flags('CZSO'));
  });

  it('idiv r and idiv m: truncating toward zero, remainder has the sign of the dividend', () => {
    const run = runAsm(`
_start:
    mov edx, -1
    mov eax, -100
    mov ebx, 7
    idiv ebx
    mov esi, eax
    mov edi, edx
    mov edx, 0
    mov eax, 100
    idiv dword [minus7]
    out 0xf4, ecx
minus7: dd -7
`);
    covers(run, 'idiv r', 'idiv m');
    expectExit(run);
    expect(hex(run.reg('esi'))).toBe('0xfffffff2'); // -14
    expect(hex(run.reg('edi'))).toBe('0xfffffffe'); // -2
    expect(hex(run.reg('eax'))).toBe('0xfffffff2'); // -14
    expect(run.reg('edx')).toBe(2);
  });
});

// ---- stack --------------------------------------------------------------------------

describe('push and pop', () => {
  it('push r, push i, push m', () => {
    const run = runAsm(`
_start:
    mov eax, 0x11223344
    push eax
    push -2
    push dword [cell]
    out 0xf4, eax
cell: dd 0xcafef00d
`);
    covers(run, 'push r', 'push i', 'push m');
    expectExit(run);
    expect(run.reg('esp')).toBe(STACK_TOP - 12);
    expect(hex(run.word(STACK_TOP - 4))).toBe('0x11223344');
    expect(hex(run.word(STACK_TOP - 8))).toBe('0xfffffffe');
    expect(hex(run.word(STACK_TOP - 12))).toBe('0xcafef00d');
  });

  it('push esp pushes the value esp had before the push', () => {
    const run = runAsm(`
_start:
    push esp
    pop eax
    out 0xf4, eax
`);
    covers(run, 'push r', 'pop r');
    expectExit(run);
    expect(hex(run.reg('eax'))).toBe(hex(STACK_TOP));
    expect(run.reg('esp')).toBe(STACK_TOP);
  });

  it('pop r and pop m', () => {
    const run = runAsm(`
_start:
    push 0x1234
    push 0x5678
    pop ebx
    pop dword [cell]
    out 0xf4, eax
cell: dd 0
`);
    covers(run, 'pop r', 'pop m');
    expectExit(run);
    expect(run.reg('ebx')).toBe(0x5678);
    expect(run.word('cell')).toBe(0x1234);
    expect(run.reg('esp')).toBe(STACK_TOP);
  });

  it('pop into memory addressed through esp uses esp after the increment', () => {
    const run = runAsm(`
_start:
    mov esp, stack_top
    push 1
    push 2
    pop dword [esp]
    mov eax, esp
    push 3
    push 4
    pop dword [esp + 4]
    out 0xf4, eax
stack: times 8 dd 0
stack_top: dd 0x99
`);
    covers(run, 'pop m');
    expectExit(run);
    const top = run.sym('stack_top');
    // First pop: value 2 popped, esp = top - 4, stored at [top - 4] (over the 1).
    expect(run.reg('eax')).toBe(top - 4);
    // Second: 3 pushed at top-8, 4 at top-12; pop 4, esp = top-8, store at [top-8+4] = [top-4].
    expect(run.word(top - 4)).toBe(4);
    expect(run.word(top - 8)).toBe(3);
    expect(run.word(top)).toBe(0x99);
    expect(run.reg('esp')).toBe(top - 8);
  });

  it('pop esp loads esp with the popped value', () => {
    const run = runAsm(`
_start:
    push 0x8000
    pop esp
    out 0xf4, eax
`);
    expectExit(run);
    expect(hex(run.reg('esp'))).toBe('0x8000');
  });
});

describe('pushf and popf', () => {
  it('round-trip CF ZF SF OF and IF; bit 1 reads as 1; other bits read as 0', () => {
    const run = runAsm(`
_start:
    push 0xffffffff
    popf
    pushf
    pop dword [all]
    push 0
    popf
    pushf
    pop dword [none]
    push 0x0241
    popf
    pushf
    pop dword [some]
    push 0x880
    popf
    out 0xf4, eax
all: dd 0
none: dd 0
some: dd 0
`);
    covers(run, 'pushf', 'popf');
    expectExit(run);
    expect(hex(run.word('all'))).toBe('0xac3');
    expect(hex(run.word('none'))).toBe('0x2');
    expect(hex(run.word('some'))).toBe('0x243');
    expect(hex(run.eflags)).toBe('0x882');
  });

  it('the flags popf sets are the ones jcc and adc see', () => {
    const run = runAsm(`
_start:
    push 0x0801
    popf
    mov eax, 0
    adc eax, 0
    jo .wrong
    push 0x0801
    popf
    jno .wrong
    jnc .wrong
    out 0xf4, eax
.wrong:
    mov eax, 0xee
    out 0xf4, eax
`);
    expectExit(run, 1);
  });
});

// ---- control transfer --------------------------------------------------------------

describe('call, ret, jmp', () => {
  it('call rel pushes the address of the next instruction; ret returns to it', () => {
    const run = runAsm(`
_start:
    call routine
after_call:
    mov ecx, 0x77
    out 0xf4, eax
routine:
    mov ebx, [esp]
    mov eax, esp
    ret
`);
    covers(run, 'call rel', 'ret');
    expectExit(run);
    expect(run.reg('ebx')).toBe(run.sym('after_call'));
    expect(run.reg('eax')).toBe(STACK_TOP - 4);
    expect(run.reg('esp')).toBe(STACK_TOP);
    expect(run.reg('ecx')).toBe(0x77);
  });

  it('call r and call m', () => {
    const run = runAsm(`
_start:
    mov eax, routine
    call eax
after_r:
    mov esi, ebx
    call [vector]
after_m:
    out 0xf4, eax
routine:
    mov ebx, [esp]
    ret
vector: dd routine
`);
    covers(run, 'call r', 'call m');
    expectExit(run);
    expect(run.reg('esi')).toBe(run.sym('after_r'));
    expect(run.reg('ebx')).toBe(run.sym('after_m'));
    expect(run.reg('esp')).toBe(STACK_TOP);
  });

  it('jmp rel (forward and backward), jmp r, jmp m', () => {
    const run = runAsm(`
_start:
    mov ecx, 0
    jmp forward
    mov ecx, 0xbad
back:
    add ecx, 0x10
    mov eax, third
    jmp eax
    mov ecx, 0xbad
forward:
    add ecx, 1
    jmp back
third:
    add ecx, 0x100
    jmp [vector]
    mov ecx, 0xbad
fourth:
    add ecx, 0x1000
    out 0xf4, ecx
vector: dd fourth
`);
    covers(run, 'jmp rel', 'jmp r', 'jmp m');
    expectExit(run);
    expect(hex(run.reg('ecx'))).toBe('0x1111');
  });
});

/** For each jcc: flag sets (as letters) under which it is taken, and under which not. */
const JCC_CASES: Record<string, { taken: string[]; not: string[] }> = {
  jo: { taken: ['O', 'CZSO'], not: ['', 'CZS'] },
  jno: { taken: ['', 'CZS'], not: ['O', 'CZSO'] },
  jb: { taken: ['C', 'CZSO'], not: ['', 'ZSO'] },
  jae: { taken: ['', 'ZSO'], not: ['C', 'CZSO'] },
  je: { taken: ['Z', 'CZSO'], not: ['', 'CSO'] },
  jne: { taken: ['', 'CSO'], not: ['Z', 'CZSO'] },
  jbe: { taken: ['C', 'Z', 'CZ'], not: ['', 'SO'] },
  ja: { taken: ['', 'SO'], not: ['C', 'Z', 'CZ'] },
  js: { taken: ['S', 'CZSO'], not: ['', 'CZO'] },
  jns: { taken: ['', 'CZO'], not: ['S', 'CZSO'] },
  jl: { taken: ['S', 'O', 'CZS'], not: ['', 'SO', 'CZ'] },
  jge: { taken: ['', 'SO', 'CZ'], not: ['S', 'O', 'CZS'] },
  jle: { taken: ['Z', 'S', 'O', 'ZSO'], not: ['', 'SO', 'C'] },
  jg: { taken: ['', 'SO', 'C'], not: ['Z', 'S', 'O', 'ZSO'] },
};

describe('jcc', () => {
  it('the table has exactly these conditional jumps', () => {
    const jccs = INSTRUCTIONS.filter((f) => f.operands.length === 1 && f.operands[0] === 'rel' && /^j(?!mp)/.test(f.mnemonic));
    expect(jccs.map((f) => f.mnemonic).sort()).toEqual(Object.keys(JCC_CASES).sort());
    expect(CONDITION_NAMES.slice().sort()).toEqual(Object.keys(JCC_CASES).sort());
  });

  for (const [cc, { taken, not }] of Object.entries(JCC_CASES)) {
    it(`${cc} taken and not taken`, () => {
      for (const [state, expected] of [...taken.map((s) => [s, 2] as const), ...not.map((s) => [s, 1] as const)]) {
        const run = runAsm(`
_start:
    push ${hex(eflagsOf(flags(state)))}
    popf
    ${cc} .taken
    mov eax, 1
    out 0xf4, eax
.taken:
    mov eax, 2
    out 0xf4, eax
`);
        covers(run, `${cc} rel`);
        expect(run.result.exitCode, `${cc} with flags '${state}'`).toBe(expected);
      }
    });
  }

  it('after cmp, signed and unsigned conditions differ as on x86', () => {
    const cases: [number, number, string[]][] = [
      [0xffffffff, 1, ['jno', 'jae', 'jne', 'ja', 'js', 'jl', 'jle']],
      [0x80000000, 1, ['jo', 'jae', 'jne', 'ja', 'jns', 'jl', 'jle']],
      [1, 0x80000000, ['jo', 'jb', 'jne', 'jbe', 'js', 'jge', 'jg']],
      [5, 5, ['jno', 'jae', 'je', 'jbe', 'jns', 'jge', 'jle']],
      [2, 5, ['jno', 'jb', 'jne', 'jbe', 'js', 'jl', 'jle']],
    ];
    for (const [a, b, takenList] of cases) {
      const run = runAsm(`
_start:
    mov eax, ${hex(a)}
    mov ebx, ${hex(b)}
    cmp eax, ebx
${recordFlagsAsm()}
    out 0xf4, eax
flags_out: dd 0
`);
      expectExit(run);
      const taken = CONDITION_NAMES.filter((_, i) => (run.reg('esi') >>> i) & 1);
      expect(taken.sort(), `cmp ${hex(a)}, ${hex(b)}`).toEqual([...takenList].sort());
    }
  });

  it('a backward jcc loop runs the right number of times', () => {
    const run = runAsm(`
_start:
    mov ecx, 5
    mov eax, 0
again:
    add eax, 3
    dec ecx
    jne again
    out 0xf4, eax
`);
    expectExit(run, 15);
    expect(run.reg('ecx')).toBe(0);
  });
});

// ---- flags and interrupts ------------------------------------------------------

describe('stc, clc, cmc, cli, sti', () => {
  it('stc, clc and cmc change only CF', () => {
    const run = runAsm(`
_start:
    push 0x8c2
    popf
    stc
    pushf
    pop dword [f1]
    cmc
    pushf
    pop dword [f2]
    cmc
    clc
    pushf
    pop dword [f3]
    push 0x2
    popf
    cmc
    out 0xf4, eax
f1: dd 0
f2: dd 0
f3: dd 0
`);
    covers(run, 'stc', 'clc', 'cmc');
    expectExit(run);
    expect(hex(run.word('f1'))).toBe('0x8c3');
    expect(hex(run.word('f2'))).toBe('0x8c2');
    expect(hex(run.word('f3'))).toBe('0x8c2');
    expect(hex(run.eflags)).toBe('0x3');
  });

  it('sti: a pending interrupt is taken after the instruction that follows sti', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    mov eax, 100
    out 0x40, eax           ; period
    mov eax, 2
    out 0x42, eax           ; one-shot: pending long before the sti
    mov ecx, 1000           ; far longer than the period
.wait:
    dec ecx
    jne .wait
    mov ebx, 0
    sti
    mov ebx, 1              ; runs in the sti shadow
    mov ebx, 2
    mov eax, [seen]
    out 0xf4, eax
timer:
    mov [seen], ebx
    iret
idtr: dd idt, 0x21
idt: times 0x21 dd timer
seen: dd 0xff
`);
    expectExit(run, 1);
  });

  it('sti sets IF and cli clears it', () => {
    const run = runAsm(`
_start:
    sti
    pushf
    pop dword [f1]
    cli
    pushf
    pop dword [f2]
    out 0xf4, eax
f1: dd 0
f2: dd 0
`);
    covers(run, 'sti', 'cli');
    expectExit(run);
    expect(run.word('f1') & 0x200).toBe(0x200);
    expect(run.word('f2') & 0x200).toBe(0);
    expect(run.eflags & 0x200).toBe(0);
  });
});

describe('int, iret, lidt', () => {
  it('int pushes eflags then the return eip, clears IF; iret restores both', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    push 0xac3             ; CF ZF SF OF and IF
    popf
    mov eax, 0
    int 2
after_int:
    pushf
    pop dword [flags_after]
    out 0xf4, eax
handler:
    mov eax, [esp]
    mov [pushed_eip], eax
    mov eax, [esp + 4]
    mov [pushed_flags], eax
    mov [handler_esp], esp
    xor eax, eax
    pushf
    pop dword [handler_flags]
    mov eax, 0x42
    iret
idtr: dd idt, 3
idt: dd 0, 0, handler
pushed_eip: dd 0
pushed_flags: dd 0
handler_esp: dd 0
handler_flags: dd 0
flags_after: dd 0
`);
    covers(run, 'lidt m', 'int v8', 'iret');
    expectExit(run, 0x42);
    expect(run.word('pushed_eip')).toBe(run.sym('after_int'));
    expect(hex(run.word('pushed_flags'))).toBe('0xac3');
    expect(run.word('handler_esp')).toBe(STACK_TOP - 8);
    // In the handler: IF clear, and xor's flags are its own.
    expect(hex(run.word('handler_flags'))).toBe('0x42');
    // After iret: all of eflags back, IF included, and the stack balanced.
    expect(hex(run.word('flags_after'))).toBe('0xac3');
    expect(run.reg('esp')).toBe(STACK_TOP);
  });

  it('iret loads the eip and eflags it pops, not only the ones int pushed', () => {
    const run = runAsm(`
_start:
    push 0x0881
    push elsewhere
    iret
    mov eax, 0xbad
    out 0xf4, eax
elsewhere:
    mov eax, 7
    out 0xf4, eax
`);
    covers(run, 'iret', 'push i');
    expectExit(run, 7);
    expect(hex(run.eflags)).toBe('0x883');
    expect(run.reg('esp')).toBe(STACK_TOP);
  });

  it('lidt takes {base, count}; a later lidt replaces the table', () => {
    const run = runAsm(`
_start:
    lidt [table1]
    int 1
    lidt [table2]
    int 1
    out 0xf4, eax
h1:
    add eax, 1
    iret
h2:
    add eax, 0x10
    iret
table1: dd idt1, 2
table2: dd idt2, 2
idt1: dd 0, h1
idt2: dd 0, h2
`);
    covers(run, 'lidt m');
    expectExit(run, 0x11);
  });
});

// ---- processor identification, time, MSRs ------------------------------------

describe('cpuid', () => {
  it('leaf 0: highest leaf 1 and vendor "smtnest CPU " in ebx, edx, ecx', () => {
    const run = runAsm(`
_start:
    mov eax, 0
    mov ebx, 0x55
    mov ecx, 0x55
    mov edx, 0x55
    cpuid
    out 0xf4, ecx
`);
    covers(run, 'cpuid');
    expectExit(run);
    expect(run.reg('eax')).toBe(1);
    const bytes = Buffer.alloc(12);
    bytes.writeUInt32LE(run.reg('ebx'), 0);
    bytes.writeUInt32LE(run.reg('edx'), 4);
    bytes.writeUInt32LE(run.reg('ecx'), 8);
    expect(bytes.toString('latin1')).toBe('smtnest CPU ');
  });

  it('leaf 1: MONITOR, TSC and MSR feature bits, one hardware thread; unknown leaves read 0', () => {
    const run = runAsm(`
_start:
    mov eax, 1
    cpuid
    mov [leaf1], eax
    mov [leaf1 + 4], ebx
    mov [leaf1 + 8], ecx
    mov [leaf1 + 12], edx
    mov eax, 0x1234
    mov ebx, 5
    mov ecx, 5
    mov edx, 5
    cpuid
    out 0xf4, eax
leaf1: dd 0, 0, 0, 0
`);
    expectExit(run);
    expect(run.word('leaf1', 8) & (1 << 3), 'ECX.MONITOR').toBe(1 << 3);
    expect(run.word('leaf1', 12) & (1 << 4), 'EDX.TSC').toBe(1 << 4);
    expect(run.word('leaf1', 12) & (1 << 5), 'EDX.MSR').toBe(1 << 5);
    expect((run.word('leaf1', 4) >>> 16) & 0xff, 'EBX[23:16] threads').toBe(1);
    expect([run.reg('eax'), run.reg('ebx'), run.reg('ecx'), run.reg('edx')]).toEqual([0, 0, 0, 0]);
  });
});

describe('rdtsc, rdmsr, wrmsr', () => {
  it('rdtsc increases and follows the cycle count', () => {
    const run = runAsm(`
_start:
    rdtsc
    mov esi, eax
    mov edi, edx
    nop
    nop
    rdtsc
    out 0xf4, ecx
`);
    covers(run, 'rdtsc');
    expectExit(run);
    expect(run.reg('edi')).toBe(0);
    expect(run.reg('edx')).toBe(0);
    expect(run.reg('eax')).toBeGreaterThan(run.reg('esi'));
    expect(run.reg('eax')).toBeLessThanOrEqual(run.machine.cpu.cycles);
    expect(run.reg('esi')).toBeGreaterThan(0);
  });

  it('wrmsr IA32_TIME_STAMP_COUNTER sets the TSC (both halves); rdmsr and rdtsc read it', () => {
    const run = runAsm(`
_start:
    mov ecx, 0x10
    mov edx, 1
    mov eax, 0xfffff000
    wrmsr
    rdmsr
    mov esi, eax
    mov edi, edx
    rdtsc
    out 0xf4, ecx
`);
    covers(run, 'wrmsr', 'rdmsr');
    expectExit(run);
    expect(run.reg('edi')).toBe(1);
    expect(run.reg('esi')).toBeGreaterThan(0xfffff000);
    // The rdtsc after it: more time has passed, and the count carries into edx.
    const tsc = run.reg('edx') * 2 ** 32 + run.reg('eax');
    expect(tsc).toBeGreaterThan(run.reg('edi') * 2 ** 32 + run.reg('esi'));
    expect(tsc).toBeLessThan(0x1fffff000 + 10_000);
  });

  it('the TSC stays exact and keeps counting when written with a value above 2^53', () => {
    // Differential: the same program with a small TSC value and with large
    // ones must read the same offsets from the value written.
    const deltas = (hi: number, lo: number) => {
      const run = runAsm(`
_start:
    mov ecx, 0x10
    mov edx, ${hex(hi)}
    mov eax, ${hex(lo)}
    wrmsr
    rdtsc
    mov esi, eax
    mov edi, edx
    nop
    rdmsr
    out 0xf4, ecx
`);
      expectExit(run);
      const written = (BigInt(hi) << 32n) | BigInt(lo);
      const read = (h: number, l: number) => BigInt.asUintN(64, ((BigInt(h) << 32n) | BigInt(l)) - written);
      return [read(run.reg('edi'), run.reg('esi')), read(run.reg('edx'), run.reg('eax'))];
    };
    const reference = deltas(0, 0x1000);
    expect(reference[0]).toBeGreaterThan(0n);
    expect(reference[1]).toBeGreaterThan(reference[0]);
    for (const [hi, lo] of [
      [0x00400000, 0x00000001],
      [0x80000000, 0x00000100],
      [0xffffffff, 0xfffff000],
      [0xffffffff, 0xffffffff], // wraps to 0 and keeps counting
    ]) {
      expect(deltas(hi, lo), `TSC written as ${hex(hi)}:${hex(lo)}`).toEqual(reference);
    }
  });

  for (const insn of ['rdmsr', 'wrmsr']) {
    it(`${insn} of an unknown MSR raises #GP with nothing changed`, () => {
      const run = runAsm(`
_start:
    lidt [fault_idtr]
    mov ecx, 0x1234
    mov eax, 0x11
    mov edx, 0x22
faulting:
    ${insn}
    mov eax, 0xbad
    out 0xf4, eax
${FAULT_HANDLERS}
`);
      covers(run, insn);
      expect(faultTaken(run)).toBe('#GP');
      expect(exceptionFrame(run).eip).toBe(run.sym('faulting'));
      expect([run.reg('eax'), run.reg('edx'), run.reg('ecx')]).toEqual([0x11, 0x22, 0x1234]);
    });
  }
});

// ---- monitor, mwait, hlt, nop, pause, ud2 ------------------------------------------

describe('monitor and mwait', () => {
  it('mwait returns at once when the monitored line was written after monitor', () => {
    const run = runAsm(`
_start:
    mov eax, flag
    mov ecx, 0
    mov edx, 0
    monitor
    mov dword [flag + 8], 1
    mwait
    mov eax, 3
    out 0xf4, eax
align 64
flag: dd 0, 0, 0, 0
`);
    covers(run, 'monitor', 'mwait');
    expectExit(run, 3);
  });

  it('mwait with nothing armed is a no-op', () => {
    const run = runAsm(`
_start:
    mov ecx, 0
    mwait
    mov eax, 4
    out 0xf4, eax
`);
    covers(run, 'mwait');
    expectExit(run, 4);
  });

  it('mwait sleeps when nothing can wake it: the run ends in deadlock, parked after the mwait', () => {
    const run = runAsm(`
_start:
    mov eax, flag
    mov ecx, 0
    monitor
    mwait
after:
    mov eax, 5
    out 0xf4, eax
align 64
flag: dd 0
`);
    covers(run, 'monitor', 'mwait');
    expect(run.result.status, run.result.reason).toBe('deadlock');
    expect(run.machine.cpu.eip).toBe(run.sym('after'));
  });

  it('mwait with ecx bit 0 set wakes on a masked interrupt without taking it', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    mov eax, 500
    out 0x40, eax
    mov eax, 2
    out 0x42, eax           ; one-shot timer
    mov eax, flag
    mov ecx, 0
    monitor
    mov ecx, 1
    mwait                   ; IF is clear: the interrupt wakes, is not taken
    mov ebx, [ticks]        ; 0: not delivered yet
    sti
    nop                     ; delivered after this one
    mov eax, [ticks]
    shl ebx, 4
    add eax, ebx
    out 0xf4, eax
timer:
    add dword [ticks], 1
    iret
idtr: dd idt, 0x21
idt: times 0x21 dd timer
ticks: dd 0
align 64
flag: dd 0
`);
    expectExit(run, 1);
  });

  it('a write to another line does not end the wait; a timer interrupt does', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    mov eax, 500
    out 0x40, eax          ; timer period
    mov eax, 2
    out 0x42, eax          ; one-shot
    mov dword [other], 1
    mov eax, flag
    mov ecx, 0
    monitor
    mov dword [other], 2
    sti
    mwait
    mov eax, [ticks]
    add eax, 0x10
    out 0xf4, eax
timer:
    add dword [ticks], 1
    iret
idtr: dd idt, 0x21
idt: times 0x20 dd 0
    dd timer
ticks: dd 0
align 64
flag: dd 0
align 64
other: dd 0
`);
    expectExit(run, 0x11);
  });
});

describe('hlt, nop, pause, ud2', () => {
  it('hlt with IF clear ends the run halted, eip after the hlt', () => {
    const run = runAsm(`
_start:
    mov eax, 9
    cli
    hlt
after:
    out 0xf4, eax
`);
    covers(run, 'hlt');
    expect(run.result.status).toBe('halted');
    expect(run.result.exitCode).toBe(0);
    expect(run.machine.cpu.eip).toBe(run.sym('after'));
  });

  it('hlt with IF clear ends the run halted even while a timer is running', () => {
    // With IF clear nothing can wake the thread (the contract: a run ends when
    // every thread is halted with interrupts off). maxCycles only bounds the test.
    const run = runAsm(
      `
_start:
    mov eax, 1000
    out 0x40, eax          ; timer period
    mov eax, 1
    out 0x42, eax          ; periodic
    cli
    hlt
`,
      { maxCycles: 2_000_000 },
    );
    expect(run.result.status, run.result.reason).toBe('halted');
  });

  it('mwait (ecx = 0) with IF clear cannot be woken by the timer: the run ends in deadlock', () => {
    const run = runAsm(
      `
_start:
    mov eax, 1000
    out 0x40, eax          ; timer period
    mov eax, 1
    out 0x42, eax          ; periodic
    mov eax, flag
    mov ecx, 0
    monitor
    mwait
flag: dd 0
`,
      { maxCycles: 2_000_000 },
    );
    expect(run.result.status, run.result.reason).toBe('deadlock');
  });

  it('hlt with IF set sleeps until the timer interrupt, then continues', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    mov eax, 300
    out 0x40, eax
    mov eax, 2
    out 0x42, eax
    sti
    hlt
    mov eax, [ticks]
    out 0xf4, eax
timer:
    add dword [ticks], 1
    iret
idtr: dd idt, 0x21
idt: times 0x21 dd timer
ticks: dd 0
`);
    expectExit(run, 1);
  });

  it('nop and pause change nothing but eip', () => {
    const run = runAsm(`
_start:
    mov eax, 0x1234
    push 0x8c3
    popf
    nop
    pause
    nop
    pushf
    pop ebx
    out 0xf4, eax
`);
    covers(run, 'nop', 'pause');
    expectExit(run, 0x34);
    expect(hex(run.reg('ebx'))).toBe('0x8c3');
    expect(run.reg('esp')).toBe(STACK_TOP);
  });

  it('ud2 raises #UD at its own address', () => {
    const run = runAsm(`
_start:
    lidt [fault_idtr]
here:
    ud2
    out 0xf4, eax
${FAULT_HANDLERS}
`);
    covers(run, 'ud2');
    expect(faultTaken(run)).toBe('#UD');
    expect(exceptionFrame(run).eip).toBe(run.sym('here'));
  });
});

// ---- port I/O -----------------------------------------------------------------

describe('in and out', () => {
  it('out port,r and out r,r print the low byte on the serial console', () => {
    const run = runAsm(`
_start:
    mov eax, 'H'
    out 0x3f8, eax
    mov eax, 0x1269         ; 'i' in the low byte
    out 0x3f8, eax
    mov edx, 0x3f8
    mov ebx, '!'
    out edx, ebx
    mov eax, 0
    out 0xf4, eax
`);
    covers(run, 'out port,r', 'out r,r');
    expectExit(run, 0);
    expect(run.machine.serial.text()).toBe('Hi!');
  });

  it('out to the debug-exit port through a register ends the run with the low byte', () => {
    const run = runAsm(`
_start:
    mov edx, 0xf4
    mov eax, 0x1ff
    out edx, eax
    mov eax, 1
    out 0xf4, eax
`);
    expectExit(run, 0xff);
  });

  it('in r,port and in r,r: device registers, and all ones from an unclaimed port', () => {
    const run = runAsm(`
_start:
    in eax, 0x3fd
    in ebx, 0x1234
    mov edx, 0x3fd
    in ecx, edx
    mov edx, 0xbeef
    in esi, edx
    out 0xf4, eax
`);
    covers(run, 'in r,port', 'in r,r');
    expectExit(run);
    expect(hex(run.reg('eax'))).toBe('0x60');
    expect(hex(run.reg('ebx'))).toBe('0xffffffff');
    expect(hex(run.reg('ecx'))).toBe('0x60');
    expect(hex(run.reg('esi'))).toBe('0xffffffff');
  });

  it('out to an unclaimed port is ignored', () => {
    const run = runAsm(`
_start:
    mov eax, 0x41
    out 0x1234, eax
    mov eax, 2
    out 0xf4, eax
`);
    expectExit(run, 2);
    expect(run.machine.serial.text()).toBe('');
  });
});

// ---- VMX instructions outside VMX operation --------------------------------------

describe('VMX instructions outside VMX operation raise #UD', () => {
  // The contract: VMX instructions outside VMX operation raise #UD (vmxon,
  // which enters VMX operation, is tested with the VMX suite).
  const CASES: [key: string, text: string][] = [
    ['vmxoff', 'vmxoff'],
    ['vmptrld m', 'vmptrld [region]'],
    ['vmptrst m', 'vmptrst [region]'],
    ['vmclear m', 'vmclear [region]'],
    ['vmread r,r', 'vmread eax, ebx'],
    ['vmread m,r', 'vmread [region], ebx'],
    ['vmwrite r,r', 'vmwrite ebx, eax'],
    ['vmwrite r,m', 'vmwrite ebx, [region]'],
    ['vmlaunch', 'vmlaunch'],
    ['vmresume', 'vmresume'],
    ['vmcall', 'vmcall'],
    ['invept r,m', 'invept eax, [region]'],
  ];
  for (const [key, text] of CASES) {
    it(key, () => {
      const run = runAsm(`
_start:
    lidt [fault_idtr]
    mov eax, 1
    mov ebx, 0x4402
faulting:
    ${text}
    out 0xf4, eax
${FAULT_HANDLERS}
region: times 8 dd 0
`);
      expect(faultTaken(run), text).toBe('#UD');
      expect(exceptionFrame(run).eip).toBe(run.sym('faulting'));
      expect([run.reg('eax'), run.reg('ebx')]).toEqual([1, 0x4402]);
      expect(run.word('region')).toBe(0);
      // Faulted at the instruction, which is what this test checks, whether or
      // not the interpreter counts a #UD as executed.
      if (!FORMS.has(key)) throw new Error(`no instruction form '${key}' in the table`);
      covered.add(key);
    });
  }
});

// ---- coverage ---------------------------------------------------------------------

/** Forms whose tests live in another test file: form key -> a pattern for the
 * file's name (in test/); some such file must exist and name the mnemonic. */
const TESTED_ELSEWHERE: Record<string, RegExp> = {
  'vmxon m': /^vmx.*\.test\.ts$/,
  'rdtreg r,r': /^hw-mode\.test\.ts$/,
  'wrtreg r,r': /^hw-mode\.test\.ts$/,
};

describe('coverage', () => {
  it('every instruction form of the table has a test here (or is listed in TESTED_ELSEWHERE)', () => {
    // Under a name filter (-t) that ran none of the tests above there is nothing to check.
    if (covered.size === 0) return;
    const missing = [...FORMS.keys()].filter((key) => !covered.has(key) && !(key in TESTED_ELSEWHERE));
    expect(missing, 'instruction forms without a test: add one here (covers) or list it in TESTED_ELSEWHERE').toEqual([]);
    const testDir = fileURLToPath(new URL('.', import.meta.url));
    const files = readdirSync(testDir);
    for (const [key, pattern] of Object.entries(TESTED_ELSEWHERE)) {
      const mnemonic = new RegExp(`\\b${key.split(' ')[0]}\\b`);
      const testing = files.filter((f) => pattern.test(f) && mnemonic.test(readFileSync(testDir + f, 'utf8')));
      expect(testing, `${key}: a test file in test/ matching ${pattern} that names it`).not.toEqual([]);
    }
  });
});
