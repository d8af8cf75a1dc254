// Finding and reading the files a source names (%include, incbin): beside the
// file that names them first, then along the include paths.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AssembleOptions } from './program.ts';

export type Found<T> = { path: string; content: T } | { searched: string[] };

export class SourceFiles {
  readonly readText: (file: string) => string;
  private readonly readBytes: (file: string) => Uint8Array;
  private readonly includePaths: readonly string[];

  constructor(options: AssembleOptions) {
    const { readFile, readBinaryFile } = options;
    this.readText = readFile ?? ((file) => fs.readFileSync(file, 'utf8'));
    this.readBytes =
      readBinaryFile ??
      (readFile ? (file) => new TextEncoder().encode(readFile(file)) : (file) => new Uint8Array(fs.readFileSync(file)));
    this.includePaths = options.includePaths ?? [];
  }

  /** The places `name`, written in `fromFile`, may be. */
  private candidates(name: string, fromFile: string): string[] {
    if (path.isAbsolute(name)) return [name];
    const all = [path.join(path.dirname(fromFile), name), ...this.includePaths.map((dir) => path.join(dir, name))];
    return [...new Set(all)];
  }

  text(name: string, fromFile: string): Found<string> {
    return this.find(name, fromFile, this.readText);
  }

  bytes(name: string, fromFile: string): Found<Uint8Array> {
    return this.find(name, fromFile, this.readBytes);
  }

  private find<T>(name: string, fromFile: string, read: (file: string) => T): Found<T> {
    const searched = this.candidates(name, fromFile);
    for (const candidate of searched) {
      try {
        return { path: candidate, content: read(candidate) };
      } catch {
        // Not there (or unreadable): try the next place.
      }
    }
    return { searched };
  }
}
