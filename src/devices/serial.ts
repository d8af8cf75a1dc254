// Serial console: the guest writes bytes to SERIAL_DATA; they are collected
// for the run's console output and, if a sink is given, streamed to it.

import type { PortDevice } from './bus.ts';
import { CHIPSET_ACCESS_CYCLES, PORTS } from './ports.ts';

const TRANSMITTER_EMPTY = 0x60;

export class SerialConsole implements PortDevice {
  readonly name = 'serial';
  readonly ports = [PORTS.SERIAL_DATA.port, PORTS.SERIAL_LINE_STATUS.port];
  readonly accessCycles = CHIPSET_ACCESS_CYCLES;
  private readonly chunks: number[] = [];

  constructor(private readonly sink?: (byte: number) => void) {}

  read(port: number): number {
    return port === PORTS.SERIAL_LINE_STATUS.port ? TRANSMITTER_EMPTY : 0;
  }

  write(port: number, value: number): void {
    if (port !== PORTS.SERIAL_DATA.port) return;
    const byte = value & 0xff;
    this.chunks.push(byte);
    this.sink?.(byte);
  }

  /** Everything written so far, as bytes. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }

  /** Everything written so far, decoded as UTF-8 (invalid sequences become U+FFFD). */
  text(): string {
    return new TextDecoder('utf-8').decode(this.bytes());
  }
}
