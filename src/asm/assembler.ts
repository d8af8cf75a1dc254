// The assembler proper: two passes over the preprocessed lines.
//
// Pass 1 (layout) parses each line as the preprocessor produces it, picks
// every instruction's form from its operand kinds (so its length is known
// without any symbol value), and gives every label its address. Only `times`
// counts, `align` boundaries and the `org` address must be computable here,
// from symbols defined above them.
// Pass 2 (emit) evaluates every expression, now that all labels have
// addresses, and writes the bytes.
//
// Layout rules a user has to know:
// - Every instruction is 4-byte aligned (the encoding's fetch unit): when the
//   location counter is not a multiple of 4 at an instruction, zero bytes are
//   inserted first. An instruction that would cross a 4 KiB page boundary is
//   moved to the start of the next page, with nops before it (the CPU does
//   not fetch across pages). Data directives are not aligned.
// - A label names the next instruction or data item after it, after any such
//   padding (and after the padding of an `align` between them), so that a
//   label written above an instruction is always the instruction's address.
// - `org` may appear once, before any label, instruction or data; its address
//   must be a multiple of 4. The program is one flat image in source order:
//   `section`/`segment` are rejected, `global` is accepted and ignored (every
//   label is in the symbol table anyway).

import { describe, TokenCursor } from './cursor.ts';
import { DiagnosticSink, fileDiagnostic, AssemblyError, SourceError, type Loc } from './diagnostics.ts';
import {
  evaluate,
  parseExpression,
  registerOf,
  showValue,
  type EvalContext,
  type Expr,
  type ParseOptions,
} from './expressions.ts';
import { isPunct, isWord, type Token } from './lexer.ts';
import { matchForm, parseOperand, resolveOperand, type OperandAst } from './operands.ts';
import { preprocess, type SourceLine } from './preprocess.ts';
import type { AssembleOptions, LineInfo, Program } from './program.ts';
import { SourceFiles } from './sources.ts';
import { SymbolTable } from './symbols.ts';
import { encode, formLength } from '../isa/encoding.ts';
import { BY_MNEMONIC, type InstructionForm } from '../isa/table.ts';

const INSTRUCTION_ALIGNMENT = 4;
/** Instructions never cross a page, so that under EPT one translation covers a whole instruction. */
const PAGE_SIZE = 4096;
const NOP_WORD = encode(BY_MNEMONIC.get('nop')![0], [], 0)[0];
/** Far beyond any guest image; keeps a stray `times` from exhausting memory. */
const MAX_PROGRAM_BYTES = 64 * 1024 * 1024;
const ADDRESS_SPACE = 2 ** 32;
const DATA_WIDTHS = { db: 1, dw: 2, dd: 4 } as const;
const DATA_RANGES = { 1: [-0x80, 0xff], 2: [-0x8000, 0xffff], 4: [-0x80000000, 0xffffffff] } as const;

type Width = 1 | 2 | 4;
type DataItem = { kind: 'bytes'; bytes: readonly number[] } | { kind: 'value'; expr: Expr; token: Token };

/** What pass 1 leaves for pass 2, in source order. */
type Chunk = { ordinal: number; token: Token } & (
  | { kind: 'instruction'; address: number; count: number; form: InstructionForm; operands: OperandAst[] }
  | { kind: 'data'; address: number; count: number; width: Width; items: DataItem[]; size: number }
  | { kind: 'bytes'; address: number; bytes: Uint8Array }
  /** Evaluated in pass 2 even if unused, so that its errors are reported. */
  | { kind: 'equ'; name: string }
);

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/** Where an instruction of `length` bytes goes at or after `counter`: 4-byte
 * aligned, and moved to the next page if it would cross a page boundary. */
function instructionAddress(counter: number, length: number): number {
  const address = alignUp(counter, INSTRUCTION_ALIGNMENT);
  return (address % PAGE_SIZE) + length > PAGE_SIZE ? alignUp(address, PAGE_SIZE) : address;
}

