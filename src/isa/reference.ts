// docs/isa.md, generated from the instruction table.

import { COST_SOURCES, INSTRUCTIONS, REGISTER_NAMES, type OperandKind } from './table.ts';
import { formLength } from './encoding.ts';

const KIND_TEXT: Record<OperandKind, string> = {
  r: 'r32',
  i: 'imm32',
  m: 'm32',
  m8: 'byte m',
  m16: 'word m',
  rel: 'label',
  port: 'port',
  v8: 'imm8',
};

export function isaReference(): string {
  const out: string[] = [];
  out.push('# smtnest ISA reference');
  out.push('');
  out.push('<!-- Generated from src/isa/table.ts by `npm run gen`; test/generated.test.ts fails when this file is stale. -->');
  out.push('');
  out.push(`Registers (32-bit, no partial registers): ${REGISTER_NAMES.map((r) => `\`${r}\``).join(' ')}.`);
  out.push('Flags: CF (bit 0), ZF (6), SF (7), IF (9), OF (11); bit 1 reads as 1; other bits read as 0.');
  out.push('');
  out.push('## Encoding');
  out.push('');
  out.push('Every instruction is a 32-bit header word, then a displacement word if it has a memory operand,');
  out.push('then an immediate word if it has an immediate, port, vector or branch target: 4, 8 or 12 bytes,');
  out.push('always 4-byte aligned (the assembler pads with zero bytes before an instruction), and never');
  out.push('crossing a 4 KiB page boundary (the assembler fills the rest of the page with nops and starts the instruction on the next), so');
  out.push('that one address translation covers an instruction. Fetching from a misaligned eip, outside RAM');
  out.push('or an instruction that crosses a page raises #GP.');
  out.push('');
  out.push('| bits | field |');
  out.push('|---|---|');
  out.push('| 0-7 | opcode (below); any other value raises #UD |');
  out.push('| 8-11 | first register operand |');
  out.push('| 12-15 | second register operand |');
  out.push('| 16-20 | memory base register, 16 = none |');
  out.push('| 21-25 | memory index register, 16 = none |');
  out.push('| 26-27 | log2 of the index scale |');
  out.push('| 28-31 | reserved, zero |');
  out.push('');
  out.push('Fields a form does not use must be zero, or the instruction raises #UD. A branch target is');
  out.push('encoded relative to the address of the next instruction.');
  out.push('');
  out.push('## Instructions');
  out.push('');
  out.push('Operands: `r32` a register, `imm32` a 32-bit immediate, `m32`/`byte m`/`word m` a memory operand');
  out.push('`[base + index*scale + disp]`, `label` a branch target, `port` 0..0xFFFF, `imm8` 0..255.');
  out.push('Flags: the arithmetic flags an instruction writes; `*` marks some left undefined by the SDM, whose');
  out.push('values here are given in the notes below. Cycles: the cost charged per execution (sources at the end).');
  out.push('');
  out.push('| opcode | instruction | bytes | cycles | flags | what it does |');
  out.push('|---|---|---|---|---|---|');
  for (const form of INSTRUCTIONS) {
    const operands = form.operands.map((k) => KIND_TEXT[k]).join(', ');
    const names = [form.mnemonic, ...form.aliases].join(' / ');
    out.push(
      `| 0x${form.opcode.toString(16).padStart(2, '0')} | \`${names}${operands ? ' ' + operands : ''}\` | ${formLength(form)} | ${form.cycles} | ${form.flags || '-'} | ${form.summary} |`,
    );
  }
  out.push('');
  out.push('## Notes on flags the SDM leaves undefined');
  out.push('');
  out.push('- Shifts and rotates by more than 1: OF is computed from the result with the formula that gives the');
  out.push("  SDM's count-1 value (SHL, ROL: MSB(result) xor CF; SHR, ROR: bit 31 xor bit 30 of the result, so");
  out.push('  SHR by 2 or more gives 0; SAR: 0), as Bochs computes it. A count of 0 (after masking to 5 bits)');
  out.push('  changes no flag.');
  out.push('- mul and imul: ZF and SF follow the low 32 bits of the result.');
  out.push('- div and idiv leave the flags unchanged.');
  out.push('');
  out.push('## Where the cycle costs come from');
  out.push('');
  for (const [key, text] of Object.entries(COST_SOURCES)) out.push(`- \`${key}\`: ${text}`);
  out.push('');
  out.push('| instruction | cycles | source |');
  out.push('|---|---|---|');
  for (const form of INSTRUCTIONS) {
    const operands = form.operands.map((k) => KIND_TEXT[k]).join(', ');
    out.push(`| \`${form.mnemonic}${operands ? ' ' + operands : ''}\` | ${form.cycles} | \`${form.costSource}\` |`);
  }
  out.push('');
  return out.join('\n');
}
