// Diagnostics: the error records the assembler reports, their text form, and
// the collector that keeps going after an error (so that one run shows every
// problem of a file) until maxErrors of them have been seen.

export interface Diagnostic {
  file: string;
  /** 1-based; 0 when the problem concerns the whole file (it cannot be read). */
  line: number;
  /** 1-based column of the offending token; 0 with line 0. */
  col: number;
  message: string;
  sourceLine: string;
}

/** One macro expansion a token went through: the macro, and where in its body the token was written. */
export interface MacroFrame {
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

/** Where a token is, as reported to the user. Tokens written in a macro body
 * carry the position of the call instead (the line the user wrote and can act
 * on), plus the chain of macros they came through, outermost first. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly source: string;
  readonly macros?: readonly MacroFrame[];
}

export function formatDiagnostic(d: Diagnostic): string {
  if (d.line === 0) return `${d.file}: ${d.message}`;
  // Keep the source line's tabs in the caret line so that the caret lines up in a terminal.
  const pad = d.sourceLine.slice(0, Math.max(0, d.col - 1)).replace(/[^\t]/g, ' ');
  return `${d.file}:${d.line}:${d.col}: ${d.message}\n${d.sourceLine}\n${pad}^`;
}

export class AssemblyError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(formatDiagnostic(diagnostics[0]));
    this.name = 'AssemblyError';
    this.diagnostics = diagnostics;
  }
}

/** A diagnostic for a whole file (no line to point at). */
export function fileDiagnostic(file: string, message: string): Diagnostic {
  return { file, line: 0, col: 0, message, sourceLine: '' };
}

function diagnosticAt(loc: Loc, message: string): Diagnostic {
  const via = loc.macros?.length
    ? ` (in macro ${loc.macros.map((m) => `'${m.name}' at ${m.file}:${m.line}`).join(' > ')})`
    : '';
  return { file: loc.file, line: loc.line, col: loc.col, message: message + via, sourceLine: loc.source };
}

/** Thrown by the parsing and evaluating code for a problem at one token; the
 * per-line driver catches it, reports it and carries on with the next line. */
export class SourceError extends Error {
  constructor(
    readonly loc: Loc,
    message: string,
    /** A consequence of an error already reported (a use of a symbol whose
     * definition failed): abandons the line without reporting again. */
    readonly quiet = false,
  ) {
    super(message);
  }
}

/** Unwinds the whole assembly: maxErrors reached or a fatal error. */
class Abort extends Error {}

export class DiagnosticSink {
  /** Position in the preprocessed line stream of the line being worked on.
   * Errors are found in several passes; sorting by this puts them back in source order. */
  ordinal = 0;
  private readonly entries: { ordinal: number; diagnostic: Diagnostic }[] = [];
  private readonly maxErrors: number;

  constructor(maxErrors: number) {
    this.maxErrors = Math.max(1, Math.floor(maxErrors));
  }

  report(loc: Loc, message: string): void {
    this.entries.push({ ordinal: this.ordinal, diagnostic: diagnosticAt(loc, message) });
    if (this.entries.length >= this.maxErrors) throw new Abort();
  }

  /** Reports an error after which assembling cannot usefully go on. */
  fatal(loc: Loc, message: string): never {
    this.report(loc, message);
    throw new Abort();
  }

  /** Runs one unit of work (a line, a data item), reporting a SourceError instead of propagating it. */
  attempt<T>(work: () => T): T | undefined {
    try {
      return work();
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      if (!e.quiet) this.report(e.loc, e.message);
      return undefined;
    }
  }

  /** Runs a whole assembly: returns its result, or throws AssemblyError with
   * every diagnostic in source order if there was any. */
  run<T>(work: () => T): T {
    let result: T | undefined;
    try {
      result = this.attempt(work);
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
    }
    // Every path that abandons the work (an unquiet SourceError, Abort) has reported first.
    if (this.entries.length > 0) {
      const sorted = this.entries
        .map((entry, i) => ({ ...entry, i }))
        .sort((a, b) => a.ordinal - b.ordinal || a.i - b.i)
        .map((entry) => entry.diagnostic);
      throw new AssemblyError(sorted);
    }
    return result as T;
  }
}
