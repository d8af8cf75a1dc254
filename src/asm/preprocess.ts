// The preprocessor: %include, %define/%undef, %macro/%endmacro and
// %ifdef/%ifndef/%else/%endif, all at the token level. It turns the root file
// into a stream of lines for the assembler, each token still carrying the
// position it is reported at:
// - a token from an included file points into that file;
// - a token written in a macro body points at the macro's call, with the chain
//   of macros (and body lines) it came through; a macro argument points at
//   where it was written in the call;
// - a token produced by a %define points at the name it replaced.
//
// A macro parameter or %%label written against other text (`isr_%1:`) is
// pasted to it, as in NASM.
//
// %define is textual and lazy, as in NASM: the value is substituted when the
// name is used, and substituted again for defines within it (a define is not
// expanded inside its own expansion). Names of defines and macros are
// case-sensitive, like labels.

import * as path from 'node:path';
import { DiagnosticSink, SourceError, type Loc } from './diagnostics.ts';
import { isPunct, isWord, lexLine, relocate, type Token } from './lexer.ts';
import type { SourceFiles } from './sources.ts';

export interface SourceLine {
  readonly tokens: readonly Token[];
  /** Position in the line stream; orders diagnostics found in different passes. */
  readonly ordinal: number;
}

const MAX_MACRO_DEPTH = 64;
const MAX_INCLUDE_DEPTH = 64;
/** Bounds a line grown by %define substitution (defines that double at every level would otherwise exhaust memory). */
const MAX_LINE_TOKENS = 10_000;
/** Bounds the lines a source makes once its macros are expanded: a macro
 * that calls itself twice per level, 40 levels deep, would otherwise expand
 * until memory runs out. L0, the largest bundled source, makes fewer than 20,000. */
export const MAX_EXPANDED_LINES = 100_000;
/** An identifier, as the lexer reads one. */
const NAME = /^[A-Za-z_.][A-Za-z0-9_.@]*$/;

/** A line on its way through the preprocessor: lexed from a file or produced by a macro expansion. */
interface RawLine {
  tokens: readonly Token[];
  /** A lexical error, reported only if the line is not skipped by a conditional. */
  error?: SourceError;
}

interface Macro {
  readonly name: string;
  readonly params: number;
  readonly body: (readonly Token[])[];
  /** The definition had an error, already reported: calls expand to nothing, without further reports. */
  broken: boolean;
}

interface Conditional {
  readonly loc: Loc;
  readonly value: boolean;
  inElse: boolean;
}

/** Unwinds a runaway macro recursion to the line that started it. */
class RecursionAbort extends Error {}

