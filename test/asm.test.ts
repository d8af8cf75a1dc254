import { describe, expect, it } from 'vitest';
import {
  assembleFile,
  assembleSource,
  AssemblyError,
  readImage,
  symbolizer,
  writeImage,
  type AssembleOptions,
  type Program,
} from '../src/asm/index.ts';
import { decode, NO_REG, type Operand } from '../src/isa/encoding.ts';
import { disassemble, formatInstruction } from '../src/isa/disasm.ts';
import { INSTRUCTIONS, type OperandKind } from '../src/isa/table.ts';

function memoryFiles(files: Record<string, string>): (path: string) => string {
  return (path) => {
    if (Object.hasOwn(files, path)) return files[path];
    throw new Error(`ENOENT: ${path}`);
  };
}

function asm(source: string, files: Record<string, string> = {}, options: AssembleOptions = {}): Program {
  return assembleSource(source, 'main.s', { readFile: memoryFiles(files), ...options });
}

function wordReader(p: Program): (address: number) => number {
  const view = new DataView(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
  return (address) => {
    const offset = address - p.origin;
    return offset >= 0 && offset + 4 <= p.bytes.length ? view.getUint32(offset, true) : 0;
  };
}

/** The program decoded instruction by instruction, as disassembly text. */
function instructions(p: Program): string[] {
  const read = wordReader(p);
  const out: string[] = [];
  for (let a = p.origin; a < p.origin + p.bytes.length; ) {
    const d = decode(read, a);
    if (!d) throw new Error(`no instruction at 0x${a.toString(16)}`);
    out.push(formatInstruction(d));
    a += d.length;
  }
  return out;
}

function dwords(p: Program): number[] {
  const read = wordReader(p);
  return Array.from({ length: p.bytes.length >> 2 }, (_, i) => read(p.origin + 4 * i) | 0);
}

const address = (p: Program, name: string) => p.symbols.find((s) => s.name === name)?.address;

describe('every instruction form round-trips through the disassembler', () => {
  const registers = ['ecx', 'r13'];
  const samples: Record<OperandKind, { text: string; operand: Operand }> = {
    r: { text: '', operand: { kind: 'reg', reg: 0 } }, // filled per position below
    i: { text: '-5', operand: { kind: 'imm', value: -5 } },
    m: { text: 'dword [ebx + esi*4 + 0x10]', operand: { kind: 'mem', base: 3, index: 6, scale: 4, disp: 16 } },
    m8: { text: 'byte [edi - 8]', operand: { kind: 'mem', base: 7, index: NO_REG, scale: 1, disp: -8 } },
    m16: { text: 'word [0x2000]', operand: { kind: 'mem', base: NO_REG, index: NO_REG, scale: 1, disp: 0x2000 } },
    rel: { text: 'target', operand: { kind: 'imm', value: 0 } }, // the target's address, known after assembly
    port: { text: '0x3f8', operand: { kind: 'imm', value: 0x3f8 } },
    v8: { text: '0x21', operand: { kind: 'imm', value: 0x21 } },
  };
  for (const form of INSTRUCTIONS) {
    it(`${form.mnemonic} ${form.operands.join(',') || '(no operands)'}`, () => {
      let reg = 0;
      const ops = form.operands.map((kind) => (kind === 'r' ? registers[reg++] : samples[kind].text));
      const source = (text: string) => `org 0x1000\n${text}\ntarget: nop\n`;
      const p = asm(source(`${form.mnemonic} ${ops.join(', ')}`));
      const d = decode(wordReader(p), 0x1000);
      expect(d?.form).toBe(form);
      reg = 0;
      const expected = form.operands.map((kind): Operand => {
        if (kind === 'r') return { kind: 'reg', reg: [1, 13][reg++] };
        if (kind === 'rel') return { kind: 'imm', value: address(p, 'target')! };
        return samples[kind].operand;
      });
      expect(d?.operands).toEqual(expected);
      // The disassembler's text is assembler syntax: it reassembles to the same bytes.
      expect(asm(source(formatInstruction(d!))).bytes).toEqual(p.bytes);
    });
  }
});

describe('operand matching', () => {
  it('picks the form by operand kinds and memory size', () => {
    expect(instructions(asm('mov [ebx], 5\nmov byte [ebx], 5\nmov word [ebx], eax\nmov dword [ebx], eax'))).toEqual([
      'mov dword [ebx], 5',
      'mov byte [ebx], 5',
      'mov word [ebx], eax',
      'mov [ebx], eax',
    ]);
    expect(instructions(asm('movzx eax, byte [esi]\nmovsx ecx, word [esi]'))).toEqual([
      'movzx eax, byte [esi]',
      'movsx ecx, word [esi]',
    ]);
  });

  it('accepts the operands of commutative forms in either order', () => {
    expect(asm('xchg [esi], eax').bytes).toEqual(asm('xchg eax, [esi]').bytes);
    expect(asm('test [edi+4], eax').bytes).toEqual(asm('test eax, [edi+4]').bytes);
    expect(asm('test 5, eax').bytes).toEqual(asm('test eax, 5').bytes);
    expect(instructions(asm('xchg [esi], eax'))).toEqual(['xchg eax, [esi]']);
  });

  it('takes aliases, and mnemonics and registers in any case', () => {
    expect(asm('jz x\nx:').bytes).toEqual(asm('je x\nx:').bytes);
    expect(asm('SAL EAX, 3').bytes).toEqual(asm('shl eax, 3').bytes);
    expect(instructions(asm('MOV R15, [EBX]'))).toEqual(['mov r15, [ebx]']);
  });

  it('takes jmp/call targets as labels, registers and memory', () => {
    expect(instructions(asm('org 0x100\nx: jmp x\njmp eax\ncall [ebx + 4]\ncall x'))).toEqual([
      'jmp 0x100',
      'jmp eax',
      'call dword [ebx + 0x4]',
      'call 0x100',
    ]);
  });

  it('takes port I/O with an immediate port or a register', () => {
    expect(instructions(asm('out 0x3f8, eax\nin ecx, 0xffff\nout edx, eax\nin eax, edx'))).toEqual([
      'out 0x3f8, eax',
      'in ecx, 0xffff',
      'out edx, eax',
      'in eax, edx',
    ]);
  });
});

describe('memory operands', () => {
  const cases: [string, string][] = [
    ['[ebx+ecx*4+8]', '[ebx + ecx*4 + 0x8]'],
    ['[esi-4]', '[esi - 0x4]'],
    ['[ecx*2 + ebx]', '[ebx + ecx*2]'],
    ['[8 + ebx]', '[ebx + 0x8]'],
    ['[data]', '[0x40]'],
    ['[data + eax*4]', '[eax*4 + 0x40]'],
    ['[eax + ebx]', '[eax + ebx]'],
    ['[r8*8]', '[r8*8]'],
    ['[eax*3]', '[eax + eax*2]'],
    ['[eax*9 + 1]', '[eax + eax*8 + 0x1]'],
    ['[ebx + (2 + 3) * 4]', '[ebx + 0x14]'],
    ['[ebx + ecx - ecx]', '[ebx]'],
    ['[-(4) + ebx]', '[ebx - 0x4]'],
    ['[ 2 * esi + ebp ]', '[ebp + esi*2]'],
  ];
  for (const [written, decoded] of cases) {
    it(written, () => {
      const p = asm(`mov eax, ${written}\ntimes 14 nop\ndata: dd 0`);
      expect(address(p, 'data')).toBe(0x40);
      expect(instructions({ ...p, bytes: p.bytes.subarray(0, 8) })).toEqual([`mov eax, ${decoded}`]);
    });
  }
});

describe('data directives', () => {
  it('emits db, dw and dd little-endian, with strings in db', () => {
    const p = asm(`db 1, -1, 0xff, 'A', "hi"\ndw 0x1234, -2\ndd 0xdeadbeef, -1`);
    expect(Array.from(p.bytes)).toEqual([
      1, 0xff, 0xff, 0x41, 0x68, 0x69, 0x34, 0x12, 0xfe, 0xff, 0xef, 0xbe, 0xad, 0xde, 0xff, 0xff, 0xff, 0xff,
    ]);
  });

  it('applies escapes in double-quoted strings only', () => {
    expect(Array.from(asm(String.raw`db "a\n\t\r\0\\\"\'\x7f"`).bytes)).toEqual([
      0x61, 10, 9, 13, 0, 0x5c, 0x22, 0x27, 0x7f,
    ]);
    expect(Array.from(asm(String.raw`db 'a\n'`).bytes)).toEqual([0x61, 0x5c, 0x6e]);
    expect(Array.from(asm(`db "é", ''`).bytes)).toEqual([0xc3, 0xa9]);
  });

  it('gives a label its address in dd', () => {
    const p = asm('org 0x2000\nnop\nhere: dd here, there\nthere:');
    expect(dwords(p).slice(1)).toEqual([0x2004, 0x200c]);
  });

  it('repeats instructions and data with times', () => {
    const p = asm('times 3 db 7\ntimes 2 nop\ntimes 0 hlt\ntimes 2 dw 1, 2');
    expect(Array.from(p.bytes.subarray(0, 4))).toEqual([7, 7, 7, 0]);
    expect(instructions({ ...p, origin: 4, bytes: p.bytes.subarray(4, 12) })).toEqual(['nop', 'nop']);
    expect(Array.from(p.bytes.subarray(12))).toEqual([1, 0, 2, 0, 1, 0, 2, 0]);
    expect(p.lines.map((l) => [l.address, l.line, l.length])).toEqual([
      [0, 1, 3],
      [4, 2, 4],
      [8, 2, 4],
      [12, 4, 8],
    ]);
  });

  it('evaluates $ in each repetition of times', () => {
    expect(dwords(asm('times 3 dd $'))).toEqual([0, 4, 8]);
    expect(dwords(asm('times 510-($-$$) db 0\ndw 0xaa55')).length).toBe(128);
  });

  it('pads to a power of two with align', () => {
    const p = asm('db 1\nalign 8\nafter: db 2\nalign 1\ndb 3');
    expect(Array.from(p.bytes)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 2, 3]);
    expect(address(p, 'after')).toBe(8);
  });

  it('includes a binary file with incbin', () => {
    const p = asm('db 9\nincbin "blob.bin"\ndb 8', {}, {
      readBinaryFile: (path) => {
        if (path === 'blob.bin') return new Uint8Array([0, 200, 255]);
        throw new Error('ENOENT');
      },
    });
    expect(Array.from(p.bytes)).toEqual([9, 0, 200, 255, 8]);
    // Without readBinaryFile, in-memory text files are included as their UTF-8 bytes.
    expect(Array.from(asm('incbin "t.txt"', { 't.txt': 'AB' }).bytes)).toEqual([0x41, 0x42]);
  });

  it('loads at org and enters at _start', () => {
    const p = asm('org 0x7c00\nx: nop\n_start: hlt');
    expect(p.origin).toBe(0x7c00);
    expect(p.entry).toBe(0x7c04);
    expect(asm('org 0x100\nnop').entry).toBe(0x100);
    expect(asm('nop').origin).toBe(0);
  });

  it('ignores global and takes equ with or without a colon', () => {
    const p = asm('global _start, other\nA equ 5\nB: equ A*2\n_start: mov eax, B');
    expect(instructions(p)).toEqual(['mov eax, 0xa']);
    expect(p.symbols.map((s) => s.name)).toEqual(['_start']);
  });
});

