// VM exits as the statistics report them: one row per (from level, to
// level, reason), with the count and the cycles from each trap until the
// trapping level ran again. Fed by the hardware at every exit and entry,
// never computed.

import { EXIT_REASON_NAMES } from './exit-reasons.ts';

export interface ExitRow {
  from: string;
  to: string;
  reason: string;
  code: number;
  count: number;
  cycles: number;
}

/** What the recorder needs to know of a hardware thread. */
export interface ExitSource {
  readonly id: number;
  readonly cycles: number;
  readonly instructions: number;
  /** Level of the guest the thread runs in non-root operation, and of its hypervisor. */
  readonly guestLevel: number;
  readonly hostLevel: number;
}

export interface ExitRecorder {
  exited(source: ExitSource, code: number): void;
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
}

/** Exits whose trapping level has not run again yet, and since when. */
interface OpenExit {
  rows: ExitRow[];
  since: number;
}

export class ExitStats implements ExitRecorder {
  private readonly rows = new Map<string, ExitRow>();
  /** By thread and trapping level. */
  private readonly open = new Map<string, OpenExit>();
  /** Receives every transition when set; costs nothing when not. */
  listener: ((event: TransitionEvent) => void) | null = null;

  /** The hardware: a guest of `source` trapped to its hypervisor. */
  exited(source: ExitSource, code: number): void {
    const row = this.row(source.guestLevel, source.hostLevel, code);
    row.count++;
    this.open.set(`${source.id}:${source.guestLevel}`, { rows: [row], since: source.cycles });
    this.listener?.({
      kind: 'exit',
      thread: source.id,
      cycle: source.cycles,
      instructions: source.instructions,
      from: source.guestLevel,
      to: source.hostLevel,
      code,
    });
  }

  /** Hypervisor software (a tracepoint): the exit that level `from` took on
   * `source`'s thread is forwarded to level `to`; it counts until `from` runs again. */
  forwarded(source: ExitSource, from: number, to: number, code: number): void {
    const row = this.row(from, to, code);
    row.count++;
    // The trap is open on the thread that took it: the forwarding thread's
    // own, or (hw and sw modes) the trapping level's thread.
    const open = this.open.get(`${source.id}:${from}`) ?? [...this.open.entries()].find(([key]) => key.endsWith(`:${from}`))?.[1];
    open?.rows.push(row);
    this.listener?.({ kind: 'forward', thread: source.id, cycle: source.cycles, instructions: source.instructions, from, to, code });
  }

  /** The hardware: `source` entered its guest; the guest's open exits end. */
  entered(source: ExitSource): void {
    this.listener?.({
      kind: 'entry',
      thread: source.id,
      cycle: source.cycles,
      instructions: source.instructions,
      from: source.hostLevel,
      to: source.guestLevel,
      code: -1,
    });
    const key = `${source.id}:${source.guestLevel}`;
    const open = this.open.get(key);
    if (!open) return;
    for (const row of open.rows) row.cycles += source.cycles - open.since;
    this.open.delete(key);
  }

  /** Rows in a fixed order: by from level, to level, then reason code. */
  list(): ExitRow[] {
    return [...this.rows.values()].sort(
      (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.code - b.code,
    );
  }

  private row(fromLevel: number, toLevel: number, code: number): ExitRow {
    const from = `L${fromLevel}`;
    const to = `L${toLevel}`;
    const key = `${from}>${to}:${code}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { from, to, reason: EXIT_REASON_NAMES[code] ?? `REASON_${code}`, code, count: 0, cycles: 0 };
      this.rows.set(key, row);
    }
    return row;
  }
}
