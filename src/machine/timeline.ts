// --timeline FILE: a Chrome trace-event file (opens in Perfetto and
// chrome://tracing) of which level each hardware thread ran when: one track
// per thread, a slice for each stretch a level ran and for each exit a
// hypervisor handled (named by reason, from and to level), flow arrows from
// each trap through L0's forwarding back to the trapping level, and from
// the forwarding to the handler that receives the exit, and a counter track
// of exits per reason. Built from the hardware's transition events, so it
// costs nothing when it is off.
//
// An exit's slice is on the thread that trapped and lasts until that thread
// runs its level again: in baseline the handlers run in it, on that same
// thread; in sw and hw they run on other threads (the arrows lead there),
// and the slice is the trapping thread's wait.
//
// Time: the trace's microseconds are the model's cycles at 2 GHz (the clock
// the cost model assumes), so 1 us on the timeline is 2,000 cycles.

import { EXIT_REASON_NAMES } from '../vmx/exit-reasons.ts';
import type { TransitionEvent } from '../vmx/exit-stats.ts';

export const CYCLES_PER_MICROSECOND = 2000;
/** A run longer than this many transitions keeps only its first ones; the file says so. */
export const DEFAULT_MAX_TRANSITIONS = 100_000;

interface TraceEvent {
  name: string;
  cat: string;
  ph: 'X' | 'C' | 's' | 't' | 'f' | 'i' | 'M';
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  id?: number;
  bp?: 'e';
  s?: 't';
  args?: Record<string, unknown>;
}

interface OpenSlice {
  name: string;
  cat: string;
  since: number;
  args: Record<string, unknown>;
}

const ts = (cycle: number): number => cycle / CYCLES_PER_MICROSECOND;

export class Timeline {
  private readonly events: TraceEvent[] = [];
  private readonly open = new Map<number, OpenSlice>();
  private readonly counts: Record<string, number> = {};
  private transitions = 0;
  private truncated = false;
  private nextFlow = 1;
  /** Flow ids still open: of each level's trap until it resumes (trap:L), and
   * of each forwarded exit until its handler runs (handler:L). */
  private readonly inFlight = new Map<string, number>();

  constructor(
    /** Only transitions in [from, to) cycles are kept. */
    private readonly window: { from: number; to: number } = { from: 0, to: Infinity },
    private readonly maxTransitions = DEFAULT_MAX_TRANSITIONS,
  ) {}

  /** The listener to give to machine.exits. */
  readonly record = (e: TransitionEvent): void => {
    if (e.cycle < this.window.from || e.cycle >= this.window.to) return;
    if (this.transitions >= this.maxTransitions) {
      this.truncated = true;
      return;
    }
    this.transitions++;
    const reason = EXIT_REASON_NAMES[e.code] ?? `REASON_${e.code}`;
    if (e.kind === 'exit') {
      this.close(e.thread, e.cycle, `L${e.from}`);
      this.begin(e.thread, e.cycle, `L${e.to} handles ${reason} from L${e.from}`, 'exit', {
        reason,
        from: `L${e.from}`,
        to: `L${e.to}`,
      });
      const id = this.nextFlow++;
      this.inFlight.set(`trap:${e.from}`, id);
      this.events.push({ name: reason, cat: 'trap', ph: 's', id, ts: ts(e.cycle), pid: 0, tid: e.thread });
      this.counts[reason] = (this.counts[reason] ?? 0) + 1;
      this.events.push({ name: 'exits', cat: 'exits', ph: 'C', ts: ts(e.cycle), pid: 0, tid: 0, args: { ...this.counts } });
    } else if (e.kind === 'forward') {
      this.events.push({
        name: `forward ${reason} L${e.from} -> L${e.to}`,
        cat: 'forward',
        ph: 'i',
        s: 't',
        ts: ts(e.cycle),
        pid: 0,
        tid: e.thread,
      });
      // The trap passes through the forwarding hypervisor on its way back to
      // the trapping level, and a second arrow carries the exit on to the
      // level it is forwarded to.
      const trap = this.inFlight.get(`trap:${e.from}`);
      if (trap !== undefined) this.events.push({ name: reason, cat: 'trap', ph: 't', id: trap, ts: ts(e.cycle), pid: 0, tid: e.thread });
      const id = this.nextFlow++;
      this.events.push({ name: `forwarded ${reason}`, cat: 'forward', ph: 's', id, ts: ts(e.cycle), pid: 0, tid: e.thread });
      this.inFlight.set(`handler:${e.to}`, id);
    } else {
      this.close(e.thread, e.cycle, `L${e.from}`);
      this.begin(e.thread, e.cycle, `L${e.to}`, 'run', { level: `L${e.to}` });
      // Flows are keyed by level, not thread: in the sw and hw modes a trap
      // is handled, forwarded and resumed on different hardware threads.
      for (const [key, name, cat] of [
        [`handler:${e.to}`, 'forwarded exit', 'forward'],
        [`trap:${e.to}`, 'resume', 'trap'],
      ] as const) {
        const id = this.inFlight.get(key);
        if (id === undefined) continue;
        this.events.push({ name, cat, ph: 'f', bp: 'e', id, ts: ts(e.cycle), pid: 0, tid: e.thread });
        this.inFlight.delete(key);
      }
    }
  };

  private begin(thread: number, cycle: number, name: string, cat: string, args: Record<string, unknown>): void {
    this.open.set(thread, { name, cat, since: cycle, args });
  }

  /** Ends the thread's open slice at `cycle` (named `level` if none was open: the run began there). */
  private close(thread: number, cycle: number, level?: string): void {
    const slice = this.open.get(thread) ?? (level ? { name: level, cat: 'run', since: this.window.from, args: { level } } : undefined);
    if (!slice) return;
    this.events.push({
      name: slice.name,
      cat: slice.cat,
      ph: 'X',
      ts: ts(slice.since),
      dur: ts(cycle - slice.since),
      pid: 0,
      tid: thread,
      args: slice.args,
    });
    this.open.delete(thread);
  }

  /** The trace-event file, with each thread's open slice ended at its clock. */
  finish(threadClocks: readonly number[]): string {
    threadClocks.forEach((clock, thread) => this.close(thread, Math.min(clock, this.window.to)));
    const metadata: TraceEvent[] = [
      { name: 'process_name', ph: 'M', ts: 0, pid: 0, tid: 0, cat: '', args: { name: 'smtnest core' } },
      ...threadClocks.map(
        (_, thread): TraceEvent => ({ name: 'thread_name', ph: 'M', ts: 0, pid: 0, tid: thread, cat: '', args: { name: `hardware thread ${thread}` } }),
      ),
    ];
    // Perfetto wants each track's events in time order; slices were closed out of order.
    const sorted = [...this.events].sort((a, b) => a.ts - b.ts || a.tid - b.tid);
    return JSON.stringify({
      traceEvents: [...metadata, ...sorted],
      displayTimeUnit: 'ns',
      otherData: {
        clock: `1 us = ${CYCLES_PER_MICROSECOND} cycles`,
        window: { from: this.window.from, to: Number.isFinite(this.window.to) ? this.window.to : null },
        truncated: this.truncated ? `only the first ${this.maxTransitions} transitions are shown` : false,
      },
    });
  }
}
