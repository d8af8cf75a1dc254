// An independent reference model of the ALU and its flags, for the
// instruction-semantics tests. It is deliberately written unlike src/cpu:
// no lazy flags, no shortcuts. Additions and subtractions go through a
// bit-by-bit ripple-carry adder (CF is the carry out of bit 31, OF the carry
// into bit 31 XOR the carry out of it, as the hardware defines them); shifts
// and rotates follow the SDM's one-bit-at-a-time pseudocode; multiply and
// divide use BigInt and the SDM's range definitions.
//
// All values are unsigned 32-bit numbers (0..2^32-1). Flags are 0 or 1.

export interface Flags {
  cf: number;
  zf: number;
  sf: number;
  of: number;
}

export interface AluOut {
  /** The destination's new value (for cmp and test: the value computed and dropped). */
  result: number;
  flags: Flags;
}

export const u32 = (x: number): number => x >>> 0;
const bit = (x: number, i: number): number => (x >>> i) & 1;
const msb = (x: number): number => bit(x, 31);

/** eflags bits of the four arithmetic flags (plus the fixed bit 1). */
export function flagsToBits(f: Flags): number {
  return (f.cf << 0) | (f.zf << 6) | (f.sf << 7) | (f.of << 11);
}

export function bitsToFlags(eflags: number): Flags {
  return { cf: bit(eflags, 0), zf: bit(eflags, 6), sf: bit(eflags, 7), of: bit(eflags, 11) };
}

/** ZF and SF of a 32-bit result. */
function zs(result: number): { zf: number; sf: number } {
  return { zf: result === 0 ? 1 : 0, sf: msb(result) };
}

/** Ripple-carry adder: a + b + carryIn, one bit at a time. */
function rippleAdd(a: number, b: number, carryIn: number): { sum: number; carryOut: number; carryIntoMsb: number } {
  let carry = carryIn & 1;
  let sum = 0;
  let carryIntoMsb = 0;
  for (let i = 0; i < 32; i++) {
    const x = bit(a, i);
    const y = bit(b, i);
    if (i === 31) carryIntoMsb = carry;
    const s = x ^ y ^ carry;
    carry = (x & y) | (x & carry) | (y & carry);
    sum += s * 2 ** i;
  }
  return { sum, carryOut: carry, carryIntoMsb };
}

/** a + b + carryIn. */
function addWithCarry(a: number, b: number, carryIn: number): AluOut {
  const r = rippleAdd(u32(a), u32(b), carryIn);
  return { result: r.sum, flags: { cf: r.carryOut, ...zs(r.sum), of: r.carryIntoMsb ^ r.carryOut } };
}

/** a - b - borrowIn, computed as a + NOT b + (1 - borrowIn); CF is the borrow (NOT carry out). */
function subWithBorrow(a: number, b: number, borrowIn: number): AluOut {
  const r = rippleAdd(u32(a), u32(~b), 1 - (borrowIn & 1));
  return { result: r.sum, flags: { cf: 1 - r.carryOut, ...zs(r.sum), of: r.carryIntoMsb ^ r.carryOut } };
}

function logic(result: number): AluOut {
  const r = u32(result);
  return { result: r, flags: { cf: 0, ...zs(r), of: 0 } };
}

export type BinaryOp = 'add' | 'adc' | 'sub' | 'sbb' | 'and' | 'or' | 'xor' | 'cmp' | 'test';
export type UnaryOp = 'neg' | 'inc' | 'dec' | 'not';
export type ShiftOp = 'shl' | 'shr' | 'sar' | 'rol' | 'ror';

export const BINARY_OPS: readonly BinaryOp[] = ['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp', 'test'];
export const UNARY_OPS: readonly UnaryOp[] = ['neg', 'inc', 'dec', 'not'];
export const SHIFT_OPS: readonly ShiftOp[] = ['shl', 'shr', 'sar', 'rol', 'ror'];

