// What each hardware thread did when, cycle by cycle, over one stretch of a
// run: which level's instructions it executed, when it was in a world switch
// (the instruction that enters a guest, and what the hardware charged for
// the entry or the exit), and when it did nothing (parked in mwait, stalled
// by a thread switch, not started). Transition events alone cannot tell when
// an sw-mode thread goes to sleep or when an hw-mode hypervisor thread
// resumes, so this also watches every instruction start: a thread whose
// state is no longer running stopped at its own clock. Used by `smtnest
// report` (src/report/) and by --timeline (timeline.ts), and only when one
// of them is asked for: the hook costs an instruction's worth of work.

import type { Cpu } from '../cpu/cpu.ts';
import { STATE_RUNNING } from '../cpu/thread-state.ts';
import type { Machine } from '../machine/machine.ts';
import type { TransitionEvent } from '../cpu/vmx/exit-stats.ts';

/** What a stretch of a thread's time went to: a level's instructions, or a world switch. */
export type ActivityKind = 'L0' | 'L1' | 'L2' | 'switch';

export interface ActivitySegment {
  thread: number;
  kind: ActivityKind;
  from: number;
  to: number;
  /** What the recorder's labeller called it when it began (its kind if none). */
  label: string;
}

interface Open {
  kind: ActivityKind;
  since: number;
  label: string;
}

export interface ActivityOptions {
  /** Only segments overlapping [from, to) cycles are kept (all by default); read
   * as each segment ends, so its owner may cut it short during the run. */
  window?: { from: number; to: number };
  /** Names a segment as it begins on `thread` at cycle `since`: what the level is doing then. */
  labelOf?: (kind: ActivityKind, thread: number, since: number) => string;
}

const levelKind = (level: number): ActivityKind => `L${Math.min(level, 2)}` as ActivityKind;

export class ActivityRecorder {
  readonly segments: ActivitySegment[] = [];
  readonly events: TransitionEvent[] = [];
  private readonly open = new Map<number, Open>();
  /** The instruction executing now: its thread and the cycle it began. */
  private current: { thread: number; start: number } | null = null;

  constructor(
    private readonly threads: readonly Cpu[],
    private readonly options: ActivityOptions = {},
  ) {}

  /** Records every transition and instruction of `machine`'s next run. */
  static attach(machine: Machine): ActivityRecorder {
    const recorder = new ActivityRecorder(machine.threads);
    machine.exits.listener = recorder.transition;
    return recorder;
  }

  /** The hook to give to machine.run's onInstruction: `cpu` is about to execute one instruction. */
  readonly instruction = (cpu: Cpu): void => {
    this.settle();
    const kind = levelKind(cpu.currentLevel);
    const open = this.open.get(cpu.id);
    if (open?.kind !== kind) {
      if (open) this.close(cpu.id, cpu.cycles);
      this.begin(cpu.id, kind, cpu.cycles);
    }
    this.current = { thread: cpu.id, start: cpu.cycles };
  };

  /** The listener to give to machine.exits. */
  readonly transition = (event: TransitionEvent): void => {
    this.events.push(event);
    if (event.kind === 'exit') {
      // The trapping level stops at the trap; what follows until the
      // hypervisor's first instruction is the hardware's exit.
      this.close(event.thread, event.cycle);
      this.begin(event.thread, 'switch', event.cycle);
    } else if (event.kind === 'entry' && this.current) {
      // The entering instruction and the entry's cost are the world switch;
      // the guest runs from the event on (its clock already charged).
      const host = this.current.thread;
      this.close(host, this.current.start);
      this.begin(host, 'switch', this.current.start);
      if (host === event.thread) this.close(host, event.cycle);
      this.begin(event.thread, levelKind(event.to), event.cycle);
    }
  };

  /** Ends the segments of threads that stopped (mwait, halt, a stall) at their clocks. */
  private settle(): void {
    for (const [thread] of this.open) {
      const cpu = this.threads[thread];
      if (cpu.state !== STATE_RUNNING) this.close(thread, cpu.cycles);
    }
  }

  private begin(thread: number, kind: ActivityKind, since: number): void {
    this.open.set(thread, { kind, since, label: this.options.labelOf?.(kind, thread, since) ?? kind });
  }

  private close(thread: number, at: number): void {
    const open = this.open.get(thread);
    if (!open) return;
    const window = this.options.window;
    const kept = !window || (at > window.from && open.since < window.to);
    if (at > open.since && kept) this.segments.push({ thread, kind: open.kind, from: open.since, to: at, label: open.label });
    this.open.delete(thread);
  }

  /** Ends every thread's open segment at its clock (the end of the run). */
  finish(): void {
    for (const [thread] of this.open) this.close(thread, this.threads[thread].cycles);
  }

  /** The segments that overlap [from, to), clipped to it, per thread in time order. */
  between(from: number, to: number): ActivitySegment[] {
    return this.segments
      .filter((s) => s.to > from && s.from < to)
      .map((s) => ({ ...s, from: Math.max(s.from, from), to: Math.min(s.to, to) }))
      .sort((a, b) => a.thread - b.thread || a.from - b.from);
  }
}
