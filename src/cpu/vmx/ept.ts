// EPT: guest-physical to physical translation through a two-level table of
// 4 KiB pages, with a per-thread translation cache (a TLB) that only invept
// (or a different EPTP) empties, as on Intel.

import type { Memory } from '../../memory/memory.ts';
import { EPT, EPT_QUAL } from './controls.ts';

const PAGE_SHIFT = 12;
const CACHED = 8; // bit 3 of a cache entry: the entry holds a translation
const PERMISSIONS = EPT.READ | EPT.WRITE | EPT.EXECUTE;

/** Access kinds, as the EPT-violation qualification numbers them. */
export const ACCESS_READ = EPT_QUAL.DATA_READ;
export const ACCESS_WRITE = EPT_QUAL.DATA_WRITE;
export const ACCESS_FETCH = EPT_QUAL.INSTRUCTION_FETCH;

/** Permission a kind of access needs, indexed by ACCESS_*. */
const NEEDED: Record<number, number> = { [ACCESS_READ]: EPT.READ, [ACCESS_WRITE]: EPT.WRITE, [ACCESS_FETCH]: EPT.EXECUTE };

/** Caches of threads whose machine is done with (Machine.release), emptied,
 * for the next thread in this thread of the host to take: 4 MiB each. */
const releasedCaches: Int32Array[] = [];
const KEPT_CACHES = 8;

export class Ept {
  /** Per guest page: host page << 12 | permissions | CACHED, or 0. Made
   * by the first select(): 4 MiB per thread that only EPT users pay for. */
  private cache: Int32Array = new Int32Array(0);
  private readonly cachedPages: number[] = [];
  /** The EPTP whose translations the cache holds. */
  private cachedEptp = -1;
  /** Set by a failed translate(): the exit qualification of the violation. */
  violationQualification = 0;

  constructor(private readonly memory: Memory) {}

  /** Drops every cached translation. */
  flush(): void {
    for (const page of this.cachedPages) this.cache[page] = 0;
    this.cachedPages.length = 0;
  }

  /** Uses `eptp` from now on; translations of another EPTP are dropped. */
  select(eptp: number): void {
    if (this.cache.length === 0) this.cache = releasedCaches.pop() ?? new Int32Array(1 << 20);
    if (eptp !== this.cachedEptp) {
      this.flush();
      this.cachedEptp = eptp;
    }
  }

  /** The thread is done with: its cache, emptied (every entry it filled is
   * in cachedPages), goes to the next Ept to select an EPTP. */
  release(): void {
    if (this.cache.length === 0) return;
    this.flush();
    if (releasedCaches.length < KEPT_CACHES) releasedCaches.push(this.cache);
    this.cache = new Int32Array(0);
    this.cachedEptp = -1;
  }

  get eptp(): number {
    return this.cachedEptp;
  }

  /** The physical address of `gpa` for `access`, or -1 (then violationQualification says why). Only after select(). */
  translate(gpa: number, access: number): number {
    const page = gpa >>> PAGE_SHIFT;
    let entry = this.cache[page];
    if (entry === 0) {
      entry = this.walk(page);
      if (entry !== 0) {
        this.cache[page] = entry;
        this.cachedPages.push(page);
      }
    }
    const permissions = entry & PERMISSIONS;
    if ((permissions & NEEDED[access]) === 0) {
      this.violationQualification = access | (permissions << EPT_QUAL.PERMISSIONS_SHIFT);
      return -1;
    }
    return ((entry & ~0xfff) | (gpa & 0xfff)) >>> 0;
  }

  /** Walks the tables in memory; 0 if the page is not present. */
  private walk(page: number): number {
    const m = this.memory;
    const directory = this.cachedEptp & ~0xfff;
    const pde = m.readU32(directory + ((page >>> 10) << 2));
    if ((pde & PERMISSIONS) === 0) return 0;
    const table = (pde & ~0xfff) >>> 0;
    if (table > m.size - 4096) return 0;
    const pte = m.readU32(table + ((page & 0x3ff) << 2));
    const host = (pte & ~0xfff) >>> 0;
    if ((pte & PERMISSIONS) === 0 || host > m.size - 4096) return 0;
    // A page's permissions are those both levels grant.
    return host | (pte & pde & PERMISSIONS) | CACHED;
  }
}

/** Whether `eptp` is one this machine can walk: write-back, two levels, directory in RAM. */
export function validEptp(eptp: number, memorySize: number): boolean {
  const low = eptp & 0xfff;
  const directory = (eptp & ~0xfff) >>> 0;
  return low === (EPT.EPTP_WRITE_BACK | EPT.EPTP_WALK_LENGTH_2) && directory <= memorySize - 4096;
}
