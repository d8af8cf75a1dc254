// Serial console: the guest writes bytes to SERIAL_DATA; they stream to the
// sink, if one is given, as they are written. The run's console output (the
// JSON's `console`, the report, the tests) keeps the first CONSOLE_KEPT_BYTES
// and only counts the rest, so a guest that prints forever runs to its budget
// in bounded memory (docs/security.md).

import type { PortDevice } from './bus.ts';
import { CHIPSET_ACCESS_CYCLES, PORTS } from './ports.ts';

const TRANSMITTER_EMPTY = 0x60;

/** Console bytes a run keeps in memory: 1 MiB. */
export const CONSOLE_KEPT_BYTES = 1 << 20;

export class SerialConsole implements PortDevice {
  readonly name = 'serial';
  readonly ports = [PORTS.SERIAL_DATA.port, PORTS.SERIAL_LINE_STATUS.port];
  readonly accessCycles = CHIPSET_ACCESS_CYCLES;
  /** The kept bytes, in a buffer that doubles up to CONSOLE_KEPT_BYTES. */
  private kept = new Uint8Array(256);
  private length = 0;
  /** Bytes written after the first CONSOLE_KEPT_BYTES: streamed, not kept. */
  dropped = 0;

  constructor(private readonly sink?: (byte: number) => void) {}

  read(port: number): number {
    return port === PORTS.SERIAL_LINE_STATUS.port ? TRANSMITTER_EMPTY : 0;
  }

  write(port: number, value: number): void {
    if (port !== PORTS.SERIAL_DATA.port) return;
    const byte = value & 0xff;
    this.sink?.(byte);
    if (this.length === CONSOLE_KEPT_BYTES) {
      this.dropped++;
      return;
    }
    if (this.length === this.kept.length) {
      const grown = new Uint8Array(Math.min(this.kept.length * 2, CONSOLE_KEPT_BYTES));
      grown.set(this.kept);
      this.kept = grown;
    }
    this.kept[this.length++] = byte;
  }

  /** The kept bytes (the first CONSOLE_KEPT_BYTES written). */
  bytes(): Uint8Array {
    return this.kept.slice(0, this.length);
  }

  /** The kept bytes decoded as UTF-8 (invalid sequences become U+FFFD). */
  text(): string {
    return new TextDecoder('utf-8').decode(this.kept.subarray(0, this.length));
  }
}
