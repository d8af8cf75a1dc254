// The physical NIC: transmit and receive descriptor rings in memory, a
// doorbell, DMA, and one interrupt for both directions, wired to a modeled
// network peer (peer.ts).
//
// Transmit: a write to NIC_TX_TAIL hands the device the descriptors up to
// it. Each packet goes on the wire once the previous one is off it
// (wireCyclesPerKiB per KiB: a 10 Gb/s link); when a packet's last byte is
// on the wire its descriptor is marked done, NIC_TX_HEAD moves past it and
// the device interrupts. The packet reaches the peer networkLatency later.
// Receive: a packet from the peer arrives networkLatency after the peer
// sent it; the device writes it by DMA into the buffer of the descriptor at
// NIC_RX_HEAD (if the driver gave one: NIC_RX_TAIL), sets its length and
// done bit and interrupts; with no buffer, the packet is dropped and
// counted. A descriptor whose buffer lies outside RAM, or is shorter than
// the packet, is marked done with the error bit, and nothing moves.

import type { Memory } from '../memory/memory.ts';
import type { PortDevice, TimedDevice } from './bus.ts';
import type { InterruptController } from './interrupts.ts';
import type { NetworkPeer } from './peer.ts';
import {
  CHIPSET_ACCESS_CYCLES,
  NIC_DEFAULT_VECTOR,
  NIC_DESC_ADDRESS,
  NIC_DESC_DONE,
  NIC_DESC_ERROR,
  NIC_DESC_LENGTH,
  NIC_DESC_STATUS,
  NIC_DESCRIPTOR_SIZE,
  NIC_IRQ_RX,
  NIC_IRQ_TX,
  NIC_MAX_PACKET,
  PORTS,
} from './ports.ts';

export interface NicTiming {
  /** One-way latency between the NIC and the peer. */
  networkLatency: number;
  /** Wire serialization, per KiB. */
  wireCyclesPerKiB: number;
}

type NicEvent =
  | { at: number; seq: number; kind: 'sent'; index: number; error: boolean }
  | { at: number; seq: number; kind: 'to-peer' | 'from-peer'; packet: Uint8Array };

interface Ring {
  base: number;
  size: number;
  head: number;
  tail: number;
}

export class Nic implements PortDevice, TimedDevice {
  readonly name = 'nic';
  readonly ports = Object.values(PORTS)
    .filter((p) => p.device === 'nic')
    .map((p) => p.port);
  readonly accessCycles = CHIPSET_ACCESS_CYCLES;
  private readonly tx: Ring = { base: 0, size: 1, head: 0, tail: 0 };
  private readonly rx: Ring = { base: 0, size: 1, head: 0, tail: 0 };
  /** The next transmit descriptor not yet put on the wire. */
  private txNext = 0;
  private wireFreeAt = 0;
  private vector = NIC_DEFAULT_VECTOR;
  private status = 0;
  private target = 0;
  private seq = 0;
  private readonly events: NicEvent[] = [];
  drops = 0;

  constructor(
    private readonly memory: Memory,
    private readonly interrupts: readonly InterruptController[],
    private readonly peer: NetworkPeer,
    private readonly timing: NicTiming,
  ) {}

  get deadline(): number {
    return this.events.length ? this.events[0].at : Infinity;
  }

  read(port: number): number {
    switch (port) {
      case PORTS.NIC_TX_HEAD.port:
        return this.tx.head;
      case PORTS.NIC_RX_HEAD.port:
        return this.rx.head;
      case PORTS.NIC_IRQ_VECTOR.port:
        return this.vector;
      case PORTS.NIC_IRQ_STATUS.port:
        return this.status;
      case PORTS.NIC_IRQ_TARGET.port:
        return this.target;
      case PORTS.NIC_RX_DROPS.port:
        return this.drops;
      default:
        return 0;
    }
  }

  write(port: number, value: number, now: number): void {
    const size = Math.min(Math.max(value >>> 0, 1), 256);
    switch (port) {
      case PORTS.NIC_TX_RING.port:
        this.tx.base = value >>> 0;
        break;
      case PORTS.NIC_TX_SIZE.port:
        Object.assign(this.tx, { size, head: 0, tail: 0 });
        this.txNext = 0;
        break;
      case PORTS.NIC_TX_TAIL.port:
        this.tx.tail = (value >>> 0) % this.tx.size;
        this.transmit(now);
        break;
      case PORTS.NIC_RX_RING.port:
        this.rx.base = value >>> 0;
        break;
      case PORTS.NIC_RX_SIZE.port:
        Object.assign(this.rx, { size, head: 0, tail: 0 });
        break;
      case PORTS.NIC_RX_TAIL.port:
        this.rx.tail = (value >>> 0) % this.rx.size;
        break;
      case PORTS.NIC_IRQ_VECTOR.port:
        this.vector = value & 0xff;
        break;
      case PORTS.NIC_IRQ_STATUS.port:
        this.status &= ~value;
        break;
      case PORTS.NIC_IRQ_TARGET.port:
        if ((value >>> 0) < this.interrupts.length) this.target = value >>> 0;
        break;
    }
  }

