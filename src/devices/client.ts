// What the kv and web clients share: a closed loop with one request
// outstanding, as memtier or wrk with a single connection drive a server.
// The server speaks first: its first packet is the ready announcement
// (READY). The client answers it with the first request, and every response
// with the next request, forever: the server decides when to stop. Requests
// come from a seeded generator, so a run is the same every time; the client
// checks every response against its own model of the server and counts
// transactions and mismatches.

import { COUNTER_ZERO } from '../timing/counter.ts';
import { countArrival, emptyPeerStats, type NetworkPeer, type PeerKind, type PeerStats } from './peer.ts';

/** The server's first packet: "ready, send the first request". */
export const READY = new TextEncoder().encode('READY\n');

export interface ClientStats extends PeerStats {
  /** Responses received and checked. */
  transactions: number;
  /** Responses that differ from what the model expected, and what was wrong with the first. */
  mismatches: number;
  firstMismatch: string | null;
  /** Cycle the first request left, and the last response arrived. */
  firstRequest: number;
  lastResponse: number;
}

/** Marsaglia's xorshift32 (shifts 13, 17, 5): a small, fast generator whose
 * sequence is fixed by its seed. */
export class Xorshift32 {
  private state: number;

  constructor(seed: number) {
    if ((seed | 0) === 0) throw new RangeError('xorshift32 needs a nonzero seed');
    this.state = seed | 0;
  }

  /** The next 32-bit value, unsigned. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return x >>> 0;
  }

  /** A value in 0..n-1. */
  below(n: number): number {
    return this.next() % n;
  }
}

export const DEFAULT_SEED = 0x5eed1e55;

export abstract class ClosedLoopClient implements NetworkPeer {
  abstract readonly kind: PeerKind;
  readonly stats: ClientStats = {
    ...emptyPeerStats(),
    transactions: 0,
    mismatches: 0,
    firstMismatch: null,
    firstRequest: Infinity,
    lastResponse: COUNTER_ZERO,
  };
  protected readonly random: Xorshift32;
  private announced = false;

  constructor(seed: number) {
    this.random = new Xorshift32(seed);
  }

  /** The next request; the client remembers what it expects back. */
  protected abstract nextRequest(): Uint8Array;

  /** Checks `response` against what the outstanding request should get:
   * null if it is right, else what is wrong. */
  protected abstract check(response: Uint8Array): string | null;

  receive(packet: Uint8Array, at: number): Uint8Array {
    countArrival(this.stats, packet, at);
    if (!this.announced) {
      this.announced = true;
      this.stats.firstRequest = at;
      if (!sameBytes(packet, READY)) this.mismatch(`the first packet is ${describe(packet)}, not the ready announcement`);
    } else {
      this.stats.transactions++;
      this.stats.lastResponse = at;
      const problem = this.check(packet);
      if (problem) this.mismatch(`response ${this.stats.transactions}: ${problem}`);
    }
    return this.nextRequest();
  }

  private mismatch(what: string): void {
    this.stats.mismatches++;
    this.stats.firstMismatch ??= what;
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** A packet as a reader wants to see it in a message: its length and first bytes. */
export function describe(packet: Uint8Array): string {
  const head = Array.from(packet.subarray(0, 16), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${packet.length} bytes "${head}${packet.length > 16 ? '...' : ''}"`;
}
