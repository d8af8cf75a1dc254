// The boot-info block: what the machine tells the program it starts (its
// address is in ebx), and what every hypervisor tells its own guest, in the
// same format, so that an image runs unchanged at any depth.
// The layout is one table; guests/include/bootinfo.inc and docs/boot.md
// are generated from it.

export interface BootField {
  readonly name: string;
  readonly offset: number;
  readonly description: string;
}

export const BOOTINFO_MAGIC = 0x49424e53; // "SNBI"
export const BOOTINFO_VERSION = 1;
export const BOOTINFO_MAX_MODULES = 4;

export const MODE_CODES = { baseline: 0, sw: 1, hw: 2 } as const;
export type Mode = keyof typeof MODE_CODES;
export const BOOT_FLAG_SHADOWING = 1 << 0;

const FIELDS: [string, string][] = [
  ['MAGIC', 'BOOTINFO_MAGIC ("SNBI")'],
  ['VERSION', 'layout version (1)'],
  ['RAM_SIZE', 'bytes of memory the program may use, from address 0 of its physical space'],
  ['THREADS', 'hardware threads of the core'],
  ['DEPTH', 'hypervisor levels still to create below this program: 0 for a workload'],
  ['MODE', 'run mode: 0 baseline, 1 sw, 2 hw'],
  ['FLAGS', 'bit 0: VMCS shadowing on'],
  ['ITERATIONS', 'a workload parameter (iteration count); 0 means the workload default'],
  ['MODULE_COUNT', 'number of module descriptors that follow (at most 4)'],
];

export const BOOTINFO_FIELDS: readonly BootField[] = FIELDS.map(([name, description], i) => ({
  name,
  offset: 4 * i,
  description,
}));

/** Offset of the first module descriptor. */
export const BOOTINFO_MODULES = 4 * FIELDS.length;

/** One module descriptor: an image the program is given to run as its guest. */
export const MODULE_FIELDS: readonly BootField[] = [
  { name: 'ADDRESS', offset: 0, description: 'physical address of the image bytes' },
  { name: 'SIZE', offset: 4, description: 'their length in bytes' },
  { name: 'ORIGIN', offset: 8, description: 'the address the image was assembled for (its org)' },
  { name: 'ENTRY', offset: 12, description: 'its entry point (_start)' },
];
export const MODULE_DESCRIPTOR_SIZE = 4 * MODULE_FIELDS.length;
export const BOOTINFO_SIZE = BOOTINFO_MODULES + BOOTINFO_MAX_MODULES * MODULE_DESCRIPTOR_SIZE;

export const BOOTINFO_OFFSET = Object.fromEntries(BOOTINFO_FIELDS.map((f) => [f.name, f.offset])) as Record<string, number>;

export interface BootModule {
  address: number;
  size: number;
  origin: number;
  entry: number;
}

export interface BootInfo {
  ramSize: number;
  threads: number;
  depth: number;
  mode: Mode;
  shadowing: boolean;
  iterations: number;
  modules: BootModule[];
}

/** The block's bytes. */
export function encodeBootInfo(info: BootInfo): Uint8Array {
  if (info.modules.length > BOOTINFO_MAX_MODULES) throw new RangeError(`at most ${BOOTINFO_MAX_MODULES} modules`);
  const bytes = new Uint8Array(BOOTINFO_SIZE);
  const view = new DataView(bytes.buffer);
  const values: Record<string, number> = {
    MAGIC: BOOTINFO_MAGIC,
    VERSION: BOOTINFO_VERSION,
    RAM_SIZE: info.ramSize,
    THREADS: info.threads,
    DEPTH: info.depth,
    MODE: MODE_CODES[info.mode],
    FLAGS: info.shadowing ? BOOT_FLAG_SHADOWING : 0,
    ITERATIONS: info.iterations,
    MODULE_COUNT: info.modules.length,
  };
  for (const f of BOOTINFO_FIELDS) view.setUint32(f.offset, values[f.name] >>> 0, true);
  info.modules.forEach((m, i) => {
    const base = BOOTINFO_MODULES + i * MODULE_DESCRIPTOR_SIZE;
    view.setUint32(base, m.address >>> 0, true);
    view.setUint32(base + 4, m.size >>> 0, true);
    view.setUint32(base + 8, m.origin >>> 0, true);
    view.setUint32(base + 12, m.entry >>> 0, true);
  });
  return bytes;
}
