// What `run` and `disasm` accept: an assembly file, an image written by
// `smtnest asm`, or the name of a bundled program (guests/examples, ...).

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

/** Cost-model parameters, with the overrides of a --cost file. */
export function loadCosts(path: string | undefined): CostModel {
  if (path === undefined) return defaultCosts();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not JSON: ${(error as Error).message}`);
  }
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


/** Loads `target` (throws InputError or AssemblyError with a clear message). */
export function loadProgram(target: string): Program {
  if (SOURCE_EXTENSIONS.has(extname(target))) {
    if (!existsSync(target)) throw new InputError(`${target}: no such file`);
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
