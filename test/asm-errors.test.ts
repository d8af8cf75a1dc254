import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleSource, AssemblyError, formatDiagnostic, type AssembleOptions } from '../src/asm/index.ts';

const FILES: Record<string, string> = {
  'a.s': '%include "b.s"\n',
  'b.s': 'nop\n%include "a.s"\n',
  'lib/defs.inc': '%macro load 1\n  mov eax, %1\n  mov ebx, missing\n%endmacro\n',
  'lib/bad.inc': 'nop\n  mov eax, [ebx*5+ecx]\n',
  'nested.inc': '%macro outer 0\n  inner 1\n%endmacro\n%macro inner 1\n  jmp %1 + nowhere\n%endmacro\n',
};

function readFile(path: string): string {
  if (Object.hasOwn(FILES, path)) return FILES[path];
  throw new Error(`ENOENT: ${path}`);
}

function diagnose(source: string, fileName = 'main.s', options: AssembleOptions = {}): AssemblyError {
  try {
    assembleSource(source, fileName, { readFile, ...options });
  } catch (e) {
    if (e instanceof AssemblyError) return e;
    throw e;
  }
  throw new Error('assembled without error');
}

/** Every diagnostic as "file:line:col: message". */
function errors(source: string, fileName?: string, options?: AssembleOptions): string[] {
  return diagnose(source, fileName, options).diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`);
}

describe('error classes: location and message', () => {
  const cases: [name: string, source: string, expected: string][] = [
    ['unknown mnemonic', '  foo eax', "main.s:1:3: unknown mnemonic or directive 'foo'"],
    ['label without a colon', 'start', "main.s:1:1: unknown mnemonic or directive 'start' (a label needs a colon: 'start:')"],
    [
      'operand form not accepted',
      'mov byte [eax], byte [ebx]',
      'main.s:1:1: mov does not take (byte memory, byte memory); it takes r,r r,i r,m m,r m,i m8,r m8,i m16,r m16,i',
    ],
    ['unsized memory for a sized form', 'movzx eax, [ebx]', 'main.s:1:1: movzx does not take (register, memory); it takes r,m8 r,m16'],
    ['missing operands', 'push', 'main.s:1:1: push needs operands; it takes r i m'],
    ['operands for none', 'ret 4', 'main.s:1:1: ret does not take (immediate); it takes no operands'],
    ['undefined symbol', 'nop\njmp nowhere', "main.s:2:5: undefined symbol 'nowhere'"],
    ['duplicate label', 'x: nop\nx equ 5', "main.s:2:1: duplicate label 'x' (first defined at main.s:1)"],
    ['duplicate local label', 'a:\n.l: nop\n.l: nop', "main.s:3:1: duplicate label 'a.l' (first defined at main.s:2)"],
    ['immediate out of range', 'mov eax, 0x100000000', 'main.s:1:10: immediate out of range: 0x100000000 does not fit in 32 bits'],
    ['port out of range', 'out 0x10000, eax', 'main.s:1:5: port out of range: 0x10000 (must be 0..0xFFFF)'],
    ['vector out of range', 'int 256', 'main.s:1:5: vector out of range: 256 (must be 0..255)'],
    ['data out of range', 'db 1, 256', 'main.s:1:7: value out of range for db: 256 (must be -128..255)'],
    ['displacement out of range', 'mov eax, [0x100000000]', 'main.s:1:10: displacement out of range: 0x100000000 does not fit in 32 bits'],
    ['unbalanced (', 'mov eax, (1 + 2', "main.s:1:10: unbalanced '(': expected ')' before end of line"],
    ['unbalanced )', 'mov eax, 1)', "main.s:1:11: unbalanced ')'"],
    ['unbalanced [', 'mov eax, [ebx + 4', "main.s:1:10: unbalanced '[': expected ']' before end of line"],
    ['unbalanced ]', 'mov eax, [ebx]]', "main.s:1:15: unbalanced ']'"],
    ['stray character', 'mov eax, 1 @', "main.s:1:12: unexpected character '@'"],
    ['unterminated string', 'db "abc', 'main.s:1:4: unterminated string'],
    ['unknown escape', 'db "\\q"', "main.s:1:5: unknown escape '\\q' in string (known: \\n \\t \\r \\0 \\\\ \\\" \\' \\xHH)"],
    ['bad number', 'mov eax, 12x', "main.s:1:10: bad number '12x'"],
    ['missing operand', 'mov eax,', 'main.s:1:8: missing operand'],
    ['incomplete expression', 'dd 1 +', 'main.s:1:7: expected an expression, found end of line'],
    ['register in an expression', 'mov eax, ebx + 1', "main.s:1:10: register 'ebx' cannot be used in an expression"],
    ['size keyword on a register', 'mov dword eax, 5', "main.s:1:5: size keyword 'dword' applies only to a memory operand"],
    ['division by zero', 'dd 1 / (2 - 2)', 'main.s:1:6: division by zero'],
    [
      'include file not found',
      '%include "nope.s"',
      "main.s:1:10: include file not found: 'nope.s' (searched nope.s, inc/nope.s)",
    ],
    ['incbin file not found', 'incbin "x.bin"', "main.s:1:8: incbin file not found: 'x.bin' (searched x.bin, inc/x.bin)"],
    ['macro argument count', '%macro m 1\n  mov eax, %1\n%endmacro\nm 1, 2', "main.s:4:1: macro 'm' takes 1 argument, got 2"],
    ['missing %endmacro', 'nop\n%macro x 1\nnop', "main.s:2:1: missing %endmacro for macro 'x'"],
    ['macro recursion', '%macro r 0\n  r\n%endmacro\nnop\nr', "main.s:5:1: macro recursion deeper than 64 levels expanding 'r'"],
    ['parameter beyond the count', '%macro m 1\n  mov eax, %2\n%endmacro', "main.s:2:12: macro 'm' has 1 parameter; there is no %2"],
    [
      'parameter outside a macro',
      'mov eax, 5%2',
      "main.s:1:11: '%2' is only meaningful in a macro body (a remainder is written '% 2')",
    ],
    ['macro-local label outside a macro', 'jmp %%x', "main.s:1:5: '%%x' is only meaningful in a macro body"],
    ['%endmacro alone', '%endmacro', 'main.s:1:1: %endmacro without %macro'],
    ['unknown directive', '%foo', "main.s:1:1: unknown preprocessor directive '%foo'"],
    ['missing %endif', '%ifdef X\nnop', 'main.s:1:1: missing %endif'],
    ['%else without %ifdef', '%else', 'main.s:1:1: %else without %ifdef or %ifndef'],
    ['local label without a global label', 'nop\n.x: nop', "main.s:2:1: local label '.x' has no preceding global label"],
    ['local reference without a global label', 'mov eax, .x', "main.s:1:10: local label '.x' has no preceding global label"],
    ['org after code', 'nop\norg 0x100', 'main.s:2:1: org after code: org must come before any label, instruction or data'],
    ['org after a label', 'x:\norg 0x100', 'main.s:2:1: org after code: org must come before any label, instruction or data'],
    ['org twice', 'org 4\norg 8', 'main.s:2:1: org given twice'],
    ['org not aligned', 'org 5', 'main.s:1:5: org address must be a multiple of 4 (instructions are aligned to it)'],
    ['bad scale', 'mov eax, [ebx*3 + ecx]', "main.s:1:11: bad scale 3 for 'ebx' (must be 1, 2, 4 or 8)"],
    ['subtracted register', 'mov eax, [ebx - ecx]', "main.s:1:17: bad scale -1 for 'ecx' (must be 1, 2, 4 or 8)"],
    ['two scaled registers', 'mov eax, [eax*2 + ebx*4]', 'main.s:1:19: only one register of a memory operand can be scaled'],
    [
      'three registers',
      'mov [eax + ebx + ecx], eax',
      'main.s:1:18: too many registers in a memory operand (at most a base and an index)',
    ],
    [
      'register product',
      'mov eax, [ebx * ecx]',
      "main.s:1:15: '*' cannot be applied to a register: a memory operand is base + index*scale + displacement",
    ],
    ['align not a power of two', 'align 3', 'main.s:1:7: align needs a power of two, not 3'],
    ['negative times', 'times -1 nop', 'main.s:1:7: times count must not be negative: -1'],
    [
      'times of a directive',
      'times 2 align 4',
      "main.s:1:9: times needs an instruction or data directive after the count, found 'align'",
    ],
    ['forward reference in times', 'times n nop\nn equ 2', "main.s:1:7: times count uses 'n', which is not defined above this line"],
    ['circular equ', 'a equ b\nb equ a', "main.s:2:7: circular definition of 'a'"],
    ['register as a label', 'eax: nop', "main.s:1:1: 'eax' is a register and cannot be a label"],
    ['ptr', 'mov eax, dword ptr [ebx]', "main.s:1:16: write 'dword [...]', without 'ptr'"],
    ['section', 'section .text', 'main.s:1:1: section is not supported: a program is one flat image, laid out in source order'],
    ['character constant too long', "mov eax, 'abcde'", "main.s:1:10: a character constant has 1 to 4 bytes; 'abcde' has 5"],
    ['program too large', 'times 0x10000000 dd 0', 'main.s:1:18: program larger than 64 MiB'],
  ];
  for (const [name, source, expected] of cases) {
    it(name, () => {
      expect(errors(source, 'main.s', { includePaths: ['inc'] })).toEqual([expected]);
    });
  }

  it('include cycle', () => {
    expect(errors('%include "b.s"', 'a.s')).toEqual(['b.s:2:10: include cycle: a.s -> b.s -> a.s']);
  });

  it('errors in an included file point into that file', () => {
    expect(errors('nop\n%include "lib/bad.inc"')).toEqual(["lib/bad.inc:2:13: bad scale 5 for 'ebx' (must be 1, 2, 4 or 8)"]);
  });

  it('errors in a macro body point at the call and name the macro and body line', () => {
    expect(errors('%include "lib/defs.inc"\n\tload 5')).toEqual([
      "main.s:2:2: undefined symbol 'missing' (in macro 'load' at lib/defs.inc:3)",
    ]);
    expect(errors('%include "nested.inc"\nouter')).toEqual([
      "main.s:2:1: undefined symbol 'nowhere' (in macro 'outer' at nested.inc:2 > 'inner' at nested.inc:5)",
    ]);
  });

  it('errors in a macro argument point at the argument in the call', () => {
    expect(errors('%macro m 1\n  mov eax, [%1]\n%endmacro\nm ebx*2+ecx*4')).toEqual([
      "main.s:4:9: only one register of a memory operand can be scaled (in macro 'm' at main.s:2)",
    ]);
  });

  it('errors from a %define point at the use of the name', () => {
    expect(errors('%define BAD [ebx*3+ecx]\nnop\n  mov eax, BAD')).toEqual([
      "main.s:3:12: bad scale 3 for 'ebx' (must be 1, 2, 4 or 8)",
    ]);
  });
});

describe('reporting', () => {
  it('formats a diagnostic with the source line and a caret under the column', () => {
    const e = diagnose('nop\n\tmov eax, nowhere ; comment');
    expect(e.message).toBe("main.s:2:11: undefined symbol 'nowhere'\n\tmov eax, nowhere ; comment\n\t         ^");
    expect(e.message).toBe(formatDiagnostic(e.diagnostics[0]));
    expect(e.diagnostics[0]).toEqual({
      file: 'main.s',
      line: 2,
      col: 11,
      message: "undefined symbol 'nowhere'",
      sourceLine: '\tmov eax, nowhere ; comment',
    });
    expect(formatDiagnostic({ file: 'x.s', line: 0, col: 0, message: 'cannot read file (ENOENT)', sourceLine: '' })).toBe(
      'x.s: cannot read file (ENOENT)',
    );
  });

  it('reports bad defines given in the options', () => {
    expect(errors('nop', 'main.s', { defines: { 'A B': 1, OK: '1 @' } })).toEqual([
      "<defines>:1:1: bad define name 'A B'",
      "<defines>:2:6: unexpected character '@'",
    ]);
  });

  it('reports every error of a file in source order, across passes', () => {
    expect(errors('push 1\nmov eax, later_missing\nfoo bar\n%bogus\nx: db 300')).toEqual([
      "main.s:2:10: undefined symbol 'later_missing'",
      "main.s:3:1: unknown mnemonic or directive 'foo'",
      "main.s:4:1: unknown preprocessor directive '%bogus'",
      'main.s:5:7: value out of range for db: 300 (must be -128..255)',
    ]);
  });

  it('stops after maxErrors (20 by default)', () => {
    const source = Array.from({ length: 30 }, (_, i) => `bad${i}`).join('\n');
    expect(errors(source)).toHaveLength(20);
    expect(errors(source, 'main.s', { maxErrors: 3 })).toHaveLength(3);
  });

  it('does not cascade from a broken definition', () => {
    expect(errors('x equ (1 +\nmov eax, x\n%macro m 1 2\nnop\n%endmacro\nm')).toEqual([
      'main.s:1:11: expected an expression, found end of line',
      "main.s:3:12: unexpected '2' after the parameter count",
    ]);
  });

  it('reports a whole repeated line once', () => {
    expect(errors('times 100 mov eax, nowhere')).toEqual(["main.s:1:20: undefined symbol 'nowhere'"]);
  });

  it('ignores errors in lines skipped by a conditional', () => {
    expect(errors('%ifdef NOPE\nfoo "\n%else\nbar\n%endif')).toEqual([
      "main.s:4:1: unknown mnemonic or directive 'bar' (a label needs a colon: 'bar:')",
    ]);
  });
});

describe('fuzzing: nothing but AssemblyError escapes', () => {
  function survives(source: string): void {
    try {
      assembleSource(source, 'main.s', { readFile, maxErrors: 50 });
    } catch (e) {
      if (!(e instanceof AssemblyError)) throw e;
      expect(e.diagnostics.length).toBeGreaterThan(0);
      for (const d of e.diagnostics) expect(formatDiagnostic(d)).toContain(d.message);
    }
  }

  it('survives random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), survives), { numRuns: 300 });
  });

  const SOUP = [
    'mov', 'lea', 'jmp', 'push', 'xchg', 'times', 'db', 'dw', 'dd', 'align', 'org', 'incbin', 'equ', 'global',
    'eax', 'ebx', 'r15', 'byte', 'word', 'dword', 'x', 'x:', '.l', '.l:', '_start:', '$', '$$', '0', '1', '4',
    '0xffffffff', '0x100000000', "'ab'", '"s\\n"', '"', "'", ',', '[', ']', '(', ')', '{', '}', '+', '-', '*', '/',
    '%', '<<', '>>', '&', '|', '^', '~', ';', '\n', '\n', '\n', '%macro m 1\n', '%macro m 0\n', '%endmacro\n', '%1', '%0',
    '%%l', '%%l:', 'isr_%1:', '%%l%1', 'm', '%define D', '%define D D D\n', 'D', '%undef D', '%ifdef D\n', '%else\n', '%endif\n',
    '%include "a.s"\n', '%include "lib/defs.inc"\n', 'load', '%include "missing"\n',
  ];

  it('survives token soup', () => {
    const soup = fc.array(fc.constantFrom(...SOUP), { maxLength: 60 }).map((parts) => parts.join(' '));
    fc.assert(fc.property(soup, survives), { numRuns: 300 });
  });

  const VALID = [
    'org 0x1000',
    '%define SERIAL 0x3f8',
    '%macro putc 1',
    '  mov eax, %1',
    '  out SERIAL, eax',
    '%endmacro',
    '%macro spin 1',
    '%%again: dec %1',
    '  jnz %%again',
    '%endmacro',
    'msg: db "hi\\n", 0',
    'len equ $ - msg',
    '_start:',
    '  putc \'A\'',
    '  mov ecx, len',
    '  spin ecx',
    '  mov ebx, [msg + ecx*4]',
    '  mov byte [ebx+8], 7',
    '  xchg [esi-4], eax',
    '  test eax, [edi]',
    '.done: call _start.done',
    '  times 2 nop',
    'table: dd 1, 2, table, $',
    '  align 16',
    '  dw 0xffff, -1',
  ].join('\n');

  it('the base program of the mutation test assembles', () => {
    expect(assembleSource(VALID, 'main.s').bytes.length).toBeGreaterThan(0);
  });

  it('survives mutations of a valid program', () => {
    const mutation = fc.record({
      at: fc.nat(),
      length: fc.nat({ max: 12 }),
      insert: fc.constantFrom('', ...SOUP, ' ', '\t', '\r', '\0', 'é'),
    });
    const mutated = fc.array(mutation, { minLength: 1, maxLength: 6 }).map((ops) =>
      ops.reduce((text, { at, length, insert }) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + length);
      }, VALID),
    );
    fc.assert(fc.property(mutated, survives), { numRuns: 400 });
  });
});