  /** Puts every descriptor up to the tail on the wire, one after the other. */
  private transmit(now: number): void {
    while (this.txNext !== this.tx.tail) {
      const index = this.txNext;
      this.txNext = (index + 1) % this.tx.size;
      const packet = this.dmaRead(this.descriptor(this.tx, index));
      const start = Math.max(now, this.wireFreeAt);
      const sent = start + this.wireTime(packet ? packet.length : 0);
      this.wireFreeAt = sent;
      this.schedule({ at: sent, seq: 0, kind: 'sent', index, error: packet === null });
      if (packet) this.schedule({ at: sent + this.timing.networkLatency, seq: 0, kind: 'to-peer', packet });
    }
  }

  fire(): void {
    const event = this.events.shift()!;
    if (event.kind === 'sent') {
      this.complete(this.descriptor(this.tx, event.index), event.error ? NIC_DESC_ERROR : 0);
      this.tx.head = (event.index + 1) % this.tx.size;
      this.interrupt(NIC_IRQ_TX);
    } else if (event.kind === 'to-peer') {
      const response = this.peer.receive(event.packet, event.at);
      if (response) {
        const arrival = event.at + this.wireTime(response.length) + this.timing.networkLatency;
        this.schedule({ at: arrival, seq: 0, kind: 'from-peer', packet: response });
      }
    } else {
      this.receive(event.packet);
    }
  }

  private receive(packet: Uint8Array): void {
    if (this.rx.head === this.rx.tail) {
      this.drops++;
      return;
    }
    const descriptor = this.descriptor(this.rx, this.rx.head);
    this.rx.head = (this.rx.head + 1) % this.rx.size;
    let error = descriptor < 0;
    if (!error) {
      const address = this.memory.readU32(descriptor + NIC_DESC_ADDRESS);
      const capacity = this.memory.readU32(descriptor + NIC_DESC_LENGTH);
      error = packet.length > capacity || address + packet.length > this.memory.size;
      if (!error) {
        this.memory.load(address, packet);
        this.memory.writeU32(descriptor + NIC_DESC_LENGTH, packet.length);
      }
    }
    this.complete(descriptor, error ? NIC_DESC_ERROR : 0);
    this.interrupt(NIC_IRQ_RX);
  }

  /** The physical address of descriptor `index` of `ring`, or -1 outside RAM. */
  private descriptor(ring: Ring, index: number): number {
    const address = ring.base + index * NIC_DESCRIPTOR_SIZE;
    return address + NIC_DESCRIPTOR_SIZE <= this.memory.size ? address : -1;
  }

  /** The packet a transmit descriptor names, or null if it is not valid. */
  private dmaRead(descriptor: number): Uint8Array | null {
    if (descriptor < 0) return null;
    const address = this.memory.readU32(descriptor + NIC_DESC_ADDRESS);
    const length = this.memory.readU32(descriptor + NIC_DESC_LENGTH);
    if (length > NIC_MAX_PACKET || address + length > this.memory.size) return null;
    return this.memory.read(address, length);
  }

  private complete(descriptor: number, error: number): void {
    if (descriptor >= 0) this.memory.writeU32(descriptor + NIC_DESC_STATUS, NIC_DESC_DONE | error);
  }

  private interrupt(cause: number): void {
    this.status |= cause;
    this.interrupts[this.target].raise(this.vector);
  }

  private wireTime(bytes: number): number {
    return Math.ceil((bytes * this.timing.wireCyclesPerKiB) / 1024);
  }

  /** Keeps events in time order, first scheduled first on a tie. */
  private schedule(event: NicEvent): void {
    event.seq = this.seq++;
    let i = this.events.length;
    while (i > 0 && (this.events[i - 1].at > event.at || (this.events[i - 1].at === event.at && this.events[i - 1].seq > event.seq))) i--;
    this.events.splice(i, 0, event);
  }
}
