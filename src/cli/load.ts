// What `run` and `disasm` accept: an assembly file, an image written by
// `smtnest asm`, or the name of a bundled program (guests/examples, ...).

import { isUtf8 } from 'node:buffer';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { readImage, type Program } from '../asm/index.ts';
import { assembleGuest } from '../machine/scenario.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { applyOverrides, defaultCosts, type CostModel } from '../timing/cost-model.ts';
import { InputError } from './errors.ts';

/** Folders searched, in order, for a program given by name. */
export const PROGRAM_DIRS = [join(PROJECT_ROOT, 'guests/examples'), join(PROJECT_ROOT, 'guests/workloads')];

const SOURCE_EXTENSIONS = new Set(['.s', '.asm']);

/** The JSON in a file (throws InputError in one line when it cannot be read or parsed). */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // The parser quotes the text it met, which may be any bytes at all.
    throw new InputError(`${path}: not JSON: ${(error as Error).message.replace(/[^\x20-\x7e]/g, '?')}`);
  }
}

/** Cost-model parameters, with the overrides of a --cost file. */
export function loadCosts(path: string | undefined): CostModel {
  if (path === undefined) return defaultCosts();
  const parsed = readJsonFile(path);
  try {
    return applyOverrides(defaultCosts(), parsed, path);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

export function bundledPrograms(): string[] {
  const names: string[] = [];
  for (const dir of PROGRAM_DIRS) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (SOURCE_EXTENSIONS.has(extname(file))) names.push(basename(file, extname(file)));
    }
  }
  return names;
}

export function bundledProgramPath(name: string): string | undefined {
  for (const dir of PROGRAM_DIRS) {
    for (const ext of SOURCE_EXTENSIONS) {
      const path = join(dir, name + ext);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}


/** An assembly source is text: a file with a NUL byte or bytes that are not
 * UTF-8 is refused in one line, not fed to the lexer byte by byte. */
export function refuseBinary(path: string): void {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InputError(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new InputError(`${path}: not a text file (a NUL byte at offset ${nul}); an assembly source is text`);
  if (!isUtf8(bytes)) throw new InputError(`${path}: not a text file (not UTF-8); an assembly source is text`);
}

/** Loads `target` (throws InputError or AssemblyError with a clear message). */
export function loadProgram(target: string): Program {
  if (SOURCE_EXTENSIONS.has(extname(target))) {
    if (!existsSync(target)) throw new InputError(`${target}: no such file`);
    refuseBinary(target);
    return assembleGuest(target);
  }
  if (existsSync(target)) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(target);
    } catch (error) {
      throw new InputError(`${target}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    return readImage(bytes, target);
  }
  const bundled = !target.includes('/') ? bundledProgramPath(target) : undefined;
  if (bundled) return assembleGuest(bundled);
  const known = bundledPrograms();
  throw new InputError(
    `${target}: no such file or bundled program${known.length ? ` (bundled: ${known.join(', ')})` : ''}`,
  );
}
