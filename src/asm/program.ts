// The assembler's public data types.

export interface SymbolInfo {
  name: string;
  address: number;
  file: string;
  line: number;
}

/** One per emitted instruction, and one per data directive (a `times` of data
 * gives one entry covering all its repetitions); padding has none. */
export interface LineInfo {
  address: number;
  file: string;
  line: number;
  length: number;
}

export interface Program {
  /** The image from `origin` on, padding included. */
  bytes: Uint8Array;
  origin: number;
  /** `_start` if defined, else `origin`. */
  entry: number;
  /** Every label (local ones as `global.local`), in order of definition.
   * `equ` constants are not addresses and are left out. */
  symbols: SymbolInfo[];
  lines: LineInfo[];
}

export interface AssembleOptions {
  /** Searched, in order, for `%include` and `incbin` files not found beside the including file. */
  includePaths?: string[];
  /** Like `%define NAME value` before the first line. */
  defines?: Record<string, number | string>;
  /** Stop after this many errors (default 20). */
  maxErrors?: number;
  /** Reads a source file (default: fs.readFileSync as UTF-8). Throwing means "not found". */
  readFile?: (path: string) => string;
  /** Reads an `incbin` file. Default: the raw bytes from disk, or, when only
   * `readFile` is given, the UTF-8 bytes of its text (for in-memory sources). */
  readBinaryFile?: (path: string) => Uint8Array;
}