function decodeName(token: Extract<Token, { type: 'string' }>): string {
  return new TextDecoder().decode(Uint8Array.from(token.bytes));
}

class Assembler {
  private readonly symbols = new SymbolTable();
  private readonly chunks: Chunk[] = [];
  private origin = 0;
  private counter = 0;
  private originSet = false;
  /** A label, instruction or data has been seen: too late for `org`. */
  private started = false;
  /** The global label that local labels (`.name`) belong to. */
  private scope: string | undefined;
  /** Labels waiting for the address of the next instruction or data. */
  private pending: { name: string; loc: Loc }[] = [];
  private ordinal = 0;
  private readonly parseOptions: ParseOptions = {
    symbolName: (token) => this.qualify(token),
    registers: false,
  };

  constructor(
    private readonly files: SourceFiles,
    private readonly sink: DiagnosticSink,
  ) {}

  // ---- pass 1 ----

  layout(line: SourceLine): void {
    this.ordinal = line.ordinal;
    this.sink.ordinal = line.ordinal;
    const [first, second, third] = line.tokens;
    const cursor = new TokenCursor(line.tokens, first.loc);
    const skip = (n: number) => {
      for (let i = 0; i < n; i++) cursor.next();
    };
    const labelled = first.type === 'ident' && isPunct(second, ':');
    // `NAME equ expr`, and NASM's `NAME: equ expr`.
    if (first.type === 'ident' && isWord(labelled ? third : second, 'equ')) {
      skip(labelled ? 3 : 2);
      this.sink.attempt(() => this.equ(first, cursor));
      return;
    }
    if (labelled) {
      skip(2);
      this.sink.attempt(() => this.label(first));
      if (cursor.atEnd()) return;
    }
    this.sink.attempt(() => this.statement(cursor));
  }

  /** The symbol-table name of a label as written: `.x` is local to the current global label. */
  private qualify(token: Token): string {
    const text = token.text;
    // Macro-local labels (%%x) are already unique and stay out of the local-label scheme.
    if (text.startsWith('..@') || !text.startsWith('.')) return text;
    if (this.scope === undefined) {
      throw new SourceError(token.loc, `local label '${text}' has no preceding global label`);
    }
    return this.scope + text;
  }

  /** Claims the name a label or equ defines. */
  private define(token: Token): string {
    if (registerOf(token) !== undefined) {
      throw new SourceError(token.loc, `'${token.text}' is a register and cannot be a label`);
    }
    const name = this.qualify(token);
    this.symbols.claim(name, token);
    return name;
  }

  private label(token: Token): void {
    this.started = true;
    // A global label opens a scope even if it is a duplicate, so that its local labels are not misattributed.
    if (!token.text.startsWith('.')) this.scope = token.text;
    this.pending.push({ name: this.define(token), loc: token.loc });
  }

  private equ(nameToken: Token, cursor: TokenCursor): void {
    const name = this.define(nameToken);
    let expr: Expr;
    try {
      expr = parseExpression(cursor, this.parseOptions);
      cursor.expectEnd();
    } catch (e) {
      this.symbols.poison(name);
      throw e;
    }
    this.symbols.addEqu(name, expr, this.counter);
    this.chunks.push({ kind: 'equ', ordinal: this.ordinal, token: nameToken, name });
  }

  private statement(cursor: TokenCursor): void {
    const head = cursor.next();
    if (head.type !== 'ident') {
      throw new SourceError(head.loc, `expected an instruction or directive, found '${head.text}'`);
    }
    const word = head.text.toLowerCase();
    switch (word) {
      case 'times':
        return this.times(cursor);
      case 'db':
      case 'dw':
      case 'dd':
        return this.data(head, cursor, DATA_WIDTHS[word], 1);
      case 'align':
        return this.align(cursor);
      case 'org':
        return this.org(head, cursor);
      case 'incbin':
        return this.incbin(head, cursor);
      case 'global':
        return this.global(head, cursor);
      case 'section':
      case 'segment':
        throw new SourceError(
          head.loc,
          `${word} is not supported: a program is one flat image, laid out in source order`,
        );
      default:
        return this.instruction(head, cursor, 1);
    }
  }

