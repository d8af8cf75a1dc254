// Arithmetic flags, computed lazily. An ALU instruction records what it did
// (the operation kind, its operands and result); CF ZF SF OF are derived
// only when something reads them (a jcc, adc, pushf, an interrupt). This is
// the technique Bochs and QEMU use: most flag results are never read.

export const EFLAGS_CF = 1 << 0;
export const EFLAGS_FIXED = 1 << 1; // reads as 1
export const EFLAGS_ZF = 1 << 6;
export const EFLAGS_SF = 1 << 7;
export const EFLAGS_IF = 1 << 9;
export const EFLAGS_OF = 1 << 11;
export const EFLAGS_ARITH = EFLAGS_CF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF;

/** What the last flag-writing instruction was. */
export const FLAGS_ADD = 0; // res = a + b
export const FLAGS_ADC = 1; // res = a + b + carry
export const FLAGS_SUB = 2; // res = a - b (also cmp and neg as 0 - b)
export const FLAGS_SBB = 3; // res = a - b - carry
export const FLAGS_LOGIC = 4; // CF = OF = 0
export const FLAGS_INC = 5; // res = a + 1, CF kept in carry
export const FLAGS_DEC = 6; // res = a - 1, CF kept in carry
export const FLAGS_CO = 7; // CF, OF given in carry, over; ZF SF from res
export const FLAGS_ALL = 8; // all four given in eflags (after popf, iret, rotates)

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

/** The lazily evaluated flag state of one hardware thread. */
export class LazyFlags {
  op = FLAGS_LOGIC;
  res = 0;
  a = 0;
  b = 0;
  carry = 0;
  over = 0;
  eflags = 0;

  cf(): number {
    switch (this.op) {
      case FLAGS_ADD:
        return (this.res >>> 0) < (this.a >>> 0) ? 1 : 0;
      case FLAGS_ADC:
        return (this.carry ? (this.res >>> 0) <= (this.a >>> 0) : (this.res >>> 0) < (this.a >>> 0)) ? 1 : 0;
      case FLAGS_SUB:
        return (this.a >>> 0) < (this.b >>> 0) ? 1 : 0;
      case FLAGS_SBB:
        return (this.carry ? (this.a >>> 0) <= (this.b >>> 0) : (this.a >>> 0) < (this.b >>> 0)) ? 1 : 0;
      case FLAGS_LOGIC:
        return 0;
      case FLAGS_ALL:
        return this.eflags & EFLAGS_CF;
      default:
        return this.carry;
    }
  }

  of(): number {
    switch (this.op) {
      case FLAGS_ADD:
      case FLAGS_ADC:
        return ((this.a ^ this.res) & (this.b ^ this.res)) < 0 ? 1 : 0;
      case FLAGS_SUB:
      case FLAGS_SBB:
        return ((this.a ^ this.b) & (this.a ^ this.res)) < 0 ? 1 : 0;
      case FLAGS_LOGIC:
        return 0;
      case FLAGS_INC:
        return this.res === INT_MIN ? 1 : 0;
      case FLAGS_DEC:
        return this.res === INT_MAX ? 1 : 0;
      case FLAGS_CO:
        return this.over;
      default:
        return (this.eflags >>> 11) & 1;
    }
  }

  zf(): number {
    return this.op === FLAGS_ALL ? (this.eflags >>> 6) & 1 : this.res === 0 ? 1 : 0;
  }

  sf(): number {
    return this.op === FLAGS_ALL ? (this.eflags >>> 7) & 1 : this.res >>> 31;
  }

  /** CF ZF SF OF as eflags bits. */
  arith(): number {
    return this.cf() | (this.zf() << 6) | (this.sf() << 7) | (this.of() << 11);
  }

  /** Replaces CF ZF SF OF with the bits of `eflags`. */
  setArith(eflags: number): void {
    this.op = FLAGS_ALL;
    this.eflags = eflags & EFLAGS_ARITH;
  }

  /** Evaluates condition code `cc` (x86 numbering: 0 o, 1 no, 2 b, 3 ae,
   * 4 e, 5 ne, 6 be, 7 a, 8 s, 9 ns, 12 l, 13 ge, 14 le, 15 g). */
  condition(cc: number): boolean {
    let result: number;
    switch (cc >> 1) {
      case 0:
        result = this.of();
        break;
      case 1:
        result = this.cf();
        break;
      case 2:
        result = this.zf();
        break;
      case 3:
        result = this.cf() | this.zf();
        break;
      case 4:
        result = this.sf();
        break;
      case 6:
        // After a compare, signed less-than is just the comparison.
        result = this.op === FLAGS_SUB ? (this.a < this.b ? 1 : 0) : this.sf() ^ this.of();
        break;
      case 7:
        result = this.op === FLAGS_SUB ? (this.a <= this.b ? 1 : 0) : this.zf() | (this.sf() ^ this.of());
        break;
      default:
        result = 0; // cc 10/11 (parity) are not in this machine's ISA
    }
    return (result ^ (cc & 1)) !== 0;
  }
}
