// The source tree's layers read from the ground up: a file imports only from
// its own layer or the layers beneath it (README, "Layout"). The CPU, its
// VMX unit and its region compiler are one layer; the command line,
// debugger, report and generated docs are the top and may use one another.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const LAYERS: readonly (readonly string[])[] = [
  ['memory'],
  ['timing'],
  ['isa'],
  ['asm'],
  ['devices'],
  ['cpu', 'jit'],
  ['smt'],
  ['machine'],
  ['cli', 'debug', 'report', 'docs'],
];

const SRC = join(import.meta.dirname, '..', 'src');

function layerOf(path: string): number {
  const top = path.split('/')[0];
  return LAYERS.findIndex((names) => names.includes(top));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('source layers', () => {
  const files = sourceFiles(SRC)
    .map((file) => relative(SRC, file))
    .filter((file) => file.includes('/'));

  it('places every folder of src/ in a layer', () => {
    expect(files.filter((file) => layerOf(file) < 0)).toEqual([]);
  });

  it('imports only from the same layer or the layers beneath', () => {
    const upward: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(SRC, file), 'utf8');
      for (const [, target] of text.matchAll(/from '(\.[^']+)'/g)) {
        const imported = relative(SRC, join(SRC, file, '..', target));
        if (imported.startsWith('..') || !imported.includes('/')) continue;
        if (layerOf(imported) > layerOf(file)) upward.push(`${file} imports ${imported}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
