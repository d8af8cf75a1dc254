// Guest images assembled once: a sweep or the paper's evaluation builds
// hundreds of machines from the same L0, L1 and workload sources, and
// assembling L0 and L1 takes longer than many of the runs. An image is kept
// under a key made of the assembler's own version (a hash of its sources),
// the path, the assembly options and the main file's content; it is reused
// only while every file the assembly read (each %include and incbin, and
// each place searched where a file was absent) still has the content it had.
// So a stale image is never used, whatever changed and however it changed.
//
// Two tiers: a map in the process, and a directory on disk shared by every
// process (and worker) of the host. Disk entries are written to a temporary
// file and renamed into place, so concurrent writers never leave a torn
// entry; an entry that cannot be read or parsed is ignored and rewritten.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleFile, readImage, readRegularFile, writeImage, type AssembleOptions, type Program } from '../asm/index.ts';
import { PROJECT_ROOT } from '../paths.ts';

/** A file the assembly looked at: its path and the hash of its content, or
 * null where the file was absent (the search went on past it). */
type Dependency = [path: string, hash: string | null];

interface Entry {
  dependencies: Dependency[];
  program: Program;
}

/** Entries kept in a process; beyond it the oldest is dropped. */
const MEMORY_ENTRIES = 256;
/** Entries kept on disk; past it the least recently written half goes. */
const DISK_ENTRIES = 1024;
/** Bumped when the disk entry's layout changes. */
const ENTRY_FORMAT = 1;

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** In the command's bundles (bin/build.js), which have no asm/ and isa/
 * folders beside them: a hash of the sources of those folders bundled. */
declare const BUNDLED_ASSEMBLER_SOURCES: string | undefined;

/** The assembler's version: a hash of the modules that turn source into an
 * image (the assembler and the instruction table it encodes from), whether
 * they run as TypeScript source, as the built JavaScript or bundled. */
function assemblerVersion(): string {
  const hash = createHash('sha256').update(`entry format ${ENTRY_FORMAT}\n`);
  if (typeof BUNDLED_ASSEMBLER_SOURCES === 'string') return hash.update(BUNDLED_ASSEMBLER_SOURCES).digest('hex');
  for (const folder of ['../asm/', '../isa/']) {
    const dir = fileURLToPath(new URL(folder, import.meta.url));
    for (const name of readdirSync(dir).sort()) {
      if (!/\.(ts|js)$/.test(name) || name.endsWith('.d.ts')) continue;
      hash.update(`${folder}${name}\n`).update(readFileSync(join(dir, name)));
    }
  }
  return hash.digest('hex');
}

/** Where images are kept on disk: $SMTNEST_CACHE_DIR, else smtnest under
 * $XDG_CACHE_HOME, else node_modules/.cache/smtnest (where tools keep such
 * caches), else ~/.cache/smtnest. SMTNEST_CACHE_DIR=off
 * keeps images in the process alone. */
export function defaultCacheDirectory(): string | null {
  const env = process.env;
  if (env.SMTNEST_CACHE_DIR === 'off') return null;
  if (env.SMTNEST_CACHE_DIR) return env.SMTNEST_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'smtnest');
  // Installed, the package sits in its user's node_modules; in its own
  // repository, node_modules is beside it.
  const parent = dirname(PROJECT_ROOT);
  const modules = basename(parent) === 'node_modules' ? parent : join(PROJECT_ROOT, 'node_modules');
  if (existsSync(modules)) return join(modules, '.cache', 'smtnest');
  return join(homedir(), '.cache', 'smtnest');
}

function isDependency(value: unknown): value is Dependency {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && (value[1] === null || typeof value[1] === 'string');
}

export class ImageCache {
  private readonly memory = new Map<string, Entry>();
  private version: string | undefined;
  /** Assemblies run, and images found in memory and on disk (for tests and --log-level debug). */
  readonly counts = { assembled: 0, memoryHits: 0, diskHits: 0 };

  /** `directory` null keeps images in the process only. */
  constructor(readonly directory: string | null = defaultCacheDirectory()) {}

