// Guest images assembled once: reused while every source they were made
// from is unchanged, reassembled as soon as any is not, shared through the
// disk directory, and never trusted when an entry there is damaged.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleFile } from '../src/asm/index.ts';
import { ImageCache } from '../src/machine/image-cache.ts';

function project() {
  const root = mkdtempSync(join(tmpdir(), 'smtnest-cache-'));
  const include = join(root, 'include');
  mkdirSync(include);
  const cache = join(root, 'cache');
  writeFileSync(join(include, 'value.inc'), 'VALUE equ 5\n');
  const main = join(root, 'main.s');
  writeFileSync(main, '%include "value.inc"\n_start:\n  mov eax, VALUE\n  hlt\n');
  return { root, include, cache, main, options: { includePaths: [include] } };
}

const immediate = (bytes: Uint8Array) => Array.from(bytes);

describe('the image cache', () => {
  it('gives what the assembler gives, assembling once per content of the sources', () => {
    const p = project();
    const cache = new ImageCache(p.cache);
    const first = cache.assemble(p.main, p.options);
    expect(first).toEqual(assembleFile(p.main, p.options));
    const again = cache.assemble(p.main, p.options);
    expect(again).toEqual(first);
    expect(again.bytes).not.toBe(first.bytes); // each caller its own bytes
    expect(cache.counts).toEqual({ assembled: 1, memoryHits: 1, diskHits: 0 });

    // An included file changes: the image is made again, and is the new one's.
    writeFileSync(join(p.include, 'value.inc'), 'VALUE equ 6\n');
    const changed = cache.assemble(p.main, p.options);
    expect(changed).toEqual(assembleFile(p.main, p.options));
    expect(immediate(changed.bytes)).not.toEqual(immediate(first.bytes));
    expect(cache.counts.assembled).toBe(2);
  });

  it('notices a file appearing where the search found none before', () => {
    const p = project();
    const cache = new ImageCache(null);
    cache.assemble(p.main, p.options);
    // Beside the including file comes before the include path.
    writeFileSync(join(p.root, 'value.inc'), 'VALUE equ 9\n');
    expect(cache.assemble(p.main, p.options)).toEqual(assembleFile(p.main, p.options));
    expect(cache.counts).toEqual({ assembled: 2, memoryHits: 0, diskHits: 0 });
  });

  it('shares images between processes through the directory, written whole', () => {
    const p = project();
    const made = new ImageCache(p.cache).assemble(p.main, p.options);
    const other = new ImageCache(p.cache);
    expect(other.assemble(p.main, p.options)).toEqual(made);
    expect(other.counts).toEqual({ assembled: 0, memoryHits: 0, diskHits: 1 });
    expect(readdirSync(p.cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('ignores a damaged entry on disk and writes it anew', () => {
    const p = project();
    const made = new ImageCache(p.cache).assemble(p.main, p.options);
    const [entry] = readdirSync(p.cache);
    for (const damage of ['{"dependencies": [', '{"dependencies": [], "image": "U05JTQ=="}', 'null']) {
      writeFileSync(join(p.cache, entry), damage);
      const fresh = new ImageCache(p.cache);
      expect(fresh.assemble(p.main, p.options)).toEqual(made);
      expect(fresh.counts.assembled).toBe(1);
    }
    expect(new ImageCache(p.cache).assemble(p.main, p.options)).toEqual(made);
  });

  it('keeps no assembly error, and reports it as the assembler does', () => {
    const p = project();
    writeFileSync(p.main, '_start:\n  frobnicate eax\n');
    const cache = new ImageCache(p.cache);
    expect(() => cache.assemble(p.main, p.options)).toThrow(/frobnicate/);
    expect(() => cache.assemble(join(p.root, 'missing.s'), p.options)).toThrow(/cannot read file/);
    expect(existsSync(p.cache)).toBe(false);
  });
});
