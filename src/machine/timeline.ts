// --timeline FILE: a Chrome trace-event file (opens in Perfetto and
// chrome://tracing) of what each hardware thread did when: one track per
// thread, a slice for each stretch a level ran there, named by what it was
// doing ("L0 handles CPUID from L2" while a hypervisor handles an exit, the
// level's name while it runs its own code, "VM transition" for a VM entry or
// exit), and nothing where the thread did nothing (parked in mwait, stalled
// by a thread switch, halted); flow arrows from each trap to the handler that
// receives it, through L0's forwarding to L1's handler, and back to the
// trapping level when it resumes; and a counter track of exits per reason.
//
// Which level runs where comes from watching every instruction start
// (activity.ts), as the sw and hw modes run a trap's handler on another
// thread than the trap; the exits, forwards and entries come from the
// hardware's transition events. Both are hooked only when a timeline is
// asked for, so it costs nothing when it is off.
//
// Time: the trace's microseconds are the model's cycles at 2 GHz (the clock
// the cost model assumes), so 1 us on the timeline is 2,000 cycles.

import type { Cpu } from '../cpu/cpu.ts';
import { EXIT_REASON_NAMES } from '../cpu/vmx/exit-reasons.ts';
import type { TransitionEvent } from '../cpu/vmx/exit-stats.ts';
import { ActivityRecorder, type ActivityKind } from './activity.ts';
import type { Machine } from './machine.ts';

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

/** An arrow in flight: its id, and the name and category its events share. */
interface Flow {
  id: number;
  name: string;
  cat: string;
  /** When it starts (trace time). */
  start: number;
}

/** What a hypervisor level is doing: handling an exit (or a forwarded one). */
interface Handling {
  reason: string;
  from: number;
}

const ts = (cycle: number): number => cycle / CYCLES_PER_MICROSECOND;
const levelOf = (kind: ActivityKind): number => Number(kind.slice(1));

export class Timeline {
  private readonly events: TraceEvent[] = [];
  private readonly counts: Record<string, number> = {};
  private transitions = 0;
  /** The cycle the transition limit was reached at, if it was. */
  private truncatedAt: number | null = null;
  private nextFlow = 1;
  /** Arrows still open: of each level's trap until it resumes (trap:L), and
   * of each exit until the level that receives it runs (handler:L). */
  private readonly inFlight = new Map<string, Flow>();
  /** Per hypervisor level, the exit it is handling, from the exit (or the
   * forward) that gave it until it enters a guest again. */
  private readonly handling = new Map<number, Handling>();
  private activity: ActivityRecorder | null = null;
  private threads = 0;
  /** What the activity recorder keeps: the window, cut short at the transition limit. */
  private readonly kept: { from: number; to: number };

  constructor(
    /** Only what happens in [from, to) cycles is kept. */
    private readonly window: { from: number; to: number } = { from: 0, to: Infinity },
    private readonly maxTransitions = DEFAULT_MAX_TRANSITIONS,
  ) {
    this.kept = { ...window };
  }

  /** Records `machine`'s next run: returns the hook to give machine.run as onInstruction. */
  attach(machine: Machine): (cpu: Cpu) => void {
    const activity = new ActivityRecorder(machine.threads, { window: this.kept, labelOf: this.labelOf });
    this.activity = activity;
    this.threads = machine.threads.length;
    machine.exits.listener = (event) => {
      activity.transition(event);
      this.record(event);
    };
    return activity.instruction;
  }

  /** A stretch of `kind` beginning on `thread` now: named by what the level
   * is doing, and where an exit's arrow reaches the level receiving it. */
  private readonly labelOf = (kind: ActivityKind, thread: number, since: number): string => {
    if (kind === 'switch') return 'VM transition';
    const level = levelOf(kind);
    const handling = this.handling.get(level);
    if (!handling) return kind;
    this.endFlow(`handler:${level}`, thread, since);
    return `${kind} handles ${handling.reason} from L${handling.from}`;
  };

  private inWindow(cycle: number): boolean {
    return cycle >= this.window.from && cycle < this.window.to && this.truncatedAt === null;
  }

  /** Follows one transition: what each level handles, the arrows, the counts. */
  private record(e: TransitionEvent): void {
    const reason = EXIT_REASON_NAMES[e.code] ?? `REASON_${e.code}`;
    if (e.kind === 'entry') {
      // Whoever entered, every level below the one that now runs is done
      // with its exit (L0 enters L2 for L1's vmresume).
      for (const level of this.handling.keys()) if (level < e.to) this.handling.delete(level);
    } else {
      this.handling.set(e.to, { reason, from: e.from });
    }
    if (!this.inWindow(e.cycle)) return;
    if (this.transitions >= this.maxTransitions) {
      this.truncatedAt = e.cycle;
      this.kept.to = e.cycle; // a long run's later stretches are not even kept
      return;
    }
    this.transitions++;
    if (e.kind === 'exit') {
      this.startFlow(`trap:${e.from}`, reason, e);
      this.startFlow(`handler:${e.to}`, reason, e);
      this.counts[reason] = (this.counts[reason] ?? 0) + 1;
      this.events.push({ name: 'exits', cat: 'exits', ph: 'C', ts: ts(e.cycle), pid: 0, tid: 0, args: { ...this.counts } });
    } else if (e.kind === 'forward') {
      this.events.push({ name: `forward ${reason} L${e.from} -> L${e.to}`, cat: 'forward', ph: 'i', s: 't', ts: ts(e.cycle), pid: 0, tid: e.thread });
      // The trap passes through the forwarding hypervisor on its way back
      // to the trapping level; a second arrow carries it on to L1's handler.
      const trap = this.inFlight.get(`trap:${e.from}`);
      if (trap) this.events.push({ name: trap.name, cat: trap.cat, ph: 't', id: trap.id, ts: ts(e.cycle), pid: 0, tid: e.thread });
      this.startFlow(`handler:${e.to}`, `forwarded ${reason}`, e);
    } else {
      // Flows are keyed by level, not thread: in the sw and hw modes a trap
      // is handled, forwarded and resumed on different hardware threads.
      this.endFlow(`trap:${e.to}`, e.thread, e.cycle);
    }
  }