describe('instruction alignment', () => {
  it('pads to a multiple of 4 before an instruction, not before data', () => {
    const p = asm('db 1\nnop\ndb 2, 3\ndb 4');
    expect(Array.from(p.bytes)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 2, 3, 4]);
  });

  it('gives a label above an instruction the aligned address, and $ the aligned address', () => {
    const p = asm('msg: db "abcde"\nloop:\n  mov eax, $\n  jmp loop');
    expect(address(p, 'loop')).toBe(8);
    expect(instructions({ ...p, origin: 8, bytes: p.bytes.subarray(8) })).toEqual(['mov eax, 8', 'jmp 0x8']);
    expect(p.lines[1]).toEqual({ address: 8, file: 'main.s', line: 3, length: 8 });
  });

  it('moves an instruction that would cross a page to the next page, with nops before it', () => {
    const p = asm('times 1021 nop\nmov eax, 5\nhere:\n  mov ecx, 7');
    expect(address(p, 'here')).toBe(0x1000);
    const view = new DataView(p.bytes.buffer);
    expect(view.getUint32(0xff4, true) & 0xff).toBe(0x21); // mov eax, 5 fits: 0xff4..0xffb
    expect(view.getUint32(0xffc, true)).toBe(0x01); // one nop fills the page
    expect(instructions({ ...p, origin: 0x1000, bytes: p.bytes.subarray(0x1000) })).toEqual(['mov ecx, 7']);
  });

  it('places each copy of a repeated instruction so that none crosses a page', () => {
    const p = asm('times 1021 nop\ntimes 3 mov eax, 1');
    const view = new DataView(p.bytes.buffer);
    expect(view.getUint32(0xff4, true) & 0xff).toBe(0x21); // the first copy fits: 0xff4..0xffb
    expect(view.getUint32(0xffc, true)).toBe(0x01); // the second would cross: a nop fills the page
    expect(view.getUint32(0x1000, true) & 0xff).toBe(0x21);
    expect(p.bytes.length).toBe(0x1000 + 2 * 8);
  });
});

