// The core: its hardware threads, each with its own registers, flags,
// interrupt state, current VMCS and cycle clock, sharing memory and devices;
// and the scheduler that interleaves them deterministically by simulated
// time, never by host time.
//
// Scheduling: the running thread whose clock is furthest behind runs next
// (the lower number on a tie), until it is QUANTUM cycles ahead of the next
// one, reaches a device event, or stops (halts, waits, changes worlds). A
// store to a line another thread monitors ends the writer's slice after
// that instruction, so the waiter wakes at the writer's exact time.
//
// SMT sharing: threads that run at the same time share the core's issue
// slots. While k >= 2 threads run, the core delivers smtCoreThroughput
// percent of one thread's throughput in all, shared equally, so each
// thread's cycles stretch by k * 100 / smtCoreThroughput. A thread that
// is halted, waiting in mwait, or stalled (hw mode) takes no slots; one
// spinning on pause does.

import { COUNTER_ZERO } from '../timing/counter.ts';
import { Cpu, STOP_BUDGET, STOP_TRIPLE_FAULT } from '../cpu/cpu.ts';
import { STATE_HALTED, STATE_MWAIT, STATE_RUNNING } from '../cpu/thread-state.ts';
import type { PortBus } from '../devices/bus.ts';
import { InterruptController } from '../devices/interrupts.ts';
import type { CostModel } from '../timing/cost-model.ts';
import type { Memory } from '../memory/memory.ts';
import type { ExitRecorder } from '../cpu/vmx/exit-stats.ts';

/** How far (in cycles) a thread may run ahead of the next running thread
 * before the scheduler switches: a simulation parameter, not a cost. Shared
 * memory is exact regardless (see the file comment); the quantum bounds how
 * unevenly two busy threads' clocks advance. */
export const QUANTUM = 200;

/** What a slice of the scheduler tells the machine. */
export const SLICE_RAN = 0;
export const SLICE_TRIPLE_FAULT = 1;
/** The step hook stopped the slice before its instruction (a debugger's breakpoint). */
export const SLICE_STOPPED = 2;

export class Core {
  readonly threads: Cpu[];
  readonly interrupts: InterruptController[];
  /** The thread in the interpreter now, if any. */
  private running: Cpu | null = null;
  /** The slice under way (a stepped run keeps one open across steps): its
   * thread, the cycle it may run to, its clock at the start, and how many
   * threads were running then. */
  private sliceThread: Cpu | null = null;
  private sliceLimit = COUNTER_ZERO;
  private sliceStart = COUNTER_ZERO;
  private sliceActive = 0;
  /** The thread that triple-faulted. */
  faulted: Cpu | null = null;

  constructor(
    memory: Memory,
    bus: PortBus,
    count: number,
    private readonly costs: CostModel,
    exits: ExitRecorder,
    /** The hw-mode thread extension (docs/modes.md) is present. */
    threadExtension: boolean,
  ) {
    if (!Number.isInteger(count) || count < 1 || count > 8) throw new RangeError(`threads must be 1 to 8, got ${count}`);
    this.interrupts = Array.from({ length: count }, () => new InterruptController());
    this.threads = this.interrupts.map(
      (interrupts, id) =>
        new Cpu(memory, bus, interrupts, {
          id,
          threads: count,
          threadExtension,
          vmxCosts: { vmExit: costs.vmExit, vmEntry: costs.vmEntry, threadSwitch: costs.threadSwitch },
          exits,
          thread: (n) => this.threads[n],
        }),
    );
    for (const thread of this.threads.slice(1)) {
      thread.waitingForStart = true;
      thread.state = STATE_HALTED;
    }
    memory.onMonitoredWrite = (line) => this.monitoredWrite(line);
  }

  /** A store (by the running thread, or a device) to a monitored line. */
  private monitoredWrite(line: number): void {
    for (const thread of this.threads) {
      if (thread !== this.running && thread.monitorLine === line) {
        thread.noteMonitoredWrite(line);
        if (this.running) this.running.sliceBreak = true;
      } else if (thread === this.running) {
        thread.noteMonitoredWrite(line);
      }
    }
  }

  /** Starts waiting thread `id` (the thread-control device). */
  start(id: number, eip: number, esp: number, now: number): boolean {
    return id < this.threads.length && this.threads[id].start(eip, esp, now);
  }

  get instructions(): number {
    let total = 0;
    for (const t of this.threads) total += t.instructions;
    return total;
  }

  /** Every thread's clock is a safe integer: exact, and still advancing. */
  get clocksExact(): boolean {
    for (const t of this.threads) if (!(t.cycles <= Number.MAX_SAFE_INTEGER)) return false;
    return true;
  }

  /** The clock of the slowest running thread: the time devices see. Infinity if none runs. */
  get now(): number {
    let now = Infinity;
    for (const t of this.threads) if (t.state === STATE_RUNNING && t.cycles < now) now = t.cycles;
    return now;
  }

