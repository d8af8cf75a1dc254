// Tracepoints: how hypervisor software tells the statistics what only it
// knows. The hardware sees one level of VMX; which level a VM entry runs,
// and which exits L0 forwards to L1, are decisions of L0's software. Like
// gem5's m5 pseudo-instructions, an access costs no cycles: measuring must
// not change what is measured.

import type { PortDevice } from './bus.ts';
import { PORTS } from './ports.ts';

export interface TraceSink {
  /** Thread `thread`'s next VM entry runs level `level`. */
  enteringLevel(thread: number, level: number): void;
  /** Thread `thread`'s hypervisor forwards exit `reason` of level `from` to level `to`. */
  forwarded(thread: number, from: number, to: number, reason: number): void;
}

export class Tracepoint implements PortDevice {
  readonly name = 'tracepoint';
  readonly ports = [PORTS.TRACE_LEVEL.port, PORTS.TRACE_FORWARD.port];
  readonly accessCycles = 0;

  constructor(private readonly sink: TraceSink) {}

  read(): number {
    return 0;
  }

  write(port: number, value: number, _now: number, thread: number): void {
    if (port === PORTS.TRACE_LEVEL.port) this.sink.enteringLevel(thread, value & 0xff);
    else this.sink.forwarded(thread, (value >>> 16) & 0xff, (value >>> 24) & 0xff, value & 0xffff);
  }
}
