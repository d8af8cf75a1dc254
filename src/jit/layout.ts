// Offsets in a hardware thread's area of the machine's WebAssembly memory
// (src/memory/memory.ts places one area per thread after RAM and the line
// flags). The interpreter uses the registers and opcode counts in place; the
// other fields carry a compiled region's inputs and results across the call.

/** eax..r15 and the constant zero (17 int32). */
export const AREA_REGS = 0;
/** LazyFlags: op, res, a, b, carry, over, eflags (7 int32). */
export const AREA_FLAGS = 72;
/** float64: instructions and cycles, in and out; the limits, in. */
export const AREA_INSTRUCTIONS = 104;
export const AREA_CYCLES = 112;
export const AREA_INSTRUCTION_LIMIT = 120;
export const AREA_CYCLE_LIMIT = 128;
/** int32 results: eip, the block and position a region left at, a pending
 * write to a flagged line (address and size). */
export const AREA_EIP = 136;
export const AREA_EXIT_BLOCK = 140;
export const AREA_EXIT_POSITION = 144;
export const AREA_WRITE_ADDRESS = 148;
export const AREA_WRITE_SIZE = 152;
/** Blocks a region has at most. */
export const MAX_REGION_BLOCKS = 64;
/** float64 per opcode: the thread's instructions per opcode (Cpu.opcodeCounts). */
export const AREA_OPCODE_COUNTS = 512;