  /** Evaluates a first-pass expression (times count, align boundary, org address). */
  private early(expr: Expr, what: string): number {
    return evaluate(expr, {
      here: this.counter,
      origin: this.origin,
      symbol: (name, token) => this.symbols.value(name, token, what),
    });
  }

  private times(cursor: TokenCursor): void {
    const countLoc = cursor.loc();
    const count = this.early(parseExpression(cursor, this.parseOptions), 'times count');
    if (count < 0) throw new SourceError(countLoc, `times count must not be negative: ${count}`);
    const next = cursor.peek();
    const word = next?.type === 'ident' ? next.text.toLowerCase() : '';
    if (next && (word === 'db' || word === 'dw' || word === 'dd')) {
      cursor.next();
      return this.data(next, cursor, DATA_WIDTHS[word], count);
    }
    if (next && BY_MNEMONIC.has(word)) {
      cursor.next();
      return this.instruction(next, cursor, count);
    }
    throw new SourceError(
      cursor.loc(),
      `times needs an instruction or data directive after the count, found ${describe(next)}`,
    );
  }

  private instruction(head: Token, cursor: TokenCursor, count: number): void {
    const forms = BY_MNEMONIC.get(head.text.toLowerCase());
    if (!forms) {
      const hint = cursor.atEnd() ? ` (a label needs a colon: '${head.text}:')` : '';
      throw new SourceError(head.loc, `unknown mnemonic or directive '${head.text}'${hint}`);
    }
    const parts = cursor.atEnd() ? [] : cursor.splitCommas();
    const parsed = parts.map((part) => parseOperand(part, this.parseOptions));
    const { form, operands } = matchForm(head, forms, parsed);
    if (count === 0) return;
    const length = formLength(form);
    const address = this.placeInstruction(length, head);
    // Aligned 4-byte instructions never cross a page; longer ones do unless the run fits.
    if (length === INSTRUCTION_ALIGNMENT || (address % PAGE_SIZE) + count * length <= PAGE_SIZE) {
      this.advance(address + count * length, head.loc, address);
      this.chunks.push({ kind: 'instruction', ordinal: this.ordinal, token: head, address, count, form, operands });
      return;
    }
    // A repeated instruction whose run crosses a page: place each copy on its own.
    for (let i = 0; i < count; i++) {
      const at = this.placeInstruction(length, head);
      this.advance(at + length, head.loc, at);
      this.chunks.push({ kind: 'instruction', ordinal: this.ordinal, token: head, address: at, count: 1, form, operands });
    }
  }

  /** The address of the next instruction. When it has to move to the next
   * page, the rest of this page is filled with nops, so that straight-line
   * code runs on across the gap. */
  private placeInstruction(length: number, head: Token): number {
    const aligned = alignUp(this.counter, INSTRUCTION_ALIGNMENT);
    const address = instructionAddress(this.counter, length);
    if (address !== aligned) {
      const padding = new Uint8Array(address - aligned);
      const view = new DataView(padding.buffer);
      for (let offset = 0; offset < padding.length; offset += 4) view.setUint32(offset, NOP_WORD, true);
      this.chunks.push({ kind: 'bytes', ordinal: this.ordinal, token: head, address: aligned, bytes: padding });
    }
    return address;
  }