describe('expressions', () => {
  const value = (expr: string) => dwords(asm(`dd ${expr}`))[0];

  it('follows C precedence', () => {
    expect(value('1 + 2 * 3')).toBe(7);
    expect(value('(1 + 2) * 3')).toBe(9);
    expect(value('1 << 2 + 1')).toBe(8);
    expect(value('6 & 3 | 8')).toBe(10);
    expect(value('5 ^ 1 & 3')).toBe(4);
    expect(value('10 - 4 - 3')).toBe(3);
    expect(value('100 / 10 / 5')).toBe(2);
    expect(value('-2 * 3')).toBe(-6);
    expect(value('~0')).toBe(-1);
    expect(value('- -3 + +1')).toBe(4);
    expect(value('17 % 5 * 2')).toBe(4);
  });

  it('wraps to 32 bits; / % >> are unsigned', () => {
    expect(value('0xffffffff + 1')).toBe(0);
    expect(value('0x80000000 * 2')).toBe(0);
    expect(value('-1 / 2')).toBe(0x7fffffff);
    expect(value('-1 >> 28')).toBe(15);
    expect(value('1 << 32')).toBe(0);
    expect(value('-1 % 10')).toBe(5);
  });

  it('reads NASM number and character syntax', () => {
    expect(value('0FFh')).toBe(255);
    expect(value('0x1_0000')).toBe(0x10000);
    expect(value('0b1010')).toBe(10);
    expect(value('1_000')).toBe(1000);
    expect(value("'A'")).toBe(0x41);
    expect(value("'AB'")).toBe(0x4241);
    expect(value('"\\n"')).toBe(10);
  });

  it('resolves forward references, $ and $$', () => {
    const p = asm('org 0x400\nmov eax, end - start\nstart: dd $, $$, end\nend:');
    expect(instructions({ ...p, bytes: p.bytes.subarray(0, 8) })).toEqual(['mov eax, 0xc']);
    expect(dwords(p).slice(2)).toEqual([0x408, 0x400, 0x414]);
  });

  it('evaluates equ lazily, with $ where it is written', () => {
    const p = asm('msg: db "hello"\nlen equ $ - msg\nLATE equ later + 1\ndd len, LATE\nlater:');
    expect(Array.from(p.bytes.subarray(5, 13))).toEqual([5, 0, 0, 0, 14, 0, 0, 0]);
  });

  it('uses earlier symbols in times, align and org', () => {
    const p = asm('BASE equ 0x100\nN equ 3\norg BASE\nalign N + 1\nfirst: times N * 2 db 1');
    expect(p.origin).toBe(0x100);
    expect(p.bytes.length).toBe(6);
  });
});

