// The port bus: routes `in` and `out` to the device that owns the port.
// A port no device claims reads as all ones (a floating bus, as on PC
// hardware) and ignores writes.

export interface PortDevice {
  /** Human-readable name, for docs and diagnostics. */
  readonly name: string;
  /** The ports the device answers. */
  readonly ports: readonly number[];
  read(port: number, now: number): number;
  write(port: number, value: number, now: number): void;
}

export class PortBus {
  private readonly owners: (PortDevice | undefined)[] = new Array(0x10000).fill(undefined);
  readonly devices: PortDevice[] = [];

  attach(device: PortDevice): void {
    for (const port of device.ports) {
      const owner = this.owners[port];
      if (owner) throw new Error(`port 0x${port.toString(16)} claimed by both ${owner.name} and ${device.name}`);
      this.owners[port] = device;
    }
    this.devices.push(device);
  }

  read(port: number, now: number): number {
    const device = this.owners[port & 0xffff];
    return device ? device.read(port & 0xffff, now) | 0 : -1;
  }

  write(port: number, value: number, now: number): void {
    this.owners[port & 0xffff]?.write(port & 0xffff, value, now);
  }
}
