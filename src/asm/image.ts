// The image file `smtnest asm` writes and `run`/`disasm` read: the program's
// bytes plus its symbols and line table, so that traces and disassembly can
// name addresses.
//
// Layout (all integers little-endian u32):
//   0  magic "SNIM"        4  version (1)      8  origin      12  entry
//   16 code length         20 symbol-table JSON length
//   24 code bytes, then the UTF-8 JSON {"symbols": SymbolInfo[], "lines": LineInfo[]}
// A file without the magic is a flat binary, loaded at 0 and entered at 0.

import { AssemblyError, fileDiagnostic } from './diagnostics.ts';
import type { LineInfo, Program, SymbolInfo } from './program.ts';

const MAGIC = 'SNIM';
const VERSION = 1;
const HEADER_BYTES = 24;

export function writeImage(p: Program): Uint8Array {
  const table = {
    symbols: p.symbols.map(({ name, address, file, line }) => ({ name, address, file, line })),
    lines: p.lines.map(({ address, file, line, length }) => ({ address, file, line, length })),
  };
  const json = new TextEncoder().encode(JSON.stringify(table));
  const out = new Uint8Array(HEADER_BYTES + p.bytes.length + json.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  [VERSION, p.origin, p.entry, p.bytes.length, json.length].forEach((v, i) => view.setUint32(4 + 4 * i, v >>> 0, true));
  out.set(p.bytes, HEADER_BYTES);
  out.set(json, HEADER_BYTES + p.bytes.length);
  return out;
}

function fail(fileName: string, message: string): never {
  throw new AssemblyError([fileDiagnostic(fileName, message)]);
}

const isU32 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function isSymbol(v: unknown): v is SymbolInfo {
  return isRecord(v) && typeof v.name === 'string' && isU32(v.address) && typeof v.file === 'string' && isU32(v.line);
}

function isLine(v: unknown): v is LineInfo {
  return isRecord(v) && isU32(v.address) && typeof v.file === 'string' && isU32(v.line) && isU32(v.length);
}

export function readImage(bytes: Uint8Array, fileName: string): Program {
  if (bytes.length === 0) fail(fileName, 'not a smtnest image (empty file)');
  const hasMagic = bytes.length >= 4 && new TextDecoder().decode(bytes.subarray(0, 4)) === MAGIC;
  if (!hasMagic) return { bytes: bytes.slice(), origin: 0, entry: 0, symbols: [], lines: [] };
  if (bytes.length < HEADER_BYTES) fail(fileName, 'truncated smtnest image');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [version, origin, entry, codeLength, tableLength] = [4, 8, 12, 16, 20].map((o) => view.getUint32(o, true));
  if (version !== VERSION) fail(fileName, `unsupported smtnest image version ${version} (expected ${VERSION})`);
  if (HEADER_BYTES + codeLength + tableLength !== bytes.length) {
    fail(fileName, 'corrupt smtnest image: the lengths in its header do not match the file size');
  }
  if (origin + codeLength > 2 ** 32) {
    fail(fileName, 'corrupt smtnest image: the code runs past the 32-bit address space');
  }
  let table: unknown;
  try {
    table = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_BYTES + codeLength)));
  } catch {
    fail(fileName, 'corrupt smtnest image: unreadable symbol table');
  }
  if (
    !isRecord(table) ||
    !Array.isArray(table.symbols) ||
    !Array.isArray(table.lines) ||
    !table.symbols.every(isSymbol) ||
    !table.lines.every(isLine)
  ) {
    fail(fileName, 'corrupt smtnest image: malformed symbol table');
  }
  return {
    bytes: bytes.slice(HEADER_BYTES, HEADER_BYTES + codeLength),
    origin,
    entry,
    symbols: table.symbols.map(({ name, address, file, line }) => ({ name, address, file, line })),
    lines: table.lines.map(({ address, file, line, length }) => ({ address, file, line, length })),
  };
}
