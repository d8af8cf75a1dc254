// The network peer at the other end of the NIC's wire: a modeled machine
// inside the emulator. As a request/response peer (netperf TCP_RR's remote
// end) it answers every packet with a response of the same bytes; as a sink
// (TCP_STREAM's receiver) it only counts what arrives. Time is simulated
// cycles: a packet reaches the peer networkLatency cycles after the NIC put
// its last byte on the wire, and a response leaves at once.

export type PeerKind = 'echo' | 'sink';

export interface PeerStats {
  packets: number;
  bytes: number;
  /** Cycle the first and the last packet arrived; for bandwidth. */
  firstArrival: number;
  lastArrival: number;
}

export class NetworkPeer {
  readonly stats: PeerStats = { packets: 0, bytes: 0, firstArrival: Infinity, lastArrival: 0 };

  constructor(readonly kind: PeerKind) {}

  /** A packet arrives at cycle `at`; returns the response to send at that cycle, if any. */
  receive(packet: Uint8Array, at: number): Uint8Array | null {
    this.stats.packets++;
    this.stats.bytes += packet.length;
    if (at < this.stats.firstArrival) this.stats.firstArrival = at;
    this.stats.lastArrival = at;
    return this.kind === 'echo' ? packet : null;
  }
}
