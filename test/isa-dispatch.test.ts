// The interpreter dispatches on literal opcodes (V8 turns only literal case
// labels into a jump table). Every label must name the table form that owns
// that opcode, and every form must have a label.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BY_OPCODE, INSTRUCTIONS } from '../src/isa/table.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

const source = readFileSync(join(PROJECT_ROOT, 'src/cpu/cpu.ts'), 'utf8');
const labels = [...source.matchAll(/case (0x[0-9a-f]+) \/\* ([^*]+) \*\/:/g)].map((m) => ({
  opcode: Number(m[1]),
  text: m[2].trim(),
}));

describe('interpreter dispatch', () => {
  it('finds the case labels', () => {
    expect(labels.length).toBeGreaterThan(100);
  });

  for (const { opcode, text } of labels) {
    it(`case 0x${opcode.toString(16)} /* ${text} */ names its table form`, () => {
      const form = BY_OPCODE[opcode];
      expect(form, `opcode 0x${opcode.toString(16)} is not in the table`).toBeDefined();
      const [mnemonic, operands = ''] = text.split(' ');
      expect(mnemonic).toBe(form!.mnemonic);
      if (operands) expect(operands).toBe(form!.operands.join(','));
    });
  }

  it('has a case for every form', () => {
    const handled = new Set(labels.map((l) => l.opcode));
    const missing = INSTRUCTIONS.filter((f) => !handled.has(f.opcode)).map((f) => `${f.mnemonic} ${f.operands.join(',')}`);
    expect(missing).toEqual([]);
  });

  it('has no label twice', () => {
    const seen = labels.map((l) => l.opcode);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
