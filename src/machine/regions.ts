// The counters of a workload's regions of interest. A workload marks its
// measured phase with PORT_ROI (docs/machine.md): ROI_BEGIN starts a region,
// as gem5's `m5 resetstats` does, and ROI_END closes it and dumps its
// counters, as `m5 dumpstats` does, one dump per region (`--stats`). The
// region of interest of `--roi` runs from the first ROI_BEGIN to the last
// ROI_END, as Machine.roi does.
//
// A region's counters are those of the whole run at its end less those at
// its beginning; its exits are counted by an exit recorder of its own from
// its beginning on (so that their handling-time spread is the region's).
// The machine takes each mark once the slice of the marking `out` has ended
// (the `out` ends it): the marking thread's counters are exact there, the
// other threads' are where their clocks stand, within the scheduler's
// quantum.

import { STATE_RUNNING } from '../cpu/thread-state.ts';
import { ExitStats } from '../cpu/vmx/exit-stats.ts';
import { collectStats, statsBetween, type CounterSource, type MachineStats } from './stats.ts';

/** Dumps kept; a guest that closes more regions has the rest counted, not kept. */
export const MAX_REGION_DUMPS = 256;

export interface RegionDump {
  /** The cycles of the marks that opened and closed the region. */
  begin: number;
  end: number;
  stats: MachineStats;
  /** Host seconds the region took, when a host clock was given (only the
   * gem5 text shows host time). */
  hostSeconds: number | null;
}

interface OpenRegion {
  at: number;
  hostAt: number | null;
  stats: MachineStats;
  exits: ExitStats;
}

export class Regions {
  readonly dumps: RegionDump[] = [];
  /** Regions closed beyond MAX_REGION_DUMPS. */
  dropped = 0;
  /** Host seconds since the run began; set by a caller that reports host time. */
  hostClock: (() => number) | null = null;
  /** The region open now, and the one since the first ROI_BEGIN. */
  private open: OpenRegion | null = null;
  private first: OpenRegion | null = null;
  /** The counters from the first ROI_BEGIN to the last ROI_END. */
  private measured: MachineStats | null = null;

  constructor(private readonly machine: CounterSource) {}

  /** The counters of the region of interest, or null if none was closed. */
  get roi(): MachineStats | null {
    return this.measured;
  }

  /** A PORT_ROI mark at cycle `at`. */
  mark(kind: 'begin' | 'end', at: number): void {
    if (kind === 'begin') {
      // A second begin restarts the open region, as resetstats would.
      if (this.open) this.unfollow(this.open.exits);
      this.open = this.opening(at);
      this.first ??= this.opening(at);
      return;
    }
    if (!this.first) return;
    const now = this.collect(at);
    this.measured = statsBetween(now, this.first.stats, this.first.exits.list(), at - this.first.at);
    if (!this.open) return;
    const region = this.open;
    this.open = null;
    this.unfollow(region.exits);
    if (this.dumps.length >= MAX_REGION_DUMPS) {
      this.dropped++;
      return;
    }
    this.dumps.push({
      begin: region.at,
      end: at,
      stats: statsBetween(now, region.stats, region.exits.list(), at - region.at),
      hostSeconds: this.hostClock && region.hostAt !== null ? this.hostClock() - region.hostAt : null,
    });
  }

  private opening(at: number): OpenRegion {
    const exits = new ExitStats();
    this.machine.exits.followers.push(exits);
    return { at, hostAt: this.hostClock?.() ?? null, stats: this.collect(at), exits };
  }

  /** The run's counters at cycle `at`. A thread that does not run (halted,
   * in mwait, stalled, not started) has a clock that stopped where it went
   * to sleep, and jumps when it wakes; the run charges that wait to the
   * level it wakes in. At a mark its clock counts as `at`, the wait so far
   * charged alike, so that a region's counters hold only its own time. */
  private collect(at: number): MachineStats {
    const stats = collectStats(this.machine);
    for (const cpu of this.machine.threads) {
      const behind = at - cpu.cycles;
      if (cpu.state === STATE_RUNNING || behind <= 0) continue;
      const thread = stats.threads[cpu.id];
      const level = `L${cpu.currentLevel}`;
      thread.cycles += behind;
      thread.perLevel[level] ??= { instructions: 0, cycles: 0 };
      thread.perLevel[level].cycles += behind;
      if (stats.levels[level]) stats.levels[level].cycles += behind;
    }
    return stats;
  }

  private unfollow(exits: ExitStats): void {
    const followers = this.machine.exits.followers;
    followers.splice(followers.indexOf(exits), 1);
  }
}
