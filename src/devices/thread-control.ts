// Thread control: how software learns which hardware thread it runs on and
// starts the others, which wait after reset (as x86 application processors
// wait for a startup IPI; this machine has no APIC, so a port does it).

import type { PortDevice } from './bus.ts';
import { CHIPSET_ACCESS_CYCLES, PORTS } from './ports.ts';

export interface ThreadStarter {
  /** Starts waiting thread `thread` at `eip`/`esp` at cycle `now`; false if it is not waiting. */
  start(thread: number, eip: number, esp: number, now: number): boolean;
}

export class ThreadControl implements PortDevice {
  readonly name = 'thread-control';
  readonly ports = [PORTS.THREAD_ID.port, PORTS.THREAD_START_EIP.port, PORTS.THREAD_START_ESP.port, PORTS.THREAD_START.port];
  readonly accessCycles = CHIPSET_ACCESS_CYCLES;
  private eip = 0;
  private esp = 0;

  constructor(private readonly starter: ThreadStarter) {}

  read(port: number, _now: number, thread: number): number {
    return port === PORTS.THREAD_ID.port ? thread : 0;
  }

  write(port: number, value: number, now: number): void {
    switch (port) {
      case PORTS.THREAD_START_EIP.port:
        this.eip = value;
        break;
      case PORTS.THREAD_START_ESP.port:
        this.esp = value;
        break;
      case PORTS.THREAD_START.port:
        this.starter.start(value >>> 0, this.eip, this.esp, now);
        break;
    }
  }
}
