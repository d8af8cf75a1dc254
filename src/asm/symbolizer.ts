// Names for addresses, for traces and the disassembler: "label" or "label+0x1c".

import type { Program } from './program.ts';

/** Macro-local labels (%%name) get generated names that mean nothing to a reader. */
const isGenerated = (name: string) => name.startsWith('..@');

/**
 * A function naming an address inside the program by the nearest label at or
 * before it (local labels are named global.local). Where several labels share
 * an address, a global label is preferred to a local one, then the first defined.
 * Addresses outside the program's bytes have no name.
 */
export function symbolizer(p: Program): (address: number) => string | undefined {
  const isLocal = (name: string) => name.includes('.');
  const labels = p.symbols
    .filter((s) => !isGenerated(s.name))
    .map((s, order) => ({ ...s, order }))
    .sort((a, b) => a.address - b.address || Number(isLocal(a.name)) - Number(isLocal(b.name)) || a.order - b.order)
    .filter((s, i, all) => i === 0 || all[i - 1].address !== s.address);
  const end = p.origin + p.bytes.length;
  return (address) => {
    if (address < p.origin || address >= end) return undefined;
    let lo = 0;
    let hi = labels.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (labels[mid].address <= address) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return undefined;
    const { name, address: base } = labels[found];
    return address === base ? name : `${name}+0x${(address - base).toString(16)}`;
  };
}