/** dst OP src, given the flags before the instruction (adc/sbb read CF). */
export function binary(op: BinaryOp, dst: number, src: number, before: Flags): AluOut {
  switch (op) {
    case 'add':
      return addWithCarry(dst, src, 0);
    case 'adc':
      return addWithCarry(dst, src, before.cf);
    case 'sub':
    case 'cmp':
      return subWithBorrow(dst, src, 0);
    case 'sbb':
      return subWithBorrow(dst, src, before.cf);
    case 'and':
    case 'test':
      return logic(dst & src);
    case 'or':
      return logic(dst | src);
    case 'xor':
      return logic(dst ^ src);
  }
}

/** Whether the instruction writes its result back (cmp and test do not). */
export function writesResult(op: BinaryOp): boolean {
  return op !== 'cmp' && op !== 'test';
}

export function unary(op: UnaryOp, dst: number, before: Flags): AluOut {
  switch (op) {
    case 'neg': {
      // NEG is 0 - dst: CF = (dst != 0), OF only for 0x80000000.
      return subWithBorrow(0, dst, 0);
    }
    case 'inc': {
      const r = addWithCarry(dst, 1, 0);
      return { result: r.result, flags: { ...r.flags, cf: before.cf } };
    }
    case 'dec': {
      const r = subWithBorrow(dst, 1, 0);
      return { result: r.result, flags: { ...r.flags, cf: before.cf } };
    }
    case 'not':
      return { result: u32(~dst), flags: { ...before } };
  }
}

/** Shifts and rotates, one bit at a time as the SDM's pseudocode does.
 * The count is masked to 5 bits; a zero count leaves the flags alone. For
 * counts above 1 (OF undefined in the SDM) the emulator's documented choice:
 * SHL/ROL OF = MSB(result) XOR CF, SHR/ROR OF = bit 31 XOR bit 30 of the
 * result, SAR OF = 0. Rotates never change ZF and SF. */
export function shift(op: ShiftOp, dst: number, count: number, before: Flags): AluOut {
  const n = count & 0x1f;
  const original = u32(dst);
  if (n === 0) return { result: original, flags: { ...before } };
  let d = original;
  let cf = 0;
  for (let i = 0; i < n; i++) {
    switch (op) {
      case 'shl':
        cf = msb(d);
        d = u32(d * 2);
        break;
      case 'shr':
        cf = bit(d, 0);
        d = Math.floor(d / 2);
        break;
      case 'sar':
        cf = bit(d, 0);
        d = Math.floor(d / 2) + msb(d) * 0x80000000;
        break;
      case 'rol': {
        const top = msb(d);
        d = u32(d * 2) + top;
        break;
      }
      case 'ror': {
        const low = bit(d, 0);
        d = Math.floor(d / 2) + low * 0x80000000;
        break;
      }
    }
  }
  switch (op) {
    case 'shl':
      return { result: d, flags: { cf, ...zs(d), of: msb(d) ^ cf } };
    case 'shr':
      // Count 1: OF = MSB of the original operand; that is bit 30 of the
      // result XOR its bit 31 (which is 0), the documented rule for n > 1.
      return { result: d, flags: { cf, ...zs(d), of: n === 1 ? msb(original) : bit(d, 31) ^ bit(d, 30) } };
    case 'sar':
      return { result: d, flags: { cf, ...zs(d), of: 0 } };
    case 'rol': {
      const c = bit(d, 0);
      return { result: d, flags: { cf: c, zf: before.zf, sf: before.sf, of: msb(d) ^ c } };
    }
    case 'ror': {
      const c = msb(d);
      return { result: d, flags: { cf: c, zf: before.zf, sf: before.sf, of: bit(d, 31) ^ bit(d, 30) } };
    }
  }
}

// ---- multiply ----------------------------------------------------------------

const B32 = 1n << 32n;
const toS32 = (x: number): bigint => BigInt(x | 0);
const toU32 = (x: number): bigint => BigInt(x >>> 0);
const low32 = (x: bigint): number => Number(BigInt.asUintN(32, x));
const high32 = (x: bigint): number => Number(BigInt.asUintN(32, x >> 32n));

