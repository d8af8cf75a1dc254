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
  /** Level of the guest the thread runs in non-root operation, and of its hypervisor. */
  readonly guestLevel: number;
  readonly hostLevel: number;
}

export interface ExitRecorder {
  exited(source: ExitSource, code: number): void;
  entered(source: ExitSource): void;
}

interface OpenExit {
  row: ExitRow;
  since: number;
}

export class ExitStats implements ExitRecorder {
  private readonly rows = new Map<string, ExitRow>();
  private readonly open = new Map<number, OpenExit>();

  exited(source: ExitSource, code: number): void {
    const row = this.row(`L${source.guestLevel}`, `L${source.hostLevel}`, code);
    row.count++;
    this.open.set(source.id, { row, since: source.cycles });
  }

  entered(source: ExitSource): void {
    const open = this.open.get(source.id);
    if (!open) return;
    open.row.cycles += source.cycles - open.since;
    this.open.delete(source.id);
  }

  /** Rows in a fixed order: by from level, to level, then reason code. */
  list(): ExitRow[] {
    return [...this.rows.values()].sort(
      (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.code - b.code,
    );
  }

  private row(from: string, to: string, code: number): ExitRow {
    const key = `${from}>${to}:${code}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { from, to, reason: EXIT_REASON_NAMES[code] ?? `REASON_${code}`, code, count: 0, cycles: 0 };
      this.rows.set(key, row);
    }
    return row;
  }
}