  private data(head: Token, cursor: TokenCursor, width: Width, count: number): void {
    const parts = cursor.splitCommas();
    if (parts.length === 1 && parts[0].tokens.length === 0) {
      throw new SourceError(head.loc, `${head.text.toLowerCase()} needs at least one value`);
    }
    const items = parts.map((part): DataItem => {
      const [first] = part.tokens;
      if (first === undefined) throw new SourceError(part.loc, 'missing value');
      if (width === 1 && part.tokens.length === 1 && first.type === 'string') {
        return { kind: 'bytes', bytes: first.bytes };
      }
      const itemCursor = new TokenCursor(part.tokens, part.loc);
      const expr = parseExpression(itemCursor, this.parseOptions);
      itemCursor.expectEnd();
      return { kind: 'value', expr, token: first };
    });
    const size = items.reduce((n, item) => n + (item.kind === 'bytes' ? item.bytes.length : width), 0);
    // Like an instruction repeated 0 times, this emits nothing: labels above name what comes next.
    if (count === 0) return;
    const address = this.counter;
    this.advance(address + count * size, head.loc, address);
    this.chunks.push({ kind: 'data', ordinal: this.ordinal, token: head, address, count, width, items, size });
  }

  private align(cursor: TokenCursor): void {
    const loc = cursor.loc();
    const boundary = this.early(parseExpression(cursor, this.parseOptions), 'align boundary');
    cursor.expectEnd();
    if (!(boundary >= 1 && boundary <= 2 ** 31 && (boundary & (boundary - 1)) === 0)) {
      throw new SourceError(loc, `align needs a power of two, not ${showValue(boundary)}`);
    }
    // The labels above stay pending: they name what follows the padding.
    this.advance(alignUp(this.counter, boundary), loc);
  }

  private org(head: Token, cursor: TokenCursor): void {
    if (this.originSet) throw new SourceError(head.loc, 'org given twice');
    if (this.started) {
      throw new SourceError(head.loc, 'org after code: org must come before any label, instruction or data');
    }
    const loc = cursor.loc();
    const address = this.early(parseExpression(cursor, this.parseOptions), 'org address');
    cursor.expectEnd();
    if (address < 0 || address > 0xffffffff) {
      throw new SourceError(loc, `org address out of range: ${showValue(address)}`);
    }
    if (address % INSTRUCTION_ALIGNMENT !== 0) {
      const message = `org address must be a multiple of ${INSTRUCTION_ALIGNMENT} (instructions are aligned to it)`;
      throw new SourceError(loc, message);
    }
    this.originSet = true;
    this.origin = this.counter = this.symbols.origin = address;
  }

  private incbin(head: Token, cursor: TokenCursor): void {
    const nameToken = cursor.peek();
    if (nameToken?.type !== 'string') throw new SourceError(cursor.loc(), 'incbin needs a file name in quotes');
    cursor.next();
    cursor.expectEnd();
    const name = decodeName(nameToken);
    const found = this.files.bytes(name, head.loc.file, nameToken.loc);
    if ('searched' in found) {
      throw new SourceError(nameToken.loc, `incbin file not found: '${name}' (searched ${found.searched.join(', ')})`);
    }
    const address = this.counter;
    this.advance(address + found.content.length, head.loc, address);
    this.chunks.push({ kind: 'bytes', ordinal: this.ordinal, token: head, address, bytes: found.content });
  }

  private global(head: Token, cursor: TokenCursor): void {
    for (const part of cursor.splitCommas()) {
      if (part.tokens.length !== 1 || part.tokens[0].type !== 'ident') {
        throw new SourceError(part.loc, `${head.text.toLowerCase()} takes a list of names`);
      }
    }
  }

  /** Moves the location counter to `end`; labels pending get `labelAddress` when given. */
  private advance(end: number, loc: Loc, labelAddress?: number): void {
    if (end - this.origin > MAX_PROGRAM_BYTES) {
      this.sink.fatal(loc, `program larger than ${MAX_PROGRAM_BYTES / 2 ** 20} MiB`);
    }
    if (end > ADDRESS_SPACE) this.sink.fatal(loc, 'program runs past the end of the 32-bit address space');
    if (labelAddress !== undefined) this.bindPending(labelAddress);
    this.started = true;
    this.counter = end;
  }

