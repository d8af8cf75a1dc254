// Binary encoding of instructions. Fixed layout chosen for decode speed:
// every instruction is one aligned 32-bit header word, followed by a
// displacement word when it has a memory operand, then an immediate word
// when it has an immediate, port, vector or branch target. Instructions are
// therefore 4, 8 or 12 bytes long and always 4-byte aligned.
//
// Header word (little-endian):
//   bits  0-7   opcode (see table.ts; unassigned opcodes raise #UD)
//   bits  8-11  register operand A (the first register operand)
//   bits 12-15  register operand B (the second register operand)
//   bits 16-20  memory base register, 16 = none
//   bits 21-25  memory index register, 16 = none
//   bits 26-27  log2 of the index scale
//   bits 28-31  reserved, zero
// Fields a form does not use must be zero; anything else raises #UD.

import { BY_OPCODE, type InstructionForm, type OperandKind } from './table.ts';

export const NO_REG = 16;
export const MAX_INSTRUCTION_BYTES = 12;

export type Operand =
  | { kind: 'reg'; reg: number }
  | { kind: 'imm'; value: number }
  | { kind: 'mem'; base: number; index: number; scale: 1 | 2 | 4 | 8; disp: number };

export function hasMemory(form: InstructionForm): boolean {
  return form.operands.some((k) => k === 'm' || k === 'm8' || k === 'm16');
}

export function isImmediateKind(kind: OperandKind): boolean {
  return kind === 'i' || kind === 'rel' || kind === 'port' || kind === 'v8';
}

export function hasImmediate(form: InstructionForm): boolean {
  return form.operands.some(isImmediateKind);
}

export function formLength(form: InstructionForm): number {
  return 4 + (hasMemory(form) ? 4 : 0) + (hasImmediate(form) ? 4 : 0);
}

/** Header bits a form may set; everything else must be zero. */
export function allowedHeaderBits(form: InstructionForm): number {
  let mask = 0xff;
  const regs = form.operands.filter((k) => k === 'r').length;
  if (regs >= 1) mask |= 0xf00;
  if (regs >= 2) mask |= 0xf000;
  if (hasMemory(form)) mask |= 0x0fff0000;
  return mask >>> 0;
}

/** Per-opcode tables for the interpreter's decoder: length and allowed bits. */
export const LENGTH_BY_OPCODE: Int32Array = new Int32Array(256);
export const ALLOWED_BITS_BY_OPCODE: Int32Array = new Int32Array(256);
for (const form of BY_OPCODE) {
  if (!form) continue;
  LENGTH_BY_OPCODE[form.opcode] = formLength(form);
  ALLOWED_BITS_BY_OPCODE[form.opcode] = allowedHeaderBits(form) | 0;
}

const SCALE_LOG2: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

/** Encodes one instruction at `address` (needed for relative branch targets).
 * Operands must already match the form's kinds; immediates are truncated to 32 bits. */
export function encode(form: InstructionForm, operands: readonly Operand[], address: number): number[] {
  if (operands.length !== form.operands.length) {
    throw new Error(`${form.mnemonic} takes ${form.operands.length} operands`);
  }
  let header = form.opcode;
  let regSlot = 0;
  let disp: number | undefined;
  let imm: number | undefined;
  const length = formLength(form);
  form.operands.forEach((kind, i) => {
    const op = operands[i];
    if (kind === 'r') {
      if (op.kind !== 'reg') throw new Error('register operand expected');
      header |= op.reg << (regSlot === 0 ? 8 : 12);
      regSlot++;
    } else if (kind === 'm' || kind === 'm8' || kind === 'm16') {
      if (op.kind !== 'mem') throw new Error('memory operand expected');
      header |= (op.base << 16) | (op.index << 21) | (SCALE_LOG2[op.scale] << 26);
      disp = op.disp | 0;
    } else {
      if (op.kind !== 'imm') throw new Error('immediate operand expected');
      imm = kind === 'rel' ? (op.value - (address + length)) | 0 : op.value | 0;
    }
  });
  const words = [header >>> 0];
  if (disp !== undefined) words.push(disp >>> 0);
  if (imm !== undefined) words.push(imm >>> 0);
  return words;
}

export interface Decoded {
  form: InstructionForm;
  length: number;
  /** Operands in source order, with branch targets made absolute. */
  operands: Operand[];
}

/** Decodes the instruction at `address` from a word reader; null if it raises #UD. */
export function decode(readWord: (address: number) => number, address: number): Decoded | null {
  const header = readWord(address) >>> 0;
  const form = BY_OPCODE[header & 0xff];
  if (!form) return null;
  if ((header & ~ALLOWED_BITS_BY_OPCODE[form.opcode]) !== 0) return null;
  const base = (header >>> 16) & 31;
  const index = (header >>> 21) & 31;
  if (hasMemory(form) && (base > NO_REG || index > NO_REG)) return null;
  const length = formLength(form);
  let word = 1;
  const disp = hasMemory(form) ? readWord(address + 4 * word++) | 0 : 0;
  const immRaw = hasImmediate(form) ? readWord(address + 4 * word++) | 0 : 0;
  let regSlot = 0;
  const operands: Operand[] = form.operands.map((kind): Operand => {
    if (kind === 'r') return { kind: 'reg', reg: (header >>> (regSlot++ === 0 ? 8 : 12)) & 15 };
    if (kind === 'm' || kind === 'm8' || kind === 'm16') {
      const scale = (1 << ((header >>> 26) & 3)) as 1 | 2 | 4 | 8;
      return { kind: 'mem', base, index, scale, disp };
    }
    if (kind === 'rel') return { kind: 'imm', value: (address + length + immRaw) >>> 0 };
    if (kind === 'i') return { kind: 'imm', value: immRaw };
    return { kind: 'imm', value: immRaw >>> 0 };
  });
  return { form, length, operands };
}
