// The network peer at the other end of the NIC's wire: a modeled machine
// inside the emulator. Time is simulated cycles: a packet reaches the peer
// networkLatency cycles after the NIC put its last byte on the wire, and a
// response leaves at once. The stock peers are
// - echo: netperf TCP_RR's remote end, answers every packet with the same bytes;
// - sink: TCP_STREAM's receiver, only counts what arrives;
// - kv and web: clients that drive a server workload (kv-client.ts,
//   web-client.ts), one request outstanding at a time.

import { COUNTER_ZERO } from '../timing/counter.ts';

export type PeerKind = 'echo' | 'sink' | 'kv' | 'web';

export interface PeerStats {
  packets: number;
  bytes: number;
  /** Cycle the first and the last packet arrived; for bandwidth. */
  firstArrival: number;
  lastArrival: number;
}

export interface NetworkPeer {
  readonly kind: PeerKind;
  readonly stats: PeerStats;
  /** A packet arrives at cycle `at`; returns the response to send at that cycle, if any. */
  receive(packet: Uint8Array, at: number): Uint8Array | null;
}

/** Counts a packet arriving at cycle `at` into `stats`. */
export function countArrival(stats: PeerStats, packet: Uint8Array, at: number): void {
  stats.packets++;
  stats.bytes += packet.length;
  if (at < stats.firstArrival) stats.firstArrival = at;
  stats.lastArrival = at;
}

export function emptyPeerStats(): PeerStats {
  return { packets: 0, bytes: 0, firstArrival: Infinity, lastArrival: COUNTER_ZERO };
}

export class EchoPeer implements NetworkPeer {
  readonly kind = 'echo';
  readonly stats = emptyPeerStats();

  receive(packet: Uint8Array, at: number): Uint8Array {
    countArrival(this.stats, packet, at);
    return packet;
  }
}

export class SinkPeer implements NetworkPeer {
  readonly kind = 'sink';
  readonly stats = emptyPeerStats();

  receive(packet: Uint8Array, at: number): null {
    countArrival(this.stats, packet, at);
    return null;
  }
}
