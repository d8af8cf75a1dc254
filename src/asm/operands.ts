// Operands: parsing (register, immediate, `size [memory]`), matching against
// the forms of a mnemonic in the instruction table, and resolving them to the
// encoder's Operand values once symbols have addresses.
//
// Which form an instruction uses depends only on the kinds of its operands,
// never on their values, so the first pass knows every instruction's length
// (formLength) before any label is resolved.

import { describe, TokenCursor } from './cursor.ts';
import { SourceError, type Loc } from './diagnostics.ts';
import {
  applyBinary,
  applyUnary,
  evaluate,
  parseExpression,
  registerOf,
  showValue,
  type EvalContext,
  type Expr,
  type ParseOptions,
} from './expressions.ts';
import { isWord, type Token } from './lexer.ts';
import { NO_REG, type Operand } from '../isa/encoding.ts';
import { REGISTER_NAMES, type InstructionForm, type OperandKind } from '../isa/table.ts';

export type Size = 'byte' | 'word' | 'dword';
const SIZES: readonly Size[] = ['byte', 'word', 'dword'];

export type OperandAst =
  | { readonly kind: 'reg'; readonly reg: number; readonly token: Token }
  | { readonly kind: 'imm'; readonly expr: Expr; readonly token: Token }
  /** Unsized memory is dword memory, except that only an explicit size matches m8/m16. */
  | { readonly kind: 'mem'; readonly size: Size | undefined; readonly expr: Expr; readonly token: Token };

export function parseOperand(part: { tokens: Token[]; loc: Loc }, options: ParseOptions): OperandAst {
  if (part.tokens.length === 0) throw new SourceError(part.loc, 'missing operand');
  const cursor = new TokenCursor(part.tokens, part.loc);
  const first = cursor.peek();
  const size = SIZES.find((s) => isWord(first, s));
  if (size) {
    cursor.next();
    if (isWord(cursor.peek(), 'ptr')) throw new SourceError(cursor.loc(), `write '${size} [...]', without 'ptr'`);
  }
  const open = cursor.acceptPunct('[');
  if (open) {
    const expr = parseExpression(cursor, { ...options, registers: true });
    if (!cursor.acceptPunct(']')) {
      throw new SourceError(open.loc, `unbalanced '[': expected ']' before ${describe(cursor.peek())}`);
    }
    cursor.expectEnd();
    return { kind: 'mem', size, expr, token: open };
  }
  if (size) throw new SourceError(first!.loc, `size keyword '${first!.text}' applies only to a memory operand`);
  const reg = registerOf(first);
  if (reg !== undefined && part.tokens.length === 1) return { kind: 'reg', reg, token: first! };
  const expr = parseExpression(cursor, { ...options, registers: false });
  cursor.expectEnd();
  return { kind: 'imm', expr, token: part.tokens[0] };
}

function accepts(kind: OperandKind, op: OperandAst): boolean {
  switch (kind) {
    case 'r':
      return op.kind === 'reg';
    case 'm':
      return op.kind === 'mem' && (op.size === undefined || op.size === 'dword');
    case 'm8':
      return op.kind === 'mem' && op.size === 'byte';
    case 'm16':
      return op.kind === 'mem' && op.size === 'word';
    case 'i':
    case 'rel':
    case 'port':
    case 'v8':
      return op.kind === 'imm';
  }
}

function describeOperand(op: OperandAst): string {
  if (op.kind === 'reg') return 'register';
  if (op.kind === 'imm') return 'immediate';
  return op.size ? `${op.size} memory` : 'memory';
}

/** The first form (in table order) the operands fit, with the operands in the
 * form's order: a commutative form also takes its two operands swapped. */
export function matchForm(
  mnemonic: Token,
  forms: readonly InstructionForm[],
  operands: readonly OperandAst[],
): { form: InstructionForm; operands: OperandAst[] } {
  const fits = (form: InstructionForm, ops: readonly OperandAst[]) =>
    form.operands.length === ops.length && form.operands.every((kind, i) => accepts(kind, ops[i]));
  for (const form of forms) {
    if (fits(form, operands)) return { form, operands: [...operands] };
  }
  const swapped = [...operands].reverse();
  for (const form of forms) {
    if (form.commutative && operands.length === 2 && fits(form, swapped)) return { form, operands: swapped };
  }
  const name = mnemonic.text.toLowerCase();
  const takes = forms.map((f) => (f.operands.length ? f.operands.join(',') : 'no operands')).join(' ');
  const given = operands.length ? `does not take (${operands.map(describeOperand).join(', ')})` : 'needs operands';
  throw new SourceError(mnemonic.loc, `${name} ${given}; it takes ${takes}`);
}

const INT32_MIN = -0x80000000;
const UINT32_MAX = 0xffffffff;

function checkRange(value: number, min: number, max: number, token: Token, what: string, range: string): number {
  if (value < min || value > max) throw new SourceError(token.loc, `${what} out of range: ${showValue(value)}${range}`);
  return value;
}

