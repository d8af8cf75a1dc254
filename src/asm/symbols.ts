// The symbol table: labels (addresses, fixed by the first pass) and `equ`
// constants (expressions evaluated on first use, so that they may refer to
// labels defined further down).

import { SourceError, type Loc } from './diagnostics.ts';
import { evaluate, type Expr } from './expressions.ts';
import type { Token } from './lexer.ts';

/** Bounds chains of equ definitions referring to each other (the evaluator recurses through them). */
const MAX_EQU_DEPTH = 500;

export interface Label {
  readonly name: string;
  readonly address: number;
  readonly loc: Loc;
}

interface Equ {
  readonly expr: Expr;
  /** `$` where the equ was written. */
  readonly here: number;
  state: 'pending' | 'evaluating' | 'done' | 'failed';
  value: number;
}

export class SymbolTable {
  /** `$$`; set by `org`. */
  origin = 0;
  /** Labels in order of definition. */
  readonly labels: Label[] = [];
  private readonly addresses = new Map<string, number>();
  private readonly equs = new Map<string, Equ>();
  /** Every name claimed so far (labels waiting for an address included), for duplicate checks. */
  private readonly defined = new Map<string, Loc>();
  /** Names whose definition failed: a use of one is not reported again. */
  private readonly poisoned = new Set<string>();
  private depth = 0;

  /** Claims a name for a label or equ; fails if it is already defined. */
  claim(name: string, token: Token): void {
    const first = this.defined.get(name);
    if (first) {
      throw new SourceError(token.loc, `duplicate label '${name}' (first defined at ${first.file}:${first.line})`);
    }
    this.defined.set(name, token.loc);
  }

  poison(name: string): void {
    this.poisoned.add(name);
  }

  addLabel(name: string, address: number, loc: Loc): void {
    this.labels.push({ name, address, loc });
    this.addresses.set(name, address);
  }

  addEqu(name: string, expr: Expr, here: number): void {
    this.equs.set(name, { expr, here, state: 'pending', value: 0 });
  }

  address(name: string): number | undefined {
    return this.addresses.get(name);
  }

  /**
   * The value of a symbol. With `early` (what is being computed, such as
   * "times count"), this is the first pass: only symbols defined above the
   * current line exist yet, and a failure says so rather than condemning the equ.
   */
  value(name: string, token: Token, early?: string): number {
    const address = this.addresses.get(name);
    if (address !== undefined) return address;
    const equ = this.equs.get(name);
    if (this.poisoned.has(name) || equ?.state === 'failed') throw new SourceError(token.loc, '', true);
    if (equ === undefined) {
      throw new SourceError(
        token.loc,
        early ? `${early} uses '${name}', which is not defined above this line` : `undefined symbol '${name}'`,
      );
    }
    if (equ.state === 'done') return equ.value;
    if (equ.state === 'evaluating') throw new SourceError(token.loc, `circular definition of '${name}'`);
    if (this.depth >= MAX_EQU_DEPTH) throw new SourceError(token.loc, 'equ definitions nested too deeply');
    equ.state = 'evaluating';
    this.depth++;
    try {
      equ.value = evaluate(equ.expr, {
        here: equ.here,
        origin: this.origin,
        symbol: (n, t) => this.value(n, t, early),
      });
      equ.state = 'done';
      return equ.value;
    } catch (e) {
      // In the first pass a later line may still define what was missing.
      equ.state = early ? 'pending' : 'failed';
      throw e;
    } finally {
      this.depth--;
    }
  }
}