export interface WideOut {
  /** eax after the instruction (the low half). */
  lo: number;
  /** edx after the instruction (the high half). */
  hi: number;
  flags: Flags;
}

/** Flags after a multiply: CF = OF = the product did not fit; ZF and SF from
 * the low 32 bits (the emulator's documented choice; the SDM leaves them undefined). */
function mulFlags(lo: number, overflow: boolean): Flags {
  const o = overflow ? 1 : 0;
  return { cf: o, ...zs(lo), of: o };
}

/** mul src: edx:eax = eax * src, unsigned. */
export function mul(eax: number, src: number): WideOut {
  const p = toU32(eax) * toU32(src);
  const lo = low32(p);
  const hi = high32(p);
  return { lo, hi, flags: mulFlags(lo, p >= B32) };
}

/** imul src (one operand): edx:eax = eax * src, signed. */
export function imul1(eax: number, src: number): WideOut {
  const p = toS32(eax) * toS32(src);
  const lo = low32(p);
  const hi = high32(p);
  const fits = p >= -(1n << 31n) && p < 1n << 31n;
  return { lo, hi, flags: mulFlags(lo, !fits) };
}

/** imul dst, src (two operands, or dst, imm): dst = low 32 bits of the signed product. */
export function imul2(dst: number, src: number): AluOut {
  const r = imul1(dst, src);
  return { result: r.lo, flags: r.flags };
}

// ---- divide ------------------------------------------------------------------

export type DivOut = { fault: '#DE' } | { fault: null; quotient: number; remainder: number };

/** div src: eax = edx:eax / src, edx = remainder, unsigned. Flags are unchanged
 * (the SDM leaves them undefined; the emulator does not touch them). */
export function div(edx: number, eax: number, src: number): DivOut {
  const divisor = toU32(src);
  if (divisor === 0n) return { fault: '#DE' };
  const dividend = (toU32(edx) << 32n) | toU32(eax);
  const q = dividend / divisor;
  if (q >= B32) return { fault: '#DE' };
  return { fault: null, quotient: Number(q), remainder: Number(dividend % divisor) };
}

/** idiv src: signed, truncating toward zero; the remainder takes the dividend's sign. */
export function idiv(edx: number, eax: number, src: number): DivOut {
  const divisor = toS32(src);
  if (divisor === 0n) return { fault: '#DE' };
  const dividend = BigInt.asIntN(64, (toU32(edx) << 32n) | toU32(eax));
  const q = dividend / divisor; // BigInt division truncates toward zero
  if (q < -(1n << 31n) || q >= 1n << 31n) return { fault: '#DE' };
  return { fault: null, quotient: low32(q), remainder: low32(dividend % divisor) };
}

// ---- conditions ----------------------------------------------------------------

/** The jcc conditions of the ISA, by mnemonic, from the SDM's definitions. */
export const CONDITIONS: Readonly<Record<string, (f: Flags) => boolean>> = {
  jo: (f) => f.of === 1,
  jno: (f) => f.of === 0,
  jb: (f) => f.cf === 1,
  jae: (f) => f.cf === 0,
  je: (f) => f.zf === 1,
  jne: (f) => f.zf === 0,
  jbe: (f) => f.cf === 1 || f.zf === 1,
  ja: (f) => f.cf === 0 && f.zf === 0,
  js: (f) => f.sf === 1,
  jns: (f) => f.sf === 0,
  jl: (f) => f.sf !== f.of,
  jge: (f) => f.sf === f.of,
  jle: (f) => f.zf === 1 || f.sf !== f.of,
  jg: (f) => f.zf === 0 && f.sf === f.of,
};
export const CONDITION_NAMES = Object.keys(CONDITIONS);

/** Bit i set when condition CONDITION_NAMES[i] holds. */
export function conditionMask(f: Flags): number {
  let mask = 0;
  CONDITION_NAMES.forEach((name, i) => {
    if (CONDITIONS[name](f)) mask |= 1 << i;
  });
  return mask;
}