describe('labels', () => {
  it('scopes local labels to the previous global label', () => {
    const p = asm('a:\n.loop: jmp .loop\nb:\n.loop: jmp .loop\njmp a.loop');
    expect(p.symbols.map((s) => [s.name, s.address])).toEqual([
      ['a', 0],
      ['a.loop', 0],
      ['b', 8],
      ['b.loop', 8],
    ]);
    expect(instructions(p)).toEqual(['jmp 0x0', 'jmp 0x8', 'jmp 0x0']);
  });

  it('keeps labels case-sensitive', () => {
    const p = asm('Foo: nop\nfoo: jmp Foo');
    expect(p.symbols.map((s) => s.name)).toEqual(['Foo', 'foo']);
  });

  it('records where each symbol and line comes from', () => {
    const p = asm('nop\n%include "inc/lib.s"\nmain: hlt', { 'inc/lib.s': '\nlib: ret\n' });
    expect(p.symbols).toEqual([
      { name: 'lib', address: 4, file: 'inc/lib.s', line: 2 },
      { name: 'main', address: 8, file: 'main.s', line: 3 },
    ]);
    expect(p.lines.map((l) => `${l.file}:${l.line}`)).toEqual(['main.s:1', 'inc/lib.s:2', 'main.s:3']);
  });
});

