// Integer expressions: parsing (C precedence) and evaluation (32-bit wrapping).
//
// Semantics, following NASM where C leaves a choice:
// - every operator works on 32-bit integers and wraps; results are kept as
//   signed 32-bit values, so `-1` and `0xFFFFFFFF` are the same bits;
// - `/`, `%` and `>>` are unsigned (NASM's `/`, `%` and `>>`); shifting by
//   32 or more gives 0;
// - a literal is kept exact until an operator touches it, so that a literal
//   too wide for its use (`mov eax, 0x100000000`) is reported, not wrapped;
// - `$` is the address of the current instruction (after its alignment) or
//   data directive, `$$` the origin; 'abc' is a character constant of 1 to 4
//   bytes, first character in the low byte.

import { describe, TokenCursor } from './cursor.ts';
import { SourceError } from './diagnostics.ts';
import { isPunct, type Token } from './lexer.ts';
import { REGISTER_NAMES } from '../isa/table.ts';

export type BinaryOp = '|' | '^' | '&' | '<<' | '>>' | '+' | '-' | '*' | '/' | '%';
export type UnaryOp = '-' | '+' | '~';

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly token: Token }
  | { readonly kind: 'symbol'; readonly name: string; readonly token: Token }
  | { readonly kind: 'here'; readonly token: Token }
  | { readonly kind: 'origin'; readonly token: Token }
  | { readonly kind: 'register'; readonly reg: number; readonly token: Token }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly arg: Expr; readonly token: Token }
  | {
      readonly kind: 'binary';
      readonly op: BinaryOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly token: Token;
    };

/** Binary operators by precedence level, loosest first (C order). */
const LEVELS: readonly (readonly BinaryOp[])[] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];
/** Bound the recursion of the parser and of everything that walks a parsed
 * expression: a deeper or longer expression is reported rather than overflowing the stack. */
const MAX_NESTING = 200;
const MAX_OPERATORS = 2000;

const REGISTERS: ReadonlyMap<string, number> = new Map(REGISTER_NAMES.map((name, i) => [name, i]));

/** The register an identifier names (case-insensitive), if any. */
export function registerOf(token: Token | undefined): number | undefined {
  return token?.type === 'ident' ? REGISTERS.get(token.text.toLowerCase()) : undefined;
}

export interface ParseOptions {
  /** The symbol table name for an identifier (local labels get their scope prefixed). */
  symbolName(token: Token): string;
  /** Registers are terms only inside memory operands. */
  registers: boolean;
}

class Parser {
  private depth = 0;
  private operators = 0;
  constructor(
    private readonly cursor: TokenCursor,
    private readonly options: ParseOptions,
  ) {}

  parse(level = 0): Expr {
    if (level === LEVELS.length) return this.unary();
    let left = this.parse(level + 1);
    for (;;) {
      const token = this.cursor.peek();
      const op = LEVELS[level].find((o) => isPunct(token, o));
      if (op === undefined || token === undefined) return left;
      this.cursor.next();
      if (++this.operators > MAX_OPERATORS) throw new SourceError(token.loc, 'expression too long');
      left = { kind: 'binary', op, left, right: this.parse(level + 1), token };
    }
  }

  private nested<T>(token: Token, work: () => T): T {
    if (++this.depth > MAX_NESTING) throw new SourceError(token.loc, 'expression nested too deeply');
    try {
      return work();
    } finally {
      this.depth--;
    }
  }

  private unary(): Expr {
    const token = this.cursor.peek();
    if (token?.type === 'punct' && (token.text === '-' || token.text === '+' || token.text === '~')) {
      this.cursor.next();
      const op = token.text;
      return this.nested(token, () => ({ kind: 'unary', op, arg: this.unary(), token }));
    }
    return this.primary();
  }

  private primary(): Expr {
    const loc = this.cursor.loc();
    const token = this.cursor.peek();
    if (token === undefined) throw new SourceError(loc, 'expected an expression, found end of line');
    this.cursor.next();
    switch (token.type) {
      case 'number':
        return { kind: 'number', value: token.value, token };
      case 'string':
        return { kind: 'number', value: characterConstant(token), token };
      case 'ident': {
        const reg = registerOf(token);
        if (reg === undefined) return { kind: 'symbol', name: this.options.symbolName(token), token };
        if (this.options.registers) return { kind: 'register', reg, token };
        throw new SourceError(token.loc, `register '${token.text}' cannot be used in an expression`);
      }
      case 'punct':
        if (token.text === '$') return { kind: 'here', token };
        if (token.text === '$$') return { kind: 'origin', token };
        if (token.text === '(') {
          const inner = this.nested(token, () => this.parse());
          if (!this.cursor.acceptPunct(')')) {
            throw new SourceError(token.loc, `unbalanced '(': expected ')' before ${describe(this.cursor.peek())}`);
          }
          return inner;
        }
    }
    throw new SourceError(token.loc, `expected an expression, found ${describe(token)}`);
  }
}

function characterConstant(token: Extract<Token, { type: 'string' }>): number {
  if (token.bytes.length < 1 || token.bytes.length > 4) {
    throw new SourceError(token.loc, `a character constant has 1 to 4 bytes; ${token.text} has ${token.bytes.length}`);
  }
  return token.bytes.reduce((value, byte, i) => value | (byte << (8 * i)), 0);
}

/** Parses an expression from the cursor, leaving it at the first token that cannot continue it. */
export function parseExpression(cursor: TokenCursor, options: ParseOptions): Expr {
  return new Parser(cursor, options).parse();
}

export interface EvalContext {
  /** `$` */
  readonly here: number;
  /** `$$` */
  readonly origin: number;
  /** The value of a symbol; throws SourceError (at `token`) if it has none. */
  symbol(name: string, token: Token): number;
}

export function evaluate(expr: Expr, ctx: EvalContext): number {
  switch (expr.kind) {
    case 'number':
      return expr.value;
    case 'symbol':
      return ctx.symbol(expr.name, expr.token);
    case 'here':
      return ctx.here | 0;
    case 'origin':
      return ctx.origin | 0;
    case 'register':
      throw new SourceError(expr.token.loc, `register '${expr.token.text}' cannot be used in an expression`);
    case 'unary':
      return applyUnary(expr.op, evaluate(expr.arg, ctx));
    case 'binary':
      return applyBinary(expr.op, evaluate(expr.left, ctx), evaluate(expr.right, ctx), expr.token);
  }
}

export function applyUnary(op: UnaryOp, a: number): number {
  if (op === '-') return -(a | 0) | 0;
  if (op === '~') return ~a;
  return a;
}

export function applyBinary(op: BinaryOp, a: number, b: number, token: Token): number {
  switch (op) {
    case '+':
      return ((a | 0) + (b | 0)) | 0;
    case '-':
      return ((a | 0) - (b | 0)) | 0;
    case '*':
      return Math.imul(a, b);
    case '/':
    case '%': {
      if (b >>> 0 === 0) throw new SourceError(token.loc, 'division by zero');
      const q = op === '/' ? Math.floor((a >>> 0) / (b >>> 0)) : (a >>> 0) % (b >>> 0);
      return q | 0;
    }
    case '<<':
      return b >>> 0 >= 32 ? 0 : a << b;
    case '>>':
      return b >>> 0 >= 32 ? 0 : (a >>> b) | 0;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
  }
}

/** Formats a value for a message: decimal when small, hex otherwise. */
export function showValue(value: number): string {
  if (Math.abs(value) < 0x10000) return String(value);
  return (value < 0 ? '-0x' : '0x') + Math.abs(value).toString(16);
}