  /** The program of `path`, as assembleFile would give it. Only the
   * include paths and defines are honoured (the options of guest images);
   * an assembly error is thrown as assembleFile throws it, and not kept. */
  assemble(path: string, options: Pick<AssembleOptions, 'includePaths' | 'defines'> = {}): Program {
    let main: string;
    try {
      main = readFileSync(path, 'utf8');
    } catch {
      return assembleFile(path, options); // its one-line "cannot read" diagnostic
    }
    this.version ??= assemblerVersion();
    const key = sha256(
      JSON.stringify([this.version, path, resolve(path), options.includePaths ?? [], options.defines ?? {}, sha256(main)]),
    );
    const remembered = this.memory.get(key);
    if (remembered && this.current(remembered.dependencies)) {
      this.counts.memoryHits++;
      return copy(remembered.program);
    }
    const stored = this.readDisk(key);
    if (stored) {
      this.counts.diskHits++;
      this.remember(key, stored);
      return copy(stored.program);
    }
    const entry = this.assembleTracked(path, main, options);
    this.counts.assembled++;
    this.remember(key, entry);
    this.writeDisk(key, entry);
    return copy(entry.program);
  }

  /** Assembles, recording every file read and every place found empty. */
  private assembleTracked(path: string, main: string, options: Pick<AssembleOptions, 'includePaths' | 'defines'>): Entry {
    const dependencies: Dependency[] = [];
    const track = <T extends string | Uint8Array>(read: (file: string) => T) => (file: string): T => {
      if (file === path) return main as T;
      let content: T;
      try {
        content = read(file);
      } catch (error) {
        dependencies.push([file, null]);
        throw error;
      }
      dependencies.push([file, sha256(content)]);
      return content;
    };
    const program = assembleFile(path, {
      ...options,
      readFile: track((file) => readRegularFile(file).toString('utf8')),
      readBinaryFile: track((file) => new Uint8Array(readRegularFile(file))),
    });
    return { dependencies, program };
  }

  /** Whether every file an entry depends on is as it was. */
  private current(dependencies: readonly Dependency[]): boolean {
    return dependencies.every(([file, hash]) => {
      let content: Buffer;
      try {
        content = readFileSync(file);
      } catch {
        return hash === null;
      }
      return hash !== null && sha256(content) === hash;
    });
  }

  private remember(key: string, entry: Entry): void {
    this.memory.delete(key);
    this.memory.set(key, entry);
    if (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value!);
  }

  private readDisk(key: string): Entry | undefined {
    if (this.directory === null) return undefined;
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(this.directory, `${key}.json`), 'utf8'));
      if (typeof parsed !== 'object' || parsed === null) return undefined;
      const { dependencies, image } = parsed as { dependencies?: unknown; image?: unknown };
      if (!Array.isArray(dependencies) || !dependencies.every(isDependency) || typeof image !== 'string') return undefined;
      if (!this.current(dependencies)) return undefined;
      return { dependencies, program: readImage(new Uint8Array(Buffer.from(image, 'base64')), key) };
    } catch {
      return undefined; // absent, unreadable or corrupt: assemble afresh
    }
  }

  private writeDisk(key: string, entry: Entry): void {
    if (this.directory === null) return;
    const file = join(this.directory, `${key}.json`);
    // worker_threads is loaded here, on a write, rather than at import: a
    // run whose images are all cached never needs it, and loading it costs
    // a short run a few milliseconds.
    const { threadId } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
    const temporary = `${file}.${process.pid}.${threadId}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(temporary, JSON.stringify({ dependencies: entry.dependencies, image: Buffer.from(writeImage(entry.program)).toString('base64') }));
      renameSync(temporary, file);
      this.prune();
    } catch {
      // A cache that cannot be written (read-only, full) only costs time.
      rmSync(temporary, { force: true });
    }
  }

  /** Keeps the directory bounded: sources in fresh temporary folders (tests,
   * scripts) would otherwise add entries without end. Another process may
   * prune at the same time; a file already gone is no matter. */
  private prune(): void {
    const directory = this.directory!;
    const names = readdirSync(directory).filter((name) => name.endsWith('.json'));
    if (names.length <= DISK_ENTRIES) return;
    const written = names.map((name) => {
      try {
        return { name, time: statSync(join(directory, name)).mtimeMs };
      } catch {
        return { name, time: 0 };
      }
    });
    written.sort((a, b) => a.time - b.time || a.name.localeCompare(b.name));
    for (const { name } of written.slice(0, names.length - DISK_ENTRIES / 2)) rmSync(join(directory, name), { force: true });
  }
}

/** Callers get their own bytes: a program handed out twice must not share them. */
function copy(program: Program): Program {
  return { ...program, bytes: program.bytes.slice() };
}

/** The cache of this process (and the disk directory it shares with others). */
export const imageCache = new ImageCache();
