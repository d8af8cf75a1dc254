// Disassembly: the text form of a decoded instruction, in the assembler's own
// syntax, so that a disassembly listing reassembles to the same bytes.

import { decode, NO_REG, type Decoded, type Operand } from './encoding.ts';
import { REGISTER_NAMES, type OperandKind } from './table.ts';

function hex(value: number): string {
  return '0x' + (value >>> 0).toString(16);
}

function formatImmediate(value: number, kind: OperandKind): string {
  if (kind === 'i') {
    const v = value | 0;
    if (v < 0 && v > -0x10000) return String(v);
    if (v >= 0 && v < 10) return String(v);
    return hex(v);
  }
  return hex(value);
}

function formatMemory(op: Extract<Operand, { kind: 'mem' }>): string {
  const parts: string[] = [];
  if (op.base !== NO_REG) parts.push(REGISTER_NAMES[op.base]);
  if (op.index !== NO_REG) parts.push(REGISTER_NAMES[op.index] + (op.scale > 1 ? `*${op.scale}` : ''));
  let text = parts.join(' + ');
  const disp = op.disp | 0;
  if (parts.length === 0) text = hex(disp);
  else if (disp > 0) text += ` + ${hex(disp)}`;
  else if (disp < 0) text += ` - ${hex(-disp)}`;
  return `[${text}]`;
}

/** Formats a decoded instruction; `symbolize` may name branch targets. */
export function formatInstruction(d: Decoded, symbolize?: (address: number) => string | undefined): string {
  const kinds = d.form.operands;
  const hasRegister = kinds.includes('r');
  const text = d.operands.map((op, i) => {
    const kind = kinds[i];
    if (op.kind === 'reg') return REGISTER_NAMES[op.reg];
    if (op.kind === 'mem') {
      const size = kind === 'm8' ? 'byte ' : kind === 'm16' ? 'word ' : hasRegister ? '' : 'dword ';
      return size + formatMemory(op);
    }
    if (kind === 'rel') {
      const name = symbolize?.(op.value);
      return name ?? hex(op.value);
    }
    return formatImmediate(op.value, kind);
  });
  return text.length ? `${d.form.mnemonic} ${text.join(', ')}` : d.form.mnemonic;
}

/** One line per instruction (or `dd` for a word that does not decode). */
export function disassemble(
  bytes: Uint8Array,
  origin: number,
  symbolize?: (address: number) => string | undefined,
): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const readWord = (address: number): number => {
    const offset = address - origin;
    return offset + 4 <= bytes.length ? view.getUint32(offset, true) : 0;
  };
  const lines: string[] = [];
  let address = origin;
  while (address - origin + 4 <= bytes.length) {
    const label = symbolize?.(address);
    if (label !== undefined && !label.includes('+')) lines.push(`${label}:`);
    const decoded = decode(readWord, address);
    const fits = decoded !== null && address - origin + decoded.length <= bytes.length;
    const width = fits ? decoded.length : 4;
    const words: string[] = [];
    for (let a = address; a < address + width; a += 4) words.push(readWord(a).toString(16).padStart(8, '0'));
    const body = fits ? formatInstruction(decoded, symbolize) : `dd ${hex(readWord(address))}`;
    lines.push(`  ${address.toString(16).padStart(8, '0')}  ${words.join(' ').padEnd(26)}  ${body}`);
    address += width;
  }
  const tail = (bytes.length - (address - origin)) | 0;
  if (tail > 0) {
    const rest = Array.from(bytes.subarray(address - origin), (b) => hex(b)).join(', ');
    lines.push(`  ${address.toString(16).padStart(8, '0')}  ${''.padEnd(26)}  db ${rest}`);
  }
  return lines;
}
