// The lexer: one physical source line to tokens. Everything after the lexer
// (preprocessor, expressions, operands) works on tokens, so that %define and
// macro substitution are token-level and every token keeps the position it
// will be reported at.

import { SourceError, type Loc } from './diagnostics.ts';

export type Token =
  | { readonly type: 'ident'; readonly text: string; readonly loc: Loc }
  | { readonly type: 'number'; readonly text: string; readonly value: number; readonly loc: Loc }
  /** A quoted string; `bytes` is its UTF-8 content with escapes applied. */
  | { readonly type: 'string'; readonly text: string; readonly bytes: readonly number[]; readonly loc: Loc }
  | { readonly type: 'punct'; readonly text: string; readonly loc: Loc }
  /** `%define`, `%include`, ...: `text` is lower case, with the `%`. */
  | { readonly type: 'directive'; readonly text: string; readonly loc: Loc }
  /** `%1`..`%9` (and `%0`, the argument count) in a macro body. */
  | { readonly type: 'param'; readonly text: string; readonly index: number; readonly loc: Loc }
  /** `%%name`: a label local to one macro expansion. */
  | { readonly type: 'macrolocal'; readonly text: string; readonly name: string; readonly loc: Loc };

export interface LexedLine {
  tokens: Token[];
  /** The first lexical error of the line; `tokens` holds what came before it. */
  error?: SourceError;
}

const IDENT_START = /[A-Za-z_.]/;
// '@' so that a generated macro-local name (..@3.loop) lexes again when pasted to other text.
const IDENT_PART = /[A-Za-z0-9_.@]/;
const NUMBER_PART = /[A-Za-z0-9_]/;
const TWO_CHAR_PUNCT = new Set(['<<', '>>', '$$']);
const ONE_CHAR_PUNCT = new Set(',:[](){}+-*/%&|^~$');
const ESCAPES: ReadonlyMap<string, number> = new Map([
  ['n', 10],
  ['t', 9],
  ['r', 13],
  ['0', 0],
  ['\\', 92],
  ['"', 34],
  ["'", 39],
]);
// Literals may be wider than 32 bits so that an out-of-range immediate is
// reported as such where it is used; beyond 64 bits there is nothing to report but the literal.
const MAX_LITERAL = (1n << 64n) - 1n;

/** Shows a character in a message; control and non-ASCII characters as their U+ code point. */
function showChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code > 0x20 && code < 0x7f ? `'${ch}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** NASM number syntax: 0x1F, 1Fh, 0b101, 42, with optional `_` separators. */
function parseNumber(text: string): bigint | undefined {
  const t = text.replace(/_/g, '').toLowerCase();
  if (/^[0-9][0-9a-f]*h$/.test(t)) return BigInt('0x' + t.slice(0, -1));
  if (/^0x[0-9a-f]+$/.test(t) || /^0b[01]+$/.test(t) || /^[0-9]+$/.test(t)) return BigInt(t);
  return undefined;
}

function utf8(codePoint: number): number[] {
  return Array.from(new TextEncoder().encode(String.fromCodePoint(codePoint)));
}

export function lexLine(text: string, file: string, line: number): LexedLine {
  const tokens: Token[] = [];
  const at = (index: number): Loc => ({ file, line, col: index + 1, source: text });
  let i = 0;
  try {
    while (i < text.length) {
      const ch = text[i];
      if (ch === ' ' || ch === '\t' || ch === '\f' || ch === '\v') {
        i++;
      } else if (ch === ';') {
        break;
      } else if (IDENT_START.test(ch)) {
        const start = i;
        while (i < text.length && IDENT_PART.test(text[i])) i++;
        tokens.push({ type: 'ident', text: text.slice(start, i), loc: at(start) });
      } else if (ch >= '0' && ch <= '9') {
        const start = i;
        while (i < text.length && NUMBER_PART.test(text[i])) i++;
        const raw = text.slice(start, i);
        const value = parseNumber(raw);
        if (value === undefined) throw new SourceError(at(start), `bad number '${raw}'`);
        if (value > MAX_LITERAL) throw new SourceError(at(start), `number '${raw}' is too large`);
        tokens.push({ type: 'number', text: raw, value: Number(value), loc: at(start) });
      } else if (ch === '"' || ch === "'") {
        const start = i;
        const bytes: number[] = [];
        i++;
        for (;;) {
          if (i >= text.length) throw new SourceError(at(start), 'unterminated string');
          const code = text.codePointAt(i) ?? 0;
          const c = String.fromCodePoint(code);
          if (c === ch) break;
          // Only double-quoted strings have escapes: a single-quoted string is
          // taken literally, so that '\' is a backslash as in NASM.
          if (c === '\\' && ch === '"') {
            const e = text[i + 1];
            if (e === undefined) throw new SourceError(at(start), 'unterminated string');
            const escaped = ESCAPES.get(e);
            if (escaped !== undefined) {
              bytes.push(escaped);
              i += 2;
            } else if (e === 'x' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 2, i + 4))) {
              bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
              i += 4;
            } else {
              const known = `\\n \\t \\r \\0 \\\\ \\" \\' \\xHH`;
              throw new SourceError(at(i), `unknown escape '\\${e}' in string (known: ${known})`);
            }
            continue;
          }
          bytes.push(...utf8(code));
          i += c.length;
        }
        i++;
        tokens.push({ type: 'string', text: text.slice(start, i), bytes, loc: at(start) });
      } else if (ch === '%' && text[i + 1] === '%' && IDENT_START.test(text[i + 2] ?? '')) {
        const start = i;
        i += 2;
        while (i < text.length && IDENT_PART.test(text[i])) i++;
        tokens.push({ type: 'macrolocal', text: text.slice(start, i), name: text.slice(start + 2, i), loc: at(start) });
      } else if (ch === '%' && /[0-9]/.test(text[i + 1] ?? '')) {
        const start = i;
        i++;
        while (i < text.length && /[0-9]/.test(text[i])) i++;
        const raw = text.slice(start, i);
        tokens.push({ type: 'param', text: raw, index: Number(raw.slice(1)), loc: at(start) });
      } else if (ch === '%' && /[A-Za-z]/.test(text[i + 1] ?? '')) {
        const start = i;
        i++;
        while (i < text.length && IDENT_PART.test(text[i])) i++;
        tokens.push({ type: 'directive', text: text.slice(start, i).toLowerCase(), loc: at(start) });
      } else if (TWO_CHAR_PUNCT.has(text.slice(i, i + 2))) {
        tokens.push({ type: 'punct', text: text.slice(i, i + 2), loc: at(i) });
        i += 2;
      } else if (ONE_CHAR_PUNCT.has(ch)) {
        tokens.push({ type: 'punct', text: ch, loc: at(i) });
        i++;
      } else {
        const char = String.fromCodePoint(text.codePointAt(i) ?? 0);
        throw new SourceError(at(i), `unexpected character ${showChar(char)}`);
      }
    }
  } catch (e) {
    if (e instanceof SourceError) return { tokens, error: e };
    throw e;
  }
  return { tokens };
}

export function isPunct(token: Token | undefined, text: string): boolean {
  return token?.type === 'punct' && token.text === text;
}

/** An identifier equal to `word`, ignoring case (keywords and mnemonics are case-insensitive). */
export function isWord(token: Token | undefined, word: string): boolean {
  return token?.type === 'ident' && token.text.toLowerCase() === word;
}

/** The token moved to `loc`: how %define and macro substitution keep positions meaningful. */
export function relocate(token: Token, loc: Loc): Token {
  return { ...token, loc };
}
