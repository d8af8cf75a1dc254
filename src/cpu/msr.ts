// Model-specific registers of the bare machine, with Intel's indices.
// rdmsr/wrmsr of an index not listed here raise #GP, as on Intel.

export const MSR = {
  IA32_TIME_STAMP_COUNTER: 0x10,
} as const;

export interface MsrHost {
  /** The thread's cycle count, which the TSC follows. */
  readonly cycles: number;
  tscOffset: number;
}

/** The value of MSR `index` as a float64 (up to 2^53), or null if there is no such MSR. */
export function readMsr(host: MsrHost, index: number): number | null {
  switch (index >>> 0) {
    case MSR.IA32_TIME_STAMP_COUNTER:
      return host.cycles + host.tscOffset;
    default:
      return null;
  }
}

/** Writes MSR `index`; false if there is no such writable MSR. */
export function writeMsr(host: MsrHost, index: number, value: number): boolean {
  switch (index >>> 0) {
    case MSR.IA32_TIME_STAMP_COUNTER:
      host.tscOffset = value - host.cycles;
      return true;
    default:
      return false;
  }
}