describe('preprocessor', () => {
  it('substitutes %define at the token level, in expressions and as operands', () => {
    const p = asm('%define PORT 0x3f8\n%define REG ebx\nout PORT, REG\nmov REG, PORT + 1');
    expect(instructions(p)).toEqual(['out 0x3f8, ebx', 'mov ebx, 0x3f9']);
  });

  it('expands defines lazily and recursively, but not into themselves', () => {
    expect(dwords(asm('%define A B + 1\n%define B 10\ndd A\n%define B 20\ndd A'))).toEqual([11, 21]);
    expect(instructions(asm('%define eax eax\nmov eax, 1'))).toEqual(['mov eax, 1']);
  });

  it('takes defines from the options, and %undef', () => {
    expect(dwords(asm('dd N, S', {}, { defines: { N: 7, S: '2 * 3' } }))).toEqual([7, 6]);
    expect(() => asm('%define X 1\n%undef X\ndd X')).toThrow(/undefined symbol 'X'/);
  });

  it('selects lines with %ifdef, %ifndef, %else and %endif', () => {
    const src = '%ifdef DEBUG\ndd 1\n%else\ndd 2\n%ifndef QUIET\ndd 3\n%endif\n%endif';
    expect(dwords(asm(src))).toEqual([2, 3]);
    expect(dwords(asm(src, {}, { defines: { DEBUG: 1 } }))).toEqual([1]);
    expect(dwords(asm(src, {}, { defines: { QUIET: '' } }))).toEqual([2]);
    // Skipped lines are not even lexed.
    expect(dwords(asm('%ifdef NEVER\n"unterminated @\n%endif\ndd 4'))).toEqual([4]);
  });

  it('expands macros with parameters, %0 and a label before the call', () => {
    const src = [
      '%macro store 2',
      '  mov dword [%1], %2',
      '  dd %0',
      '%endmacro',
      'here: store ebx + 4, 0x11',
      'store {esi}, {1 + 2}',
    ].join('\n');
    const p = asm(src);
    expect(address(p, 'here')).toBe(0);
    expect(instructions({ ...p, bytes: p.bytes.subarray(0, 12) })).toEqual(['mov dword [ebx + 0x4], 0x11']);
    expect(dwords(p)[3]).toBe(2);
  });

  it('makes %% labels unique per expansion, outside the local-label scope', () => {
    const src = [
      '%macro spin 1',
      '%%again: dec %1',
      '  jnz %%again',
      '%endmacro',
      'main:',
      '  spin ecx',
      '  spin edx',
      '.done: jmp .done',
    ].join('\n');
    const p = asm(src);
    expect(p.symbols.map((s) => [s.name, s.address])).toEqual([
      ['main', 0],
      ['..@1.again', 0],
      ['..@2.again', 12],
      ['main.done', 24],
    ]);
    expect(instructions(p)).toEqual(['dec ecx', 'jne 0x0', 'dec edx', 'jne 0xc', 'jmp 0x18']);
  });

  it('pastes parameters and %% labels written against other text', () => {
    const src = [
      '%macro vector 2',
      'isr_%1: push %1',
      '%%x%2: dd isr_%1, %1%2, pre%2post',
      '%endmacro',
      'vector 3, 4',
      'vector 14, {}',
    ].join('\n');
    const p = asm(src, {}, { defines: { pre4post: 99, prepost: 98 } });
    expect(p.symbols.map((s) => s.name)).toEqual(['isr_3', '..@1.x4', 'isr_14', '..@2.x']);
    // push imm (opcode 0x99) then the dd, twice.
    expect(dwords(p)).toEqual([0x99, 3, 0, 34, 99, 0x99, 14, 20, 14, 98]);
  });

  it('expands macros that call macros and use defines', () => {
    const src = [
      '%define SERIAL 0x3f8',
      '%macro putc 1',
      '  mov eax, %1',
      '  out SERIAL, eax',
      '%endmacro',
      '%macro puts2 2',
      '  putc %1',
      '  putc %2',
      '%endmacro',
      'puts2 \'h\', \'i\'',
    ].join('\n');
    expect(instructions(asm(src))).toEqual(['mov eax, 0x68', 'out 0x3f8, eax', 'mov eax, 0x69', 'out 0x3f8, eax']);
  });

  it('processes conditionals inside a macro body at each expansion', () => {
    const src = '%macro m 0\n%ifdef X\ndd 1\n%else\ndd 2\n%endif\n%endmacro\nm\n%define X\nm';
    expect(dwords(asm(src))).toEqual([2, 1]);
  });

  it('includes files relative to the including file, then along includePaths', () => {
    const files = {
      'src/main.s': '%include "lib/a.s"\n%include "common.s"\ndd A, C',
      'src/lib/a.s': '%include "b.s"\nA equ B + 1',
      'src/lib/b.s': 'B equ 1',
      'shared/common.s': 'C equ 3',
    };
    const p = assembleFile('src/main.s', { readFile: memoryFiles(files), includePaths: ['shared'] });
    expect(dwords(p)).toEqual([2, 3]);
  });

  it('accepts CRLF line endings and a byte-order mark', () => {
    expect(dwords(asm('\uFEFFdd 1\r\ndd 2\r\n'))).toEqual([1, 2]);
  });
});

