// Finding and reading the files a source names (%include, incbin): beside the
// file that names them first, then along the include paths.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AssembleOptions } from './program.ts';
import { SourceError, type Loc } from './diagnostics.ts';

export type Found<T> = { path: string; content: T } | { searched: string[] };

/** Far beyond any source or incbin file; a program may not be larger either. */
export const MAX_SOURCE_FILE_BYTES = 64 * 1024 * 1024;

/** A file that is there but must not be read: not a regular file (a device
 * such as /dev/zero, a pipe, a directory) or larger than MAX_SOURCE_FILE_BYTES.
 * Reading one would never end, or exhaust memory. */
export class FileRefused extends Error {}

/** The bytes of regular file `file`, up to MAX_SOURCE_FILE_BYTES. */
export function readRegularFile(file: string): Buffer {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new FileRefused(`'${file}': not a regular file`);
  if (stat.size > MAX_SOURCE_FILE_BYTES) throw new FileRefused(`'${file}': larger than ${MAX_SOURCE_FILE_BYTES / 2 ** 20} MiB`);
  return fs.readFileSync(file);
}

export class SourceFiles {
  readonly readText: (file: string) => string;
  private readonly readBytes: (file: string) => Uint8Array;
  private readonly includePaths: readonly string[];

  constructor(options: AssembleOptions) {
    const { readFile, readBinaryFile } = options;
    this.readText = readFile ?? ((file) => readRegularFile(file).toString('utf8'));
    this.readBytes =
      readBinaryFile ??
      (readFile ? (file) => new TextEncoder().encode(readFile(file)) : (file) => new Uint8Array(readRegularFile(file)));
    this.includePaths = options.includePaths ?? [];
  }

  /** The places `name`, written in `fromFile`, may be. */
  private candidates(name: string, fromFile: string): string[] {
    if (path.isAbsolute(name)) return [name];
    const all = [path.join(path.dirname(fromFile), name), ...this.includePaths.map((dir) => path.join(dir, name))];
    return [...new Set(all)];
  }

  /** The file `name` names, written at `loc`; a SourceError there if the
   * file found is one that must not be read (FileRefused). */
  text(name: string, fromFile: string, loc: Loc): Found<string> {
    return this.find(name, fromFile, loc, this.readText);
  }

  bytes(name: string, fromFile: string, loc: Loc): Found<Uint8Array> {
    return this.find(name, fromFile, loc, this.readBytes);
  }

  private find<T>(name: string, fromFile: string, loc: Loc, read: (file: string) => T): Found<T> {
    const searched = this.candidates(name, fromFile);
    for (const candidate of searched) {
      try {
        return { path: candidate, content: read(candidate) };
      } catch (error) {
        if (error instanceof FileRefused) throw new SourceError(loc, `cannot read ${error.message}`);
        // Not there (or unreadable): try the next place.
      }
    }
    return { searched };
  }
}