  private bindPending(address: number): void {
    for (const { name, loc } of this.pending) this.symbols.addLabel(name, address, loc);
    this.pending = [];
  }

  // ---- pass 2 ----

  finish(): Program {
    this.bindPending(this.counter);
    const bytes = new Uint8Array(this.counter - this.origin);
    const lines: LineInfo[] = [];
    for (const chunk of this.chunks) {
      this.sink.ordinal = chunk.ordinal;
      // One error per chunk: a bad operand in a `times 1000` is reported once.
      this.sink.attempt(() => this.emit(chunk, bytes, lines));
    }
    return {
      bytes,
      origin: this.origin,
      entry: this.symbols.address('_start') ?? this.origin,
      symbols: this.symbols.labels.map(({ name, address, loc }) => ({ name, address, file: loc.file, line: loc.line })),
      lines,
    };
  }

  private context(here: number): EvalContext {
    return { here, origin: this.origin, symbol: (name, token) => this.symbols.value(name, token) };
  }

  private emit(chunk: Chunk, bytes: Uint8Array, lines: LineInfo[]): void {
    const { file, line } = chunk.token.loc;
    const put = (address: number, value: number, width: number) => {
      for (let b = 0; b < width; b++) bytes[address - this.origin + b] = (value >>> (8 * b)) & 0xff;
    };
    switch (chunk.kind) {
      case 'equ':
        this.symbols.value(chunk.name, chunk.token);
        return;
      case 'instruction': {
        const length = formLength(chunk.form);
        for (let i = 0; i < chunk.count; i++) {
          const here = chunk.address + i * length;
          const ctx = this.context(here);
          const operands = chunk.form.operands.map((kind, j) => resolveOperand(chunk.operands[j], kind, ctx));
          encode(chunk.form, operands, here).forEach((word, w) => put(here + 4 * w, word, 4));
          lines.push({ address: here, file, line, length });
        }
        return;
      }
      case 'data': {
        const [min, max] = DATA_RANGES[chunk.width];
        const directive = chunk.token.text.toLowerCase();
        for (let i = 0; i < chunk.count; i++) {
          const start = chunk.address + i * chunk.size;
          const ctx = this.context(start);
          let address = start;
          for (const item of chunk.items) {
            if (item.kind === 'bytes') {
              bytes.set(item.bytes, address - this.origin);
              address += item.bytes.length;
              continue;
            }
            const value = evaluate(item.expr, ctx);
            if (value < min || value > max) {
              const range = `${showValue(min)}..${showValue(max)}`;
              const message = `value out of range for ${directive}: ${showValue(value)} (must be ${range})`;
              throw new SourceError(item.token.loc, message);
            }
            put(address, value, chunk.width);
            address += chunk.width;
          }
        }
        if (chunk.size > 0) lines.push({ address: chunk.address, file, line, length: chunk.count * chunk.size });
        return;
      }
      case 'bytes':
        bytes.set(chunk.bytes, chunk.address - this.origin);
        if (chunk.bytes.length > 0) lines.push({ address: chunk.address, file, line, length: chunk.bytes.length });
        return;
    }
  }
}

export function assembleSource(source: string, fileName: string, options: AssembleOptions = {}): Program {
  const sink = new DiagnosticSink(options.maxErrors ?? 20);
  const files = new SourceFiles(options);
  return sink.run(() => {
    const assembler = new Assembler(files, sink);
    preprocess(source, fileName, files, options.defines ?? {}, sink, (line) => assembler.layout(line));
    return assembler.finish();
  });
}

export function assembleFile(path: string, options: AssembleOptions = {}): Program {
  let source: string;
  try {
    source = new SourceFiles(options).readText(path);
  } catch (e) {
    const reason = e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
    throw new AssemblyError([fileDiagnostic(path, `cannot read file (${reason})`)]);
  }
  return assembleSource(source, path, options);
}
