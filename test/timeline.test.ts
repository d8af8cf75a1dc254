// --timeline: a valid Chrome trace-event file of which level ran when.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { assembleGuest, buildMachine } from '../src/machine/scenario.ts';
import { Timeline } from '../src/machine/timeline.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

interface Event {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  id?: number;
  args?: Record<string, unknown>;
}

function timelineOf(iterations: number, window?: { from: number; to: number }, max?: number) {
  const workload = assembleGuest(join(PROJECT_ROOT, 'guests/workloads/cpuid.s'));
  const machine = buildMachine({ workload, depth: 2, iterations });
  const timeline = new Timeline(window, max);
  machine.exits.listener = timeline.record;
  machine.run({ maxInstructions: 50_000_000 });
  return { file: JSON.parse(timeline.finish(machine.threads.map((t) => t.cycles))), machine };
}

describe('the timeline', () => {
  const { file, machine } = timelineOf(20);
  const events: Event[] = file.traceEvents;

  it('has the keys the format requires', () => {
    for (const e of events) {
      expect(typeof e.name).toBe('string');
      expect(['X', 'C', 's', 'f', 'i', 'M']).toContain(e.ph);
      expect(Number.isFinite(e.ts)).toBe(true);
      expect(e.pid).toBe(0);
      expect(Number.isInteger(e.tid)).toBe(true);
      if (e.ph === 'X') expect(e.dur).toBeGreaterThanOrEqual(0);
    }
  });

  it('keeps each track in time order, slices not overlapping', () => {
    const slices = events.filter((e) => e.ph === 'X');
    for (const tid of new Set(slices.map((e) => e.tid))) {
      const track = slices.filter((e) => e.tid === tid);
      for (let i = 1; i < track.length; i++) {
        expect(track[i].ts).toBeGreaterThanOrEqual(track[i - 1].ts);
        expect(track[i].ts + 1e-9).toBeGreaterThanOrEqual(track[i - 1].ts + track[i - 1].dur!);
      }
    }
  });

  it('matches every flow start with its end', () => {
    const starts = events.filter((e) => e.ph === 's').map((e) => e.id);
    const ends = events.filter((e) => e.ph === 'f').map((e) => e.id);
    expect(new Set(starts).size).toBe(starts.length);
    // Every trap but the last (which ended the run) reaches the code that resumes it.
    expect(starts.length - ends.length).toBeLessThanOrEqual(2);
    for (const id of ends) expect(starts).toContain(id);
  });

  it('shows each exit as a handler slice and counts exits per reason', () => {
    const handlers = events.filter((e) => e.ph === 'X' && e.name === 'L0 handles CPUID from L2');
    expect(handlers).toHaveLength(20);
    const last = events.filter((e) => e.ph === 'C').pop()!;
    const rows = machine.exits.list().filter((r) => r.to === 'L0');
    for (const row of rows) expect(last.args![row.reason]).toBe(rows.filter((r) => r.reason === row.reason).reduce((n, r) => n + r.count, 0));
  });

  it('is bounded by a window and a transition limit', () => {
    const windowed = timelineOf(20, { from: 2_000_000, to: 2_100_000 }).file.traceEvents as Event[];
    for (const e of windowed.filter((e) => e.ph !== 'M')) {
      expect(e.ts).toBeGreaterThanOrEqual(2_000_000 / 2000);
      expect(e.ts).toBeLessThanOrEqual(2_100_000 / 2000);
    }
    const limited = timelineOf(20, undefined, 10).file;
    expect(limited.otherData.truncated).toMatch(/first 10 transitions/);
  });
});
