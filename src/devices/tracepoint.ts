// Tracepoints: how software tells the statistics what only it knows. The
// hardware sees one level of VMX; which level a VM entry runs, and which
// exits L0 forwards to L1, are decisions of L0's software. Where a
// workload's measured phase begins and ends (its region of interest) is
// the workload's to say. Like gem5's m5 pseudo-instructions, an access
// costs no cycles: measuring must not change what is measured.

// The values come from guest software, so the device checks them: a level
// the run does not have, or a forward that is not from a deeper level to a
// shallower one, is rejected and counted (`rejected`, the JSON's
// rejectedTracepoints), and the attribution stays where it was.

import type { PortDevice } from './bus.ts';
import { PORTS, ROI_BEGIN, ROI_END } from './ports.ts';

export interface TraceSink {
  /** Thread `thread`'s next VM entry runs level `level`. */
  enteringLevel(thread: number, level: number): void;
  /** Thread `thread`'s hypervisor forwards exit `reason` of level `from` to
   * level `to`; false if the exit statistics refuse it (exit-stats.ts). */
  forwarded(thread: number, from: number, to: number, reason: number): boolean;
  /** Thread `thread`'s hypervisor blocked its guest's vCPU (or found it runnable again) at cycle `now`. */
  blocked(thread: number, blocked: boolean, now: number): void;
  /** The workload's measured phase begins (or ends) at cycle `now`. */
  regionOfInterest(mark: 'begin' | 'end', now: number): void;
}

export class Tracepoint implements PortDevice {
  readonly name = 'tracepoint';
  readonly ports = [PORTS.TRACE_LEVEL.port, PORTS.TRACE_FORWARD.port, PORTS.TRACE_BLOCK.port, PORTS.ROI.port];
  readonly accessCycles = 0;

  /** Writes refused: a level outside 1..deepestLevel(), a forward that is not
   * from a deeper level to a shallower one, or one the statistics refused. */
  rejected = 0;

  constructor(
    private readonly sink: TraceSink,
    /** The deepest level the run has (its depth). */
    private readonly deepestLevel: () => number,
  ) {}

  read(): number {
    return 0;
  }

  write(port: number, value: number, now: number, thread: number): void {
    if (port === PORTS.TRACE_LEVEL.port) {
      const level = value >>> 0;
      if (level >= 1 && level <= this.deepestLevel()) this.sink.enteringLevel(thread, level);
      else this.rejected++;
    } else if (port === PORTS.TRACE_FORWARD.port) {
      const from = (value >>> 16) & 0xff;
      const to = value >>> 24;
      const valid = to < from && from <= this.deepestLevel();
      if (!valid || !this.sink.forwarded(thread, from, to, value & 0xffff)) this.rejected++;
    } else if (port === PORTS.TRACE_BLOCK.port) this.sink.blocked(thread, value !== 0, now);
    else if (value === ROI_BEGIN) this.sink.regionOfInterest('begin', now);
    else if (value === ROI_END) this.sink.regionOfInterest('end', now);
  }
}
