// Model-specific registers of the bare machine, with Intel's indices.
import { vmxCapability } from './vmx/capabilities.ts';

// rdmsr/wrmsr of an index not listed here raise #GP, as on Intel.
// MSRs are 64 bits; they are handled as two 32-bit halves (edx:eax), since
// a float64 would lose the low bits of values above 2^53.

export const MSR = {
  IA32_TIME_STAMP_COUNTER: 0x10,
  /** x2APIC interrupt command register: a write sends an inter-processor interrupt. */
  IA32_X2APIC_ICR: 0x830,
} as const;

/** ICR bits 7:0: the vector. The other bits of the low half select delivery
 * modes, shorthands and logical destinations, none of which this machine
 * has: only a fixed interrupt to one thread (all of them zero). */
const ICR_VECTOR_MASK = 0xff;

const TWO_32 = 0x100000000;

export interface MsrHost {
  /** The thread's cycle count, which the TSC follows. */
  readonly cycles: number;
  /** The hw-mode thread extension is present (its capability bits show). */
  readonly threadExtension: boolean;
  /** TSC = cycles + offset, modulo 2^64. */
  tscOffsetLo: number;
  tscOffsetHi: number;
  /** Raises `vector` at hardware thread `thread`'s interrupt controller;
   * false if there is no such thread. */
  sendIpi(thread: number, vector: number): boolean;
}

/** The value read by the last readMsr or readTsc (reused, so reads allocate nothing). */
export const msrValue = { lo: 0, hi: 0 };

/** msrValue = the TSC at `cycles`. */
export function readTsc(host: MsrHost, cycles: number): void {
  const lo = (cycles % TWO_32) + (host.tscOffsetLo >>> 0);
  const hi = Math.floor(cycles / TWO_32) + (host.tscOffsetHi >>> 0) + (lo >= TWO_32 ? 1 : 0);
  msrValue.lo = lo | 0;
  msrValue.hi = hi | 0;
}

/** msrValue = MSR `index`; false if there is no such MSR. */
export function readMsr(host: MsrHost, index: number): boolean {
  switch (index >>> 0) {
    case MSR.IA32_TIME_STAMP_COUNTER:
      readTsc(host, host.cycles);
      return true;
    default: {
      const capability = vmxCapability(index >>> 0, host.threadExtension);
      if (!capability) return false;
      msrValue.lo = capability[0] | 0;
      msrValue.hi = capability[1] | 0;
      return true;
    }
  }
}

/** MSR `index` = hi:lo; false if there is no such writable MSR. */
export function writeMsr(host: MsrHost, index: number, lo: number, hi: number): boolean {
  switch (index >>> 0) {
    case MSR.IA32_TIME_STAMP_COUNTER: {
      const cyclesLo = host.cycles % TWO_32;
      const cyclesHi = Math.floor(host.cycles / TWO_32);
      const offsetLo = (lo >>> 0) - cyclesLo;
      host.tscOffsetLo = offsetLo | 0;
      host.tscOffsetHi = ((hi >>> 0) - cyclesHi - (offsetLo < 0 ? 1 : 0)) | 0;
      return true;
    }
    case MSR.IA32_X2APIC_ICR:
      // edx: the destination (x2APIC's 32-bit ID, here the thread number).
      if ((lo & ~ICR_VECTOR_MASK) !== 0) return false;
      return host.sendIpi(hi >>> 0, lo & ICR_VECTOR_MASK);
    default:
      return false;
  }
}