function decodeString(token: Extract<Token, { type: 'string' }>): string {
  return new TextDecoder().decode(Uint8Array.from(token.bytes));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function lexText(text: string, file: string): RawLine[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .map((source, i) => lexLine(source, file, i + 1));
}

class Preprocessor {
  private readonly defines = new Map<string, readonly Token[]>();
  private readonly macros = new Map<string, Macro>();
  private readonly includeStack: string[] = [];
  private expansions = 0;
  private ordinal = 0;

  constructor(
    private readonly files: SourceFiles,
    private readonly sink: DiagnosticSink,
    private readonly emit: (line: SourceLine) => void,
  ) {}

  /** Defines from the command line or API, as if by %define before the first line. */
  predefine(defines: Record<string, number | string>): void {
    Object.entries(defines).forEach(([name, value], i) => {
      const text = String(value);
      const loc: Loc = { file: '<defines>', line: i + 1, col: 1, source: `${name}=${text}` };
      if (!NAME.test(name)) {
        this.sink.report(loc, `bad define name '${name}'`);
        return;
      }
      const lexed = lexLine(text, '<defines>', i + 1);
      // Shown as NAME=value: the value starts after the name and '='.
      if (lexed.error) this.sink.report({ ...loc, col: lexed.error.loc.col + name.length + 1 }, lexed.error.message);
      else this.defines.set(name, lexed.tokens);
    });
  }

  file(text: string, file: string): void {
    this.includeStack.push(file);
    this.block(lexText(text, file), 0);
    this.includeStack.pop();
  }

  /** Processes the lines of one file or one macro expansion; conditionals and macro definitions must end within it. */
  private block(lines: readonly RawLine[], depth: number): void {
    const conditionals: Conditional[] = [];
    /** The macro whose body is being collected; `nested` counts %macro lines wrongly inside it. */
    let defining: { macro: Macro; loc: Loc; nested: number } | undefined;
    for (const line of lines) {
      this.sink.ordinal = this.ordinal + 0.5;
      const first = line.tokens[0];
      const directive = first?.type === 'directive' ? first.text : undefined;
      if (defining) {
        const { macro } = defining;
        if (directive === '%endmacro' && defining.nested > 0) {
          defining.nested--;
        } else if (directive === '%endmacro') {
          this.sink.attempt(() => this.endMacro(macro, line));
          defining = undefined;
        } else if (directive === '%macro') {
          // Skipping to the matching %endmacro keeps the inner body from running as code.
          defining.nested++;
          if (!macro.broken) this.sink.report(first!.loc, 'a macro cannot be defined inside another macro');
          macro.broken = true;
        } else if (line.error) {
          if (!macro.broken) this.sink.report(line.error.loc, line.error.message);
        } else if (line.tokens.length > 0) {
          macro.body.push(line.tokens);
        }
        continue;
      }
      const taking = conditionals.every((c) => c.value !== c.inElse);
      if (directive === '%ifdef' || directive === '%ifndef' || directive === '%else' || directive === '%endif') {
        // The nesting is tracked even on a line with a lexical error, so that the rest of the file stays in step.
        this.sink.attempt(() => this.conditional(conditionals, directive, line, taking));
        if (line.error && taking) this.sink.report(line.error.loc, line.error.message);
        continue;
      }
      if (!taking) continue;
      if (line.error) {
        this.sink.report(line.error.loc, line.error.message);
        continue;
      }
      if (directive === '%macro') {
        defining = { macro: this.beginMacro(line), loc: first!.loc, nested: 0 };
        continue;
      }
      this.sink.attempt(() => this.line(line, directive, depth));
    }
    if (defining) this.sink.report(defining.loc, `missing %endmacro for macro '${defining.macro.name}'`);
    for (const c of conditionals) this.sink.report(c.loc, 'missing %endif');
  }

  private conditional(stack: Conditional[], directive: string, line: RawLine, taking: boolean): void {
    const [keyword, ...rest] = line.tokens;
    if (directive === '%ifdef' || directive === '%ifndef') {
      // In a skipped region only the nesting matters; the name is not checked.
      const name = rest[0];
      if (taking && (rest.length !== 1 || name.type !== 'ident')) {
        stack.push({ loc: keyword.loc, value: false, inElse: false });
        throw new SourceError(rest[0]?.loc ?? keyword.loc, `${directive} needs one name`);
      }
      const defined = name?.type === 'ident' && this.defines.has(name.text);
      stack.push({ loc: keyword.loc, value: defined === (directive === '%ifdef'), inElse: false });
      return;
    }
    const top = stack[stack.length - 1];
    if (!top) throw new SourceError(keyword.loc, `${directive} without %ifdef or %ifndef`);
    if (rest.length > 0) throw new SourceError(rest[0].loc, `unexpected '${rest[0].text}' after ${directive}`);
    if (directive === '%endif') {
      stack.pop();
    } else if (top.inElse) {
      throw new SourceError(keyword.loc, 'second %else for the same %ifdef');
    } else {
      top.inElse = true;
    }
  }

  private beginMacro(line: RawLine): Macro {
    const [keyword, name, count, ...rest] = line.tokens;
    const macro: Macro = { name: name?.text ?? '', params: 0, body: [], broken: true };
    const ok = this.sink.attempt(() => {
      if (name?.type !== 'ident' || count?.type !== 'number') {
        throw new SourceError((name ?? keyword).loc, '%macro needs a name and a parameter count: %macro NAME COUNT');
      }
      if (count.value > 9) throw new SourceError(count.loc, 'a macro takes at most 9 parameters (%1 .. %9)');
      if (rest.length > 0) throw new SourceError(rest[0].loc, `unexpected '${rest[0].text}' after the parameter count`);
      if (this.macros.has(name.text)) throw new SourceError(name.loc, `macro '${name.text}' is already defined`);
      return count.value;
    });
    if (ok === undefined) {
      // Calls of a macro whose header failed are not reported again.
      if (name?.type === 'ident' && !this.macros.has(name.text)) this.macros.set(name.text, macro);
      return macro;
    }
    return { name: macro.name, params: ok, body: [], broken: false };
  }

  private endMacro(macro: Macro, line: RawLine): void {
    const extra = line.tokens[1];
    // A name already taken holds an earlier definition, or the placeholder of a failed header: keep it.
    if (!this.macros.has(macro.name)) this.macros.set(macro.name, macro);
    if (macro.broken) return;
    if (extra) throw new SourceError(extra.loc, `unexpected '${extra.text}' after %endmacro`);
    for (const tokens of macro.body) {
      for (const token of tokens) {
        if (token.type === 'param' && token.index > macro.params) {
          macro.broken = true;
          throw new SourceError(
            token.loc,
            `macro '${macro.name}' has ${plural(macro.params, 'parameter')}; there is no ${token.text}`,
          );
        }
      }
    }
  }

  private line(line: RawLine, directive: string | undefined, depth: number): void {
    const [keyword, ...rest] = line.tokens;
    switch (directive) {
      case undefined:
        return this.statement(line, depth);
      case '%define': {
        const name = rest[0];
        if (name?.type !== 'ident') {
          throw new SourceError((name ?? keyword).loc, '%define needs a name: %define NAME value');
        }
        this.defines.set(name.text, rest.slice(1));
        return;
      }
      case '%undef': {
        const name = rest[0];
        if (name?.type !== 'ident' || rest.length > 1) {
          throw new SourceError((name ?? keyword).loc, '%undef needs one name');
        }
        this.defines.delete(name.text);
        return;
      }
      case '%include':
        return this.include(keyword, this.substitute(rest));
      case '%endmacro':
        throw new SourceError(keyword.loc, '%endmacro without %macro');
      default:
        throw new SourceError(keyword.loc, `unknown preprocessor directive '${keyword.text}'`);
    }
  }

  private include(keyword: Token, args: Token[]): void {
    const nameToken = args[0];
    if (args.length !== 1 || nameToken.type !== 'string') {
      throw new SourceError((nameToken ?? keyword).loc, '%include needs a file name in quotes');
    }
    const name = decodeString(nameToken);
    const found = this.files.text(name, keyword.loc.file, nameToken.loc);
    if ('searched' in found) {
      throw new SourceError(nameToken.loc, `include file not found: '${name}' (searched ${found.searched.join(', ')})`);
    }
    const cycleStart = this.includeStack.findIndex((f) => path.normalize(f) === path.normalize(found.path));
    if (cycleStart >= 0) {
      const chain = [...this.includeStack.slice(cycleStart), found.path];
      throw new SourceError(nameToken.loc, `include cycle: ${chain.join(' -> ')}`);
    }
    if (this.includeStack.length >= MAX_INCLUDE_DEPTH) {
      throw new SourceError(nameToken.loc, `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels`);
    }
    this.file(found.content, found.path);
  }

  /** An ordinary line: substitutes defines, then expands a macro call or passes the line on. */
  private statement(line: RawLine, depth: number): void {
    const tokens = this.substitute(line.tokens);
    const labelled = tokens[0]?.type === 'ident' && isPunct(tokens[1], ':');
    const head = tokens[labelled ? 2 : 0];
    const macro = head?.type === 'ident' ? this.macros.get(head.text) : undefined;
    if (macro && head && !isWord(tokens[labelled ? 3 : 1], 'equ')) {
      if (labelled) this.output(tokens.slice(0, 2));
      this.expand(macro, head, tokens.slice(labelled ? 3 : 1), depth);
      return;
    }
    for (const token of tokens) {
      if (token.type === 'macrolocal' || token.type === 'param') {
        // `5%2` lexes as 5 and parameter %2.
        const hint = token.type === 'param' ? ` (a remainder is written '% ${token.text.slice(1)}')` : '';
        throw new SourceError(token.loc, `'${token.text}' is only meaningful in a macro body${hint}`);
      }
      if (token.type === 'directive') throw new SourceError(token.loc, `'${token.text}' must start a line`);
    }
    this.output(tokens);
  }

  private output(tokens: Token[]): void {
    if (tokens.length === 0) return;
    if (this.ordinal === MAX_EXPANDED_LINES) {
      const call = tokens[0].loc.macros?.[0];
      this.sink.fatal(
        { ...tokens[0].loc, macros: undefined },
        `the source expands to more than ${MAX_EXPANDED_LINES} lines${call ? ` (in the expansion of macro '${call.name}')` : ''}`,
      );
    }
    this.ordinal++;
    this.sink.ordinal = this.ordinal;
    this.emit({ tokens, ordinal: this.ordinal });
  }

  private substitute(tokens: readonly Token[], active = new Set<string>()): Token[] {
    const out: Token[] = [];
    for (const token of tokens) {
      const value = token.type === 'ident' && !active.has(token.text) ? this.defines.get(token.text) : undefined;
      if (value === undefined) {
        out.push(token);
        continue;
      }
      active.add(token.text);
      out.push(...this.substitute(value.map((v) => relocate(v, token.loc)), active));
      active.delete(token.text);
      if (out.length > MAX_LINE_TOKENS) {
        throw new SourceError(token.loc, `%define expansion of '${token.text}' is too long`);
      }
    }
    return out;
  }

  private expand(macro: Macro, call: Token, argTokens: Token[], depth: number): void {
    if (macro.broken) return;
    const args = splitArguments(argTokens);
    if (args.length !== macro.params) {
      throw new SourceError(
        call.loc,
        `macro '${macro.name}' takes ${plural(macro.params, 'argument')}, got ${args.length}`,
      );
    }
    if (depth >= MAX_MACRO_DEPTH) {
      // The chain of 64 macros would drown the message; the call is what matters.
      this.sink.report(
        { ...call.loc, macros: undefined },
        `macro recursion deeper than ${MAX_MACRO_DEPTH} levels expanding '${macro.name}'`,
      );
      throw new RecursionAbort();
    }
    const id = ++this.expansions;
    const outer = call.loc.macros ?? [];
    const substitute = (token: Token): Token[] => {
      const macros = [...outer, { name: macro.name, file: token.loc.file, line: token.loc.line }];
      const loc: Loc = { ...call.loc, macros };
      if (token.type === 'param') {
        if (token.index === 0) return [{ type: 'number', text: String(args.length), value: args.length, loc }];
        // An argument stays where it is written in the call, but is now part of the macro's expansion.
        return args[token.index - 1].map((arg) => relocate(arg, { ...arg.loc, macros }));
      }
      // Unique per expansion, and starting with '..@' so that it neither opens nor uses a local-label scope.
      if (token.type === 'macrolocal') return [{ type: 'ident', text: `..@${id}.${token.name}`, loc }];
      return [relocate(token, loc)];
    };
    const lines = macro.body.map((body): RawLine => {
      const tokens: Token[] = [];
      body.forEach((token, k) => {
        const piece = substitute(token);
        const before = body[k - 1];
        const last = tokens[tokens.length - 1];
        const glued = before && touches(before, token) && (isMacroToken(before) || isMacroToken(token));
        const pasted = glued && last && piece.length > 0 ? paste(last, piece[0]) : undefined;
        if (pasted) {
          tokens[tokens.length - 1] = pasted;
          piece.shift();
        }
        tokens.push(...piece);
      });
      return { tokens };
    });
    try {
      this.block(lines, depth + 1);
    } catch (e) {
      if (e instanceof RecursionAbort && depth === 0) return;
      throw e;
    }
  }
}

const isMacroToken = (token: Token) => token.type === 'param' || token.type === 'macrolocal';

/** Whether two tokens of a macro body were written with nothing between them. */
function touches(a: Token, b: Token): boolean {
  return a.loc.line === b.loc.line && a.loc.col + a.text.length === b.loc.col;
}

/** The one token that two touching tokens make together (`isr_` and `3` make `isr_3`): as in NASM,
 * a parameter or %%label written against other text is pasted to it. Undefined if they make more. */
function paste(a: Token, b: Token): Token | undefined {
  const lexed = lexLine(a.text + b.text, a.loc.file, a.loc.line);
  return lexed.tokens.length === 1 && !lexed.error ? relocate(lexed.tokens[0], a.loc) : undefined;
}

/** Splits a macro call's arguments at top-level commas; `{...}` groups an argument containing commas. */
function splitArguments(tokens: Token[]): Token[][] {
  if (tokens.length === 0) return [];
  const args: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.type === 'punct') {
      if ('([{'.includes(token.text)) depth++;
      else if (')]}'.includes(token.text)) depth--;
      else if (token.text === ',' && depth === 0) {
        args.push([]);
        continue;
      }
    }
    args[args.length - 1].push(token);
  }
  return args.map((arg) =>
    isPunct(arg[0], '{') && isPunct(arg[arg.length - 1], '}') ? arg.slice(1, -1) : arg,
  );
}

/** Preprocesses a root file, passing each resulting line to `emit` as soon as it is ready. */
export function preprocess(
  text: string,
  file: string,
  files: SourceFiles,
  defines: Record<string, number | string>,
  sink: DiagnosticSink,
  emit: (line: SourceLine) => void,
): void {
  const pre = new Preprocessor(files, sink, emit);
  pre.predefine(defines);
  pre.file(text, file);
}
