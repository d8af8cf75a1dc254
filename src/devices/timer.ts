// Programmable interval timer: raises its vector every PERIOD cycles
// (periodic) or once (one-shot), counted from the TIMER_CONTROL write, at
// the hardware thread TIMER_TARGET names. Time is the machine's cycle
// clock, so runs are deterministic.

import type { PortDevice } from './bus.ts';
import type { InterruptController } from './interrupts.ts';
import { CHIPSET_ACCESS_CYCLES, PORTS, TIMER_DEFAULT_VECTOR, TIMER_ONE_SHOT, TIMER_PERIODIC, TIMER_STOP } from './ports.ts';

export class Timer implements PortDevice {
  readonly name = 'timer';
  readonly ports = [
    PORTS.TIMER_PERIOD.port,
    PORTS.TIMER_VECTOR.port,
    PORTS.TIMER_CONTROL.port,
    PORTS.TIMER_TICKS.port,
    PORTS.TIMER_TARGET.port,
  ];
  readonly accessCycles = CHIPSET_ACCESS_CYCLES;
  private period = 0;
  private vector = TIMER_DEFAULT_VECTOR;
  private control = TIMER_STOP;
  private ticks = 0;
  private target = 0;
  /** Cycle at which the next interrupt is due; Infinity when stopped. */
  deadline = Infinity;

  /** `interrupts[i]` is hardware thread i's. */
  constructor(private readonly interrupts: readonly InterruptController[]) {}

  read(port: number): number {
    switch (port) {
      case PORTS.TIMER_PERIOD.port:
        return this.period;
      case PORTS.TIMER_VECTOR.port:
        return this.vector;
      case PORTS.TIMER_CONTROL.port:
        return this.control;
      case PORTS.TIMER_TARGET.port:
        return this.target;
      default:
        return this.ticks;
    }
  }

  write(port: number, value: number, now: number): void {
    switch (port) {
      case PORTS.TIMER_PERIOD.port:
        this.period = value >>> 0;
        break;
      case PORTS.TIMER_VECTOR.port:
        this.vector = value & 0xff;
        break;
      case PORTS.TIMER_TARGET.port:
        if ((value >>> 0) < this.interrupts.length) this.target = value >>> 0;
        break;
      case PORTS.TIMER_CONTROL.port:
        this.control = value === TIMER_PERIODIC || value === TIMER_ONE_SHOT ? value : TIMER_STOP;
        this.deadline = this.control !== TIMER_STOP && this.period > 0 ? now + this.period : Infinity;
        break;
    }
  }

  /** Called by the machine when time reaches `deadline`. */
  fire(): void {
    this.ticks++;
    this.interrupts[this.target].raise(this.vector);
    this.deadline = this.control === TIMER_PERIODIC ? this.deadline + this.period : Infinity;
    if (this.control === TIMER_ONE_SHOT) this.control = TIMER_STOP;
  }
}
