// VM exits as the statistics report them: one row per (from level, to
// level, reason), with the count and the cycles from each trap until the
// trapping level ran again. Fed by the hardware at every exit and entry,
// never computed.

import { COUNTER_ZERO } from '../../timing/counter.ts';
import { EXIT_REASON_NAMES } from './exit-reasons.ts';

export interface ExitRow {
  from: string;
  to: string;
  reason: string;
  code: number;
  count: number;
  /** From each trap until the trapping level ran again, summed. */
  cycles: number;
  /** Of those, the time a blocked vCPU waited for an event (a halted guest
   * waiting for its interrupt), as the hypervisor that blocked it declares
   * it (PORT_TRACE_BLOCK; KVM's halt_wait_ns): apart from the handling. */
  idleCycles: number;
  /** The handling time of one exit (its cycles without the idle wait), over
   * the exits that completed (an exit still open when the run ended has no
   * duration): least, greatest, mean and standard deviation. */
  min: number;
  max: number;
  mean: number;
  stddev: number;
  /** A log2 histogram of that handling time: [low, count] pairs, the exits
   * that took low..2*low-1 cycles (low 0: none), nonempty buckets only. */
  histogram: [number, number][];
}

/** The running tallies of one row. */
class RowTally {
  count = 0;
  cycles = COUNTER_ZERO;
  idleCycles = COUNTER_ZERO;
  completed = 0;
  min = Infinity;
  max = COUNTER_ZERO;
  // Welford's running mean and sum of squared deviations: exact enough, and
  // the same from the same sequence of exits.
  mean = COUNTER_ZERO;
  squares = COUNTER_ZERO;
  readonly buckets = new Float64Array(64);

  constructor(
    readonly from: string,
    readonly to: string,
    readonly reason: string,
    readonly code: number,
  ) {}

  complete(duration: number, idle: number): void {
    const handling = duration - idle;
    this.cycles += duration;
    this.idleCycles += idle;
    this.completed++;
    if (handling < this.min) this.min = handling;
    if (handling > this.max) this.max = handling;
    const delta = handling - this.mean;
    this.mean += delta / this.completed;
    this.squares += delta * (handling - this.mean);
    this.buckets[handling <= 0 ? 0 : 32 - Math.clz32(handling)]++;
  }

  row(): ExitRow {
    const histogram: [number, number][] = [];
    this.buckets.forEach((n, i) => {
      if (n > 0) histogram.push([i === 0 ? 0 : 2 ** (i - 1), n]);
    });
    const done = this.completed > 0;
    return {
      from: this.from,
      to: this.to,
      reason: this.reason,
      code: this.code,
      count: this.count,
      cycles: this.cycles,
      idleCycles: this.idleCycles,
      min: done ? this.min : 0,
      max: this.max,
      mean: done ? Math.round(this.mean * 100) / 100 : 0,
      stddev: done ? Math.round(Math.sqrt(this.squares / this.completed) * 100) / 100 : 0,
      histogram,
    };
  }
}

/** What the recorder needs to know of a hardware thread. */
export interface ExitSource {
  readonly id: number;
  readonly cycles: number;
  readonly instructions: number;
  /** Where the thread executes next. */
  readonly eip: number;
  /** Level of the guest the thread runs in non-root operation, and of its hypervisor. */
  readonly guestLevel: number;
  readonly hostLevel: number;
}

export interface ExitRecorder {
  /** `eip`: the guest's eip the exit saves (the trapping instruction's, or
   * the next one's for an event between instructions); `qualification`: the
   * exit qualification it reports. */
  exited(source: ExitSource, code: number, eip: number, qualification: number): void;
  entered(source: ExitSource): void;
}

/** One transition, for a listener that wants the sequence (timelines, the
 * step-by-step account of docs/nesting.md). */
export interface TransitionEvent {
  kind: 'exit' | 'forward' | 'entry';
  thread: number;
  cycle: number;
  /** The thread's executed-instruction count at the event. */
  instructions: number;
  /** exit, forward: the trapping level and the one receiving it; entry: the host and the guest. */
  from: number;
  to: number;
  /** exit, forward: the exit reason; entry: -1. */
  code: number;
  /** exit, forward: the trapping level's eip the exit saved (guest-physical)
   * and the exit qualification the hardware reported; entry: the eip the
   * guest resumes at, and 0. */
  eip: number;
  qualification: number;
}

/** The exit a trapping level took on a thread, while that level has not
 * run again, and since when. One per thread and level, reused from exit to
 * exit: the hardware opens one at every exit. */
class OpenExit {
  /** Open: the level has not run again since the exit. */
  open = false;
  /** When it was opened, in the order exits were taken. */
  order = 0;
  /** The rows it counts for: rows[0..rowCount). */
  readonly rows: RowTally[] = [];
  rowCount = 0;
  /** The level that trapped, where, and the qualification of its exit. */
  eip = 0;
  qualification = 0;
  since = COUNTER_ZERO;
  /** Blocked vCPUs of the levels below it that this exit waits on, the idle
   * time counted so far, and since when the current wait began. */
  blocks = 0;
  idle = COUNTER_ZERO;
  idleSince = COUNTER_ZERO;

  constructor(readonly level: number) {}

  counts(row: RowTally): boolean {
    for (let i = 0; i < this.rowCount; i++) if (this.rows[i] === row) return true;
    return false;
  }

  add(row: RowTally): void {
    this.rows[this.rowCount++] = row;
  }
}

/** Keys of the maps below, numbers rather than strings since they are made
 * at every exit and entry: levels are below 256 (the tracepoint's level
 * field is a byte), the (from, to) pair below 65536. */
const openKey = (thread: number, level: number) => thread * 256 + level;
const rowKey = (from: number, to: number, code: number) => code * 65536 + from * 256 + to;

