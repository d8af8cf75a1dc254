// CPUID leaves of the bare machine. Leaves above the highest supported one
// return zeros (documented in docs/machine.md; real Intel parts repeat the
// highest basic leaf instead).

export const CPUID_VENDOR = 'smtnest CPU ';
export const CPUID_MAX_BASIC_LEAF = 1;
/** Leaf 1 ECX feature bits. */
export const CPUID_1_ECX_MONITOR = 1 << 3;
export const CPUID_1_ECX_VMX = 1 << 5;
/** Leaf 1 EDX feature bits. */
export const CPUID_1_EDX_TSC = 1 << 4;
export const CPUID_1_EDX_MSR = 1 << 5;
/** Family 6-like signature, stepping 0: a made-up part, not an Intel model. */
export const CPUID_SIGNATURE = 0x000006f0;

/** This machine's own leaf: EAX bit 0 = the hw-mode thread extension (docs/modes.md). */
export const CPUID_SMTNEST_LEAF = 0x534e0000;
export const CPUID_SMTNEST_THREAD_EXTENSION = 1 << 0;

export interface CpuidConfig {
  /** Hardware threads in the core (leaf 1 EBX bits 23-16). */
  threads: number;
  /** The hw-mode thread extension is present. */
  threadExtension: boolean;
}

function vendorWord(offset: number): number {
  let word = 0;
  for (let i = 0; i < 4; i++) word |= CPUID_VENDOR.charCodeAt(offset + i) << (8 * i);
  return word;
}

/** Writes the leaf named by eax (regs[0]) into eax, ebx, ecx, edx (regs 0, 3, 1, 2). */
export function executeCpuid(regs: Int32Array, config: CpuidConfig): void {
  const leaf = regs[0] >>> 0;
  let a = 0, b = 0, c = 0, d = 0;
  if (leaf === 0) {
    a = CPUID_MAX_BASIC_LEAF;
    b = vendorWord(0);
    d = vendorWord(4);
    c = vendorWord(8);
  } else if (leaf === 1) {
    a = CPUID_SIGNATURE;
    b = (config.threads & 0xff) << 16;
    c = CPUID_1_ECX_MONITOR | CPUID_1_ECX_VMX;
    d = CPUID_1_EDX_TSC | CPUID_1_EDX_MSR;
  } else if (leaf === CPUID_SMTNEST_LEAF) {
    a = config.threadExtension ? CPUID_SMTNEST_THREAD_EXTENSION : 0;
  }
  regs[0] = a;
  regs[3] = b;
  regs[1] = c;
  regs[2] = d;
}