  private startFlow(key: string, name: string, e: TransitionEvent): void {
    // An arrow of the same level still open (its handler never began a new
    // stretch) ends where the next one starts.
    const open = this.inFlight.get(key);
    if (open) {
      this.inFlight.delete(key);
      this.events.push({ name: open.name, cat: open.cat, ph: 'f', bp: 'e', id: open.id, ts: ts(e.cycle), pid: 0, tid: e.thread });
    }
    const flow: Flow = { id: this.nextFlow++, name, cat: key.startsWith('trap') ? 'trap' : 'handler', start: ts(e.cycle) };
    this.inFlight.set(key, flow);
    this.events.push({ name, cat: flow.cat, ph: 's', id: flow.id, ts: ts(e.cycle), pid: 0, tid: e.thread });
  }

  /** Ends the arrow `key`, if one is open, at the slice beginning on
   * `thread` at `cycle`; one whose end falls outside the window stays open
   * for finish() to close. */
  private endFlow(key: string, thread: number, cycle: number): void {
    const flow = this.inFlight.get(key);
    if (!flow || !this.inWindow(cycle)) return;
    this.inFlight.delete(key);
    this.events.push({ name: flow.name, cat: flow.cat, ph: 'f', bp: 'e', id: flow.id, ts: ts(cycle), pid: 0, tid: thread });
  }

  /** The trace-event file, each thread's last stretch ended at its clock. */
  finish(): string {
    const activity = this.activity;
    if (!activity) throw new Error('Timeline.finish: attach it to a machine first');
    activity.finish();
    const slices: TraceEvent[] = activity.between(this.kept.from, this.kept.to).map((segment) => {
      const handles = / handles (\w+) from (L\d)$/.exec(segment.label);
      return {
        name: segment.label,
        cat: segment.kind === 'switch' ? 'switch' : handles ? 'exit' : 'run',
        ph: 'X',
        ts: ts(segment.from),
        dur: ts(segment.to - segment.from),
        pid: 0,
        tid: segment.thread,
        args: handles ? { reason: handles[1], from: handles[2], to: segment.kind } : { level: segment.kind },
      };
    });
    // Every arrow ends: one the run (or the window) left open ends in the
    // slice that ends last, a cycle before its end, so that Perfetto binds it
    // to that slice (bp 'e': the enclosing slice); one that started after
    // every slice had ended is dropped.
    const unfinished = new Set<number>();
    const last = slices.reduce<TraceEvent | null>((a, b) => (!a || b.ts + b.dur! > a.ts + a.dur! ? b : a), null);
    for (const flow of this.inFlight.values()) {
      const at = last ? Math.max(last.ts, last.ts + last.dur! - ts(1)) : -1;
      if (!last || at < flow.start) {
        unfinished.add(flow.id);
        continue;
      }
      this.events.push({ name: flow.name, cat: flow.cat, ph: 'f', bp: 'e', id: flow.id, ts: at, pid: 0, tid: last.tid });
    }
    this.inFlight.clear();
    const events = unfinished.size ? this.events.filter((e) => e.id === undefined || !unfinished.has(e.id)) : this.events;
    const threads = this.threads;
    const metadata: TraceEvent[] = [
      { name: 'process_name', ph: 'M', ts: 0, pid: 0, tid: 0, cat: '', args: { name: 'smtnest core' } },
      ...Array.from({ length: threads }, (_, thread): TraceEvent => ({
        name: 'thread_name',
        ph: 'M',
        ts: 0,
        pid: 0,
        tid: thread,
        cat: '',
        args: { name: `hardware thread ${thread}` },
      })),
    ];
    // Perfetto wants each track's events in time order; a slice before the
    // arrows that start or end at its edges.
    const order = (e: TraceEvent) => (e.ph === 'X' ? 0 : 1);
    const sorted = [...slices, ...events].sort((a, b) => a.ts - b.ts || a.tid - b.tid || order(a) - order(b));
    return JSON.stringify({
      traceEvents: [...metadata, ...sorted],
      displayTimeUnit: 'ns',
      otherData: {
        clock: `1 us = ${CYCLES_PER_MICROSECOND} cycles`,
        window: { from: this.window.from, to: Number.isFinite(this.window.to) ? this.window.to : null },
        truncated: this.truncatedAt === null ? false : `only the first ${this.maxTransitions} transitions are shown`,
      },
    });
  }
}