export class ExitStats implements ExitRecorder {
  private readonly rows = new Map<number, RowTally>();
  /** By thread and trapping level (openKey); open or not. */
  private readonly exitsByKey = new Map<number, OpenExit>();
  /** The same, in the order they were made. */
  private readonly exitList: OpenExit[] = [];
  /** Exits opened so far: the order of the next. */
  private opened = 0;
  /** Receives every transition when set; costs nothing when not. */
  listener: ((event: TransitionEvent) => void) | null = null;
  /** Recorders that count what this one does from the moment they are
   * added: the counters of a region of interest (src/machine/regions.ts). */
  readonly followers: ExitStats[] = [];

  /** The hardware: a guest of `source` trapped to its hypervisor. */
  exited(source: ExitSource, code: number, eip: number, qualification: number): void {
    for (const follower of this.followers) follower.exited(source, code, eip, qualification);
    const row = this.row(source.guestLevel, source.hostLevel, code);
    row.count++;
    const open = this.exitOf(source.id, source.guestLevel);
    // An exit taken while the level's last one is still open replaces it,
    // in its place in the order.
    if (!open.open) {
      open.open = true;
      open.order = this.opened++;
    }
    open.rows[0] = row;
    open.rowCount = 1;
    open.eip = eip;
    open.qualification = qualification;
    open.since = source.cycles;
    open.blocks = 0;
    open.idle = 0;
    open.idleSince = 0;
    this.listener?.({
      kind: 'exit',
      thread: source.id,
      cycle: source.cycles,
      instructions: source.instructions,
      from: source.guestLevel,
      to: source.hostLevel,
      code,
      eip,
      qualification,
    });
  }

  /** Hypervisor software (a tracepoint): the exit that level `from` took on
   * `source`'s thread is forwarded to level `to`; it counts until `from` runs again. */
  forwarded(source: ExitSource, from: number, to: number, code: number): boolean {
    // Guest software names the exit: an unknown reason would add a row per
    // value, and a second forward of one exit to one level a row to the
    // open exit per write, so both are refused (the tracepoint counts them).
    if (EXIT_REASON_NAMES[code] === undefined) return false;
    // The trap is open on the thread that took it: the forwarding thread's
    // own, or (hw and sw modes) the trapping level's thread.
    const own = this.exitsByKey.get(openKey(source.id, from));
    const open = own?.open ? own : this.openAtLevel(from);
    const row = this.row(from, to, code);
    if (open?.counts(row)) return false;
    for (const follower of this.followers) follower.forwarded(source, from, to, code);
    row.count++;
    open?.add(row);
    this.listener?.({
      kind: 'forward',
      thread: source.id,
      cycle: source.cycles,
      instructions: source.instructions,
      from,
      to,
      code,
      eip: open?.eip ?? 0,
      qualification: open?.qualification ?? 0,
    });
    return true;
  }

  /** Hypervisor software (a tracepoint): level `level` blocks the vCPU of
   * its guest until an event comes (`blocked`), or found it runnable again,
   * at cycle `now`. Every open exit of a level above it is waiting on that
   * vCPU meanwhile: that time is its idle wait, counted once however many
   * levels block at once. */
  blocked(level: number, blocked: boolean, now: number): void {
    for (const follower of this.followers) follower.blocked(level, blocked, now);
    for (const open of this.exitList) {
      if (!open.open || open.level <= level) continue;
      if (blocked) {
        if (open.blocks++ === 0) open.idleSince = now;
      } else if (open.blocks > 0 && --open.blocks === 0) {
        open.idle += Math.max(0, now - open.idleSince);
      }
    }
  }

  /** The hardware: `source` entered its guest; the guest's open exits end. */
  entered(source: ExitSource): void {
    for (const follower of this.followers) follower.entered(source);
    this.listener?.({
      kind: 'entry',
      thread: source.id,
      cycle: source.cycles,
      instructions: source.instructions,
      from: source.hostLevel,
      to: source.guestLevel,
      code: -1,
      eip: source.eip,
      qualification: 0,
    });
    const open = this.exitsByKey.get(openKey(source.id, source.guestLevel));
    if (!open?.open) return;
    // A wait its hypervisor never ended ends here.
    const idle = open.idle + (open.blocks > 0 ? Math.max(0, source.cycles - open.idleSince) : 0);
    const duration = source.cycles - open.since;
    for (let i = 0; i < open.rowCount; i++) open.rows[i].complete(duration, Math.min(idle, duration));
    open.open = false;
  }

  /** Rows in a fixed order: by from level, to level, then reason code. */
  list(): ExitRow[] {
    return [...this.rows.values()]
      .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.code - b.code)
      .map((tally) => tally.row());
  }

  /** The open exit of `level` on any thread opened first. */
  private openAtLevel(level: number): OpenExit | undefined {
    let first: OpenExit | undefined;
    for (const exit of this.exitList) if (exit.open && exit.level === level && (!first || exit.order < first.order)) first = exit;
    return first;
  }

  /** The exit record of `level` on `thread`, open or not. */
  private exitOf(thread: number, level: number): OpenExit {
    const key = openKey(thread, level);
    let exit = this.exitsByKey.get(key);
    if (!exit) {
      exit = new OpenExit(level);
      this.exitsByKey.set(key, exit);
      this.exitList.push(exit);
    }
    return exit;
  }

  private row(fromLevel: number, toLevel: number, code: number): RowTally {
    const key = rowKey(fromLevel, toLevel, code);
    let row = this.rows.get(key);
    if (!row) {
      row = new RowTally(`L${fromLevel}`, `L${toLevel}`, EXIT_REASON_NAMES[code] ?? `REASON_${code}`, code);
      this.rows.set(key, row);
    }
    return row;
  }
}
