// A read position in one line's tokens, shared by the statement, operand and
// expression parsers.

import { SourceError, type Loc } from './diagnostics.ts';
import { isPunct, type Token } from './lexer.ts';

/** How a token reads in a message. */
export function describe(token: Token | undefined): string {
  return token === undefined ? 'end of line' : `'${token.text}'`;
}

export class TokenCursor {
  private pos = 0;

  constructor(
    private readonly tokens: readonly Token[],
    /** Where "end of line" errors point when the line is empty. */
    private readonly lineLoc: Loc,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  next(): Token {
    const token = this.tokens[this.pos];
    if (token === undefined) throw new SourceError(this.loc(), 'unexpected end of line');
    this.pos++;
    return token;
  }

  acceptPunct(text: string): Token | undefined {
    const token = this.peek();
    if (!isPunct(token, text)) return undefined;
    this.pos++;
    return token;
  }

  /** The position of the next token, or just after the last one at the end of the line. */
  loc(): Loc {
    const token = this.peek();
    if (token) return token.loc;
    const last = this.tokens[this.tokens.length - 1];
    if (!last) return this.lineLoc;
    // A token moved by macro substitution may be longer than the text at its new position.
    return { ...last.loc, col: Math.min(last.loc.col + last.text.length, last.loc.source.length + 1) };
  }

  /** Fails unless the line has been consumed. */
  expectEnd(): void {
    const token = this.peek();
    if (token === undefined) return;
    if (isPunct(token, ')') || isPunct(token, ']')) throw new SourceError(token.loc, `unbalanced '${token.text}'`);
    throw new SourceError(token.loc, `unexpected ${describe(token)}`);
  }

  /** Splits the rest of the line at top-level commas (commas inside () [] {} do
   * not split). An empty part's `loc` is the comma next to it. */
  splitCommas(): { tokens: Token[]; loc: Loc }[] {
    const parts: { tokens: Token[]; loc: Loc }[] = [{ tokens: [], loc: this.loc() }];
    let depth = 0;
    while (!this.atEnd()) {
      const token = this.next();
      const part = parts[parts.length - 1];
      if (token.type === 'punct') {
        if ('([{'.includes(token.text)) depth++;
        else if (')]}'.includes(token.text)) depth--;
        else if (token.text === ',' && depth <= 0) {
          parts.push({ tokens: [], loc: token.loc });
          continue;
        }
      }
      if (part.tokens.length === 0) part.loc = token.loc;
      part.tokens.push(token);
    }
    return parts;
  }
}
