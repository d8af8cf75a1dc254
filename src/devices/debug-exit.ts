// Debug exit: a write stops the machine with the low byte as exit status,
// as QEMU's isa-debug-exit device lets test programs end a run.

import type { PortDevice } from './bus.ts';
import { CHIPSET_ACCESS_CYCLES, PORTS } from './ports.ts';

export class DebugExit implements PortDevice {
  readonly name = 'debug-exit';
  readonly ports = [PORTS.DEBUG_EXIT.port];
  readonly accessCycles = CHIPSET_ACCESS_CYCLES;
  /** The exit status written, or null while the machine should keep running. */
  status: number | null = null;

  read(): number {
    return -1;
  }

  write(_port: number, value: number): void {
    this.status = value & 0xff;
  }
}
