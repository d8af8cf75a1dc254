// 64-bit multiply and divide on 32-bit halves without BigInt, so that mul
// and div allocate nothing. Results come back in `wide` (a scratch record
// reused by every call).

export const wide = { lo: 0, hi: 0 };

/** wide = a * b, unsigned 32 x 32 -> 64. */
export function mulU32(a: number, b: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const low = a0 * b0;
  const cross1 = a1 * b0;
  const cross2 = a0 * b1;
  const middle = (low >>> 16) + (cross1 & 0xffff) + (cross2 & 0xffff);
  wide.hi = (a1 * b1 + (cross1 >>> 16) + (cross2 >>> 16) + Math.floor(middle / 0x10000)) | 0;
  wide.lo = Math.imul(a, b);
}

/** wide = a * b, signed 32 x 32 -> 64. */
export function mulS32(a: number, b: number): void {
  mulU32(a >>> 0, b >>> 0);
  // The unsigned product of two's-complement values differs from the signed
  // one by b*2^32 for negative a and a*2^32 for negative b.
  let hi = wide.hi;
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  wide.hi = hi;
}

/** Unsigned (hi:lo) / divisor with hi < divisor (so the quotient fits):
 * wide.lo = quotient, wide.hi = remainder. Two steps of 16 bits keep every
 * intermediate below 2^48, where doubles are exact. */
export function divU64(hi: number, lo: number, divisor: number): void {
  let remainder = hi >>> 0;
  const d = divisor >>> 0;
  let t = remainder * 0x10000 + (lo >>> 16);
  const q1 = Math.floor(t / d);
  remainder = t - q1 * d;
  t = remainder * 0x10000 + (lo & 0xffff);
  const q0 = Math.floor(t / d);
  remainder = t - q0 * d;
  wide.lo = (q1 * 0x10000 + q0) | 0;
  wide.hi = remainder | 0;
}

/** Signed (hi:lo) / divisor, truncating toward zero, remainder with the
 * dividend's sign. Returns false when the quotient does not fit in 32 bits
 * (the caller raises #DE); divisor must be nonzero. */
export function divS64(hi: number, lo: number, divisor: number): boolean {
  const negative = hi < 0;
  let mh = hi >>> 0, ml = lo >>> 0;
  if (negative) {
    ml = (-ml) >>> 0;
    mh = (~mh + (ml === 0 ? 1 : 0)) >>> 0;
  }
  const md = divisor < 0 ? (-divisor) >>> 0 : divisor >>> 0;
  if (mh >= md) return false;
  divU64(mh, ml, md);
  const q = wide.lo >>> 0;
  const r = wide.hi >>> 0;
  const quotientNegative = negative !== divisor < 0;
  if (quotientNegative ? q > 0x80000000 : q > 0x7fffffff) return false;
  wide.lo = quotientNegative ? -q | 0 : q | 0;
  wide.hi = negative ? -r | 0 : r | 0;
  return true;
}
