// The port bus: routes `in` and `out` to the device that owns the port.
// A port no device claims reads as all ones (a floating bus, as on PC
// hardware) and ignores writes. Every access costs the latency its device
// declares; an unclaimed port costs what a chipset device does.

import { CHIPSET_ACCESS_CYCLES } from './ports.ts';

export interface PortDevice {
  /** Human-readable name, for docs and diagnostics. */
  readonly name: string;
  /** The ports the device answers. */
  readonly ports: readonly number[];
  /** Cycles one access costs the accessing thread. */
  readonly accessCycles: number;
  /** An access at cycle `now` by hardware thread `thread`. */
  read(port: number, now: number, thread: number): number;
  write(port: number, value: number, now: number, thread: number): void;
}

/** A device with work due at a cycle (the timer, a block request in flight). */
export interface TimedDevice {
  /** The cycle its next event is due; Infinity when none. */
  readonly deadline: number;
  /** Called by the machine when time reaches `deadline`. */
  fire(): void;
}

export class PortBus {
  /** Per port: 1 + the index in `devices` of its owner, or 0 (a byte
   * array, cheap to make: tests build thousands of machines). */
  private readonly ownerIndex = new Uint8Array(0x10000);
  /** Per owner index: the device, with `undefined` at 0 for unclaimed ports. */
  private readonly owners: (PortDevice | undefined)[] = [undefined];
  readonly devices: PortDevice[] = [];

  attach(device: PortDevice): void {
    if (this.owners.length > 0xff) throw new Error(`more than 255 port devices (attaching ${device.name})`);
    for (const port of device.ports) {
      const owner = this.owners[this.ownerIndex[port]];
      if (owner) throw new Error(`port 0x${port.toString(16)} claimed by both ${owner.name} and ${device.name}`);
      this.ownerIndex[port] = this.owners.length;
    }
    this.owners.push(device);
    this.devices.push(device);
  }

  /** Cycles an access to `port` costs. */
  cost(port: number): number {
    return this.owners[this.ownerIndex[port & 0xffff]]?.accessCycles ?? CHIPSET_ACCESS_CYCLES;
  }

  read(port: number, now: number, thread: number): number {
    const device = this.owners[this.ownerIndex[port & 0xffff]];
    return device ? device.read(port & 0xffff, now, thread) | 0 : -1;
  }

  write(port: number, value: number, now: number, thread: number): void {
    this.owners[this.ownerIndex[port & 0xffff]]?.write(port & 0xffff, value, now, thread);
  }
}