describe('symbolizer', () => {
  const p = asm('org 0x1000\ndb 0\nmain:\n.loop: nop\n nop\nother: nop\n%macro m 0\n%%x: nop\n%endmacro\nm');
  const name = symbolizer(p);

  it('names an address by the nearest label at or before it, preferring global labels', () => {
    expect(name(0x1000)).toBeUndefined();
    expect(name(0x1004)).toBe('main');
    expect(name(0x1008)).toBe('main+0x4');
    expect(name(0x100c)).toBe('other');
    // Macro-local labels have generated names and are skipped.
    expect(name(0x1010)).toBe('other+0x4');
    expect(name(0x1014)).toBeUndefined();
  });

  it('shows local labels as global.local and drives the disassembler', () => {
    const q = asm('main: nop\n.loop: dec ecx\n jnz .loop');
    expect(symbolizer(q)(4)).toBe('main.loop');
    // Instruction lines are "  address  words  text", the text at column 41.
    expect(disassemble(q.bytes, q.origin, symbolizer(q)).map((l) => (l.startsWith(' ') ? l.slice(40) : l))).toEqual([
      'main:',
      'nop',
      'main.loop:',
      'dec ecx',
      'jne main.loop',
    ]);
  });
});

describe('image files', () => {
  it('round-trips a program', () => {
    const p = asm('%include "x.s"\norg_label: db "data"', { 'x.s': 'org 0x2000\n_start: mov eax, 1' });
    const image = writeImage(p);
    expect(new TextDecoder().decode(image.subarray(0, 4))).toBe('SNIM');
    expect(readImage(image, 'p.img')).toEqual(p);
  });

  it('reads a file without the magic as a flat binary at 0', () => {
    expect(readImage(new Uint8Array([1, 0, 0, 0]), 'raw.bin')).toEqual({
      bytes: new Uint8Array([1, 0, 0, 0]),
      origin: 0,
      entry: 0,
      symbols: [],
      lines: [],
    });
  });

  it('rejects empty, truncated and corrupt images with a one-line message', () => {
    const image = writeImage(asm('x: nop'));
    const message = (bytes: Uint8Array) => {
      try {
        readImage(bytes, 'p.img');
      } catch (e) {
        expect(e).toBeInstanceOf(AssemblyError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(message(new Uint8Array())).toBe('p.img: not a smtnest image (empty file)');
    expect(message(image.subarray(0, 10))).toBe('p.img: truncated smtnest image');
    expect(message(image.subarray(0, image.length - 1))).toBe(
      'p.img: corrupt smtnest image: the lengths in its header do not match the file size',
    );
    const badVersion = image.slice();
    badVersion[4] = 2;
    expect(message(badVersion)).toBe('p.img: unsupported smtnest image version 2 (expected 1)');
    const badJson = image.slice();
    badJson[badJson.length - 1] = 0x20;
    expect(message(badJson)).toBe('p.img: corrupt smtnest image: unreadable symbol table');
  });
});

describe('assembleFile', () => {
  it('reads from disk by default and reports an unreadable file', () => {
    expect(() => assembleFile('/nonexistent/dir/x.s')).toThrow(AssemblyError);
    expect(() => assembleFile('/nonexistent/dir/x.s')).toThrow('/nonexistent/dir/x.s: cannot read file (ENOENT)');
  });
});
