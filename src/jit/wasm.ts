// A small WebAssembly binary encoder: just what the region compiler emits
// (one module per region, importing the machine's memory, one exported
// function and a few helpers; and the dispatcher through which every region
// is called). Encoding follows the WebAssembly core
// specification, section 5 (binary format): LEB128 integers, sections in
// order, a function body as locals then an expression ending in `end`.

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
const BLOCK_VOID = 0x40;

/** Opcodes used by the compiler (spec section 5.4). */
export const OP = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  f64Load: 0x2b,
  i32Load8U: 0x2d,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  f64Store: 0x39,
  i32Store8: 0x3a,
  i32Store16: 0x3b,
  i32Const: 0x41,
  i64Const: 0x42,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeS: 0x4c,
  i32LeU: 0x4d,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  i64Eqz: 0x50,
  i64Ne: 0x52,
  i64GtU: 0x56,
  i64GeU: 0x5a,
  f64Gt: 0x64,
  f64Ge: 0x66,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  i32Rotr: 0x78,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64DivS: 0x7f,
  i64DivU: 0x80,
  i64RemS: 0x81,
  i64RemU: 0x82,
  i64Or: 0x84,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
  f64Floor: 0x9c,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Min: 0xa4,
  f64Max: 0xa5,
  i32TruncF64S: 0xaa,
  i32WrapI64: 0xa7,
  i64ExtendI32S: 0xac,
  i64ExtendI32U: 0xad,
  f64ConvertI32S: 0xb7,
  f64ConvertI32U: 0xb8,
} as const;

/** Unsigned LEB128. */
function uleb(out: number[], value: number): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Signed LEB128 of a 32-bit value. */
function sleb(out: number[], value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** A function body under construction: locals are declared up front by type. */
export class Code {
  readonly bytes: number[] = [];
  private readonly localTypes: number[] = [];

  constructor(private readonly params: number) {}

  /** A new local of `type`; returns its index. */
  local(type: number): number {
    this.localTypes.push(type);
    return this.params + this.localTypes.length - 1;
  }

  op(code: number): this {
    this.bytes.push(code);
    return this;
  }

  get(index: number): this {
    this.bytes.push(OP.localGet);
    uleb(this.bytes, index);
    return this;
  }

  set(index: number): this {
    this.bytes.push(OP.localSet);
    uleb(this.bytes, index);
    return this;
  }

  tee(index: number): this {
    this.bytes.push(OP.localTee);
    uleb(this.bytes, index);
    return this;
  }

  i32(value: number): this {
    this.bytes.push(OP.i32Const);
    sleb(this.bytes, value);
    return this;
  }

  f64(value: number): this {
    this.bytes.push(OP.f64Const);
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.bytes.push(view.getUint8(i));
    return this;
  }

  /** A load or store with its alignment hint (log2) and a constant offset. */
  mem(code: number, align: number, offset: number): this {
    this.bytes.push(code);
    uleb(this.bytes, align);
    uleb(this.bytes, offset);
    return this;
  }

  block(): this {
    this.bytes.push(OP.block, BLOCK_VOID);
    return this;
  }

  loop(): this {
    this.bytes.push(OP.loop, BLOCK_VOID);
    return this;
  }

  if(): this {
    this.bytes.push(OP.if, BLOCK_VOID);
    return this;
  }

  /** An `if` whose arms leave one value of `type`. */
  ifValue(type: number): this {
    this.bytes.push(OP.if, type);
    return this;
  }

  br(depth: number): this {
    this.bytes.push(OP.br);
    uleb(this.bytes, depth);
    return this;
  }

  brIf(depth: number): this {
    this.bytes.push(OP.brIf);
    uleb(this.bytes, depth);
    return this;
  }

  brTable(depths: readonly number[], fallback: number): this {
    this.bytes.push(OP.brTable);
    uleb(this.bytes, depths.length);
    for (const d of depths) uleb(this.bytes, d);
    uleb(this.bytes, fallback);
    return this;
  }

  call(index: number): this {
    this.bytes.push(OP.call);
    uleb(this.bytes, index);
    return this;
  }

  /** The encoded body: local declarations (run-length by type), code, end. */
  encode(): number[] {
    const out: number[] = [];
    const runs: [number, number][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(out, runs.length);
    for (const [count, type] of runs) {
      uleb(out, count);
      out.push(type);
    }
    out.push(...this.bytes, OP.end);
    const sized: number[] = [];
    uleb(sized, out.length);
    return sized.concat(out);
  }
}

export interface FunctionDef {
  params: readonly number[];
  results: readonly number[];
  code: Code;
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  for (const b of content) out.push(b);
}

function name(out: number[], text: string): void {
  uleb(out, text.length);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
}

/** A module importing memory `env.memory` (`pages` pages, fixed) and
 * exporting function `exportIndex` as `run`. */
export function encodeModule(functions: readonly FunctionDef[], pages: number, exportIndex: number): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(types, functions.length);
  for (const f of functions) {
    types.push(0x60);
    uleb(types, f.params.length);
    types.push(...f.params);
    uleb(types, f.results.length);
    types.push(...f.results);
  }
  section(out, 1, types);
  const imports: number[] = [1];
  name(imports, 'env');
  name(imports, 'memory');
  imports.push(0x02, 0x01);
  uleb(imports, pages);
  uleb(imports, pages);
  section(out, 2, imports);
  const funcs: number[] = [];
  uleb(funcs, functions.length);
  functions.forEach((_, i) => uleb(funcs, i));
  section(out, 3, funcs);
  const exports: number[] = [1];
  name(exports, 'run');
  exports.push(0x00);
  uleb(exports, exportIndex);
  section(out, 7, exports);
  const code: number[] = [];
  uleb(code, functions.length);
  for (const f of functions) code.push(...f.code.encode());
  section(out, 10, code);
  return Uint8Array.from(out);
}

/** The dispatcher: a table of `slots` functions (i32) -> i32, exported as
 * `table`, and `run(area, slot)`, exported, which calls the function in
 * `slot` with `area` and returns its result. Calling every region through
 * one exported function leaves JavaScript one call site and one
 * JavaScript-to-WebAssembly wrapper, which the engine optimizes; an export
 * per region is called through a generic wrapper. */
export function encodeDispatcher(slots: number): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(out, 1, [2, 0x60, 1, I32, 1, I32, 0x60, 2, I32, I32, 1, I32]);
  section(out, 3, [1, 1]);
  const table: number[] = [1, 0x70, 0x01];
  uleb(table, slots);
  uleb(table, slots);
  section(out, 4, table);
  const exports: number[] = [2];
  name(exports, 'run');
  exports.push(0x00, 0);
  name(exports, 'table');
  exports.push(0x01, 0);
  section(out, 7, exports);
  const body = [0, OP.localGet, 0, OP.localGet, 1, OP.callIndirect, 0, 0, OP.end];
  section(out, 10, [1, body.length, ...body]);
  return Uint8Array.from(out);
}