/** The encoder's operand for `op` in a slot of `kind`, with values range-checked. */
export function resolveOperand(op: OperandAst, kind: OperandKind, ctx: EvalContext): Operand {
  if (op.kind === 'reg') return { kind: 'reg', reg: op.reg };
  if (op.kind === 'mem') return resolveMemory(op, ctx);
  const value = evaluate(op.expr, ctx);
  switch (kind) {
    case 'port':
      return { kind: 'imm', value: checkRange(value, 0, 0xffff, op.token, 'port', ' (must be 0..0xFFFF)') };
    case 'v8':
      return { kind: 'imm', value: checkRange(value, 0, 0xff, op.token, 'vector', ' (must be 0..255)') };
    case 'rel':
      return { kind: 'imm', value: checkRange(value, INT32_MIN, UINT32_MAX, op.token, 'branch target', '') };
    default:
      return {
        kind: 'imm',
        value: checkRange(value, INT32_MIN, UINT32_MAX, op.token, 'immediate', ' does not fit in 32 bits'),
      };
  }
}

/** A memory operand's expression as registers times coefficients plus a constant. */
interface Linear {
  readonly regs: Map<number, { coeff: number; token: Token }>;
  readonly constant: number;
}

function constant(value: number): Linear {
  return { regs: new Map(), constant: value };
}

function scaled(a: Linear, k: number): Linear {
  const regs = new Map([...a.regs].map(([reg, r]) => [reg, { coeff: r.coeff * k, token: r.token }]));
  return { regs, constant: Math.imul(a.constant, k) };
}

function sum(a: Linear, b: Linear): Linear {
  const regs = new Map(a.regs);
  for (const [reg, r] of b.regs) {
    const prev = regs.get(reg);
    regs.set(reg, { coeff: (prev?.coeff ?? 0) + r.coeff, token: prev?.token ?? r.token });
  }
  return { regs, constant: ((a.constant | 0) + (b.constant | 0)) | 0 };
}

function linearize(e: Expr, ctx: EvalContext): Linear {
  switch (e.kind) {
    case 'register':
      return { regs: new Map([[e.reg, { coeff: 1, token: e.token }]]), constant: 0 };
    case 'unary': {
      const a = linearize(e.arg, ctx);
      if (a.regs.size === 0) return constant(applyUnary(e.op, a.constant));
      if (e.op === '+') return a;
      if (e.op === '-') return scaled(a, -1);
      break;
    }
    case 'binary': {
      const a = linearize(e.left, ctx);
      const b = linearize(e.right, ctx);
      if (a.regs.size === 0 && b.regs.size === 0) return constant(applyBinary(e.op, a.constant, b.constant, e.token));
      if (e.op === '+') return sum(a, b);
      if (e.op === '-') return sum(a, scaled(b, -1));
      if (e.op === '*' && a.regs.size === 0) return scaled(b, a.constant | 0);
      if (e.op === '*' && b.regs.size === 0) return scaled(a, b.constant | 0);
      break;
    }
    default:
      return constant(evaluate(e, ctx));
  }
  throw new SourceError(
    e.token.loc,
    `'${e.token.text}' cannot be applied to a register: a memory operand is base + index*scale + displacement`,
  );
}

const SCALES = new Set([1, 2, 4, 8]);

function resolveMemory(op: Extract<OperandAst, { kind: 'mem' }>, ctx: EvalContext): Operand {
  const linear = linearize(op.expr, ctx);
  const regs = [...linear.regs].filter(([, r]) => r.coeff !== 0);
  const badScale = (reg: number, r: { coeff: number; token: Token }) =>
    new SourceError(r.token.loc, `bad scale ${r.coeff} for '${REGISTER_NAMES[reg]}' (must be 1, 2, 4 or 8)`);
  let base = NO_REG;
  let index = NO_REG;
  let scale = 1;
  if (regs.length > 2) {
    throw new SourceError(regs[2][1].token.loc, 'too many registers in a memory operand (at most a base and an index)');
  } else if (regs.length === 2) {
    const [[r1, a], [r2, b]] = regs;
    if (a.coeff !== 1 && b.coeff !== 1) {
      throw new SourceError(b.token.loc, 'only one register of a memory operand can be scaled');
    }
    const [baseReg, [indexReg, i]] = a.coeff === 1 ? [r1, [r2, b] as const] : [r2, [r1, a] as const];
    if (!SCALES.has(i.coeff)) throw badScale(indexReg, i);
    [base, index, scale] = [baseReg, indexReg, i.coeff];
  } else if (regs.length === 1) {
    const [reg, r] = regs[0];
    if (r.coeff === 1) base = reg;
    else if (SCALES.has(r.coeff)) [index, scale] = [reg, r.coeff];
    // eax*3, *5, *9 as eax + eax*2, *4, *8, as NASM does.
    else if (SCALES.has(r.coeff - 1)) [base, index, scale] = [reg, reg, r.coeff - 1];
    else throw badScale(reg, r);
  }
  const disp = checkRange(linear.constant, INT32_MIN, UINT32_MAX, op.token, 'displacement', ' does not fit in 32 bits');
  return { kind: 'mem', base, index, scale: scale as 1 | 2 | 4 | 8, disp };
}