  /** Wakes every sleeping thread whose wake-up event has happened, at `time`
   * at the earliest (plus the mwait wake-up latency for an mwait). */
  wakeSleepers(time: number): void {
    for (const t of this.threads) {
      if (t.state === STATE_RUNNING || t.waitingForStart || !t.canWake) continue;
      const at = time + (t.state === STATE_MWAIT ? this.costs.mwaitWakeLatency : 0);
      if (t.cycles < at) t.cycles = at;
      t.wake();
    }
  }

  /** The earliest time a sleeping thread can be woken by an event the core
   * knows of (its guest's preemption timer), or Infinity. */
  get nextThreadEvent(): number {
    let at = Infinity;
    for (const t of this.threads) if (t.state !== STATE_RUNNING && t.vmx.preemptionDeadline < at) at = t.vmx.preemptionDeadline;
    return at;
  }

  /** Whether any sleeping thread could be woken by an interrupt or timer. */
  get anyWakesOnEvent(): boolean {
    return this.threads.some((t) => !t.waitingForStart && t.state !== STATE_RUNNING && t.wakesOnEvent);
  }

  /** Whether a thread waits in mwait (a device's DMA write can wake it). */
  get anyMwaiting(): boolean {
    return this.threads.some((t) => t.state === STATE_MWAIT);
  }

  /** Every thread asleep: time passes to `time` for those an event could wake. */
  sleepUntil(time: number): void {
    for (const t of this.threads) {
      if (!t.waitingForStart && t.state !== STATE_RUNNING && t.wakesOnEvent && t.cycles < time) t.cycles = time;
    }
  }

  /** Runs one slice of the running thread furthest behind (there must be
   * one), up to `deviceDeadline` or `maxInstructions` more instructions in
   * all. With a `step` hook, runs one instruction of the slice under way
   * (opening one if none is), calling the hook before it; a hook that
   * returns true stops before the instruction executes. */
  runSlice(deviceDeadline: number, maxInstructions: number, step?: (cpu: Cpu) => unknown): number {
    if (step) return this.runStep(deviceDeadline, step);
    this.openSlice(deviceDeadline);
    const thread = this.sliceThread!;
    this.running = thread;
    const stop = thread.run(maxInstructions, this.sliceLimit);
    return this.closeSlice(stop);
  }

  /** Picks the running thread furthest behind, how far it may run, and how
   * many threads share the core meanwhile. */
  private openSlice(deviceDeadline: number): void {
    let next: Cpu | null = null;
    let second = Infinity;
    let active = 0;
    for (const t of this.threads) {
      if (t.state !== STATE_RUNNING) continue;
      active++;
      if (!next || t.cycles < next.cycles) {
        if (next) second = Math.min(second, next.cycles);
        next = t;
      } else if (t.cycles < second) {
        second = t.cycles;
      }
    }
    this.sliceThread = next!;
    this.sliceLimit = Math.min(deviceDeadline, second === Infinity ? Infinity : second + QUANTUM);
    this.sliceStart = next!.cycles;
    this.sliceActive = active;
  }

  private closeSlice(stop: number): number {
    const thread = this.sliceThread!;
    this.running = null;
    this.sliceThread = null;
    if (this.sliceActive >= 2) {
      // Every cycle of the slice was shared with the other running threads
      // (rounded: clocks count whole cycles).
      thread.cycles += Math.round(((thread.cycles - this.sliceStart) * (this.sliceActive * 100 - this.costs.smtCoreThroughput)) / this.costs.smtCoreThroughput);
    }
    if (stop === STOP_TRIPLE_FAULT) {
      this.faulted = thread;
      return SLICE_TRIPLE_FAULT;
    }
    // Whoever this thread's stores woke, wakes at its time.
    this.wakeSleepers(thread.cycles);
    return SLICE_RAN;
  }

  /** One instruction of the slice under way. The slice ends where a plain
   * run's would (at its limit, a stop other than the budget, a store another
   * thread waits on, the end of an sti shadow), so that a run stepped one
   * instruction at a time is scheduled, and counts its cycles, exactly as the
   * same run unstepped. */
  private runStep(deviceDeadline: number, step: (cpu: Cpu) => unknown): number {
    if (this.sliceThread === null) this.openSlice(deviceDeadline);
    const thread = this.sliceThread!;
    this.running = thread;
    // Deliver what is pending first (an interrupt, a guest's exit), so that
    // the hook sees the instruction that really executes next.
    let stop = thread.run(0, this.sliceLimit);
    if (stop === STOP_BUDGET && thread.state === STATE_RUNNING) {
      if (step(thread) === true) {
        this.running = null;
        return SLICE_STOPPED;
      }
      stop = thread.run(1, this.sliceLimit);
      const goesOn =
        stop === STOP_BUDGET &&
        thread.state === STATE_RUNNING &&
        !thread.sliceBreak &&
        thread.instructions !== thread.interruptShadowEnd &&
        thread.cycles < Math.min(this.sliceLimit, thread.vmx.preemptionDeadline);
      if (goesOn) {
        this.running = null;
        return SLICE_RAN;
      }
    }
    return this.closeSlice(stop);
  }
}
