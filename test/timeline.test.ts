// --timeline: a valid Chrome trace-event file of which level ran when, in
// every mode: the keys each event type requires, complete slices in time
// order per track, flows that start once and end once (across threads in
// sw and hw), exits per reason as the statistics count them, bounded size.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Mode } from '../src/machine/bootinfo.ts';
import { assembleGuest, buildMachine, IMPLEMENTED_MODES } from '../src/machine/scenario.ts';
import { Timeline } from '../src/machine/timeline.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

interface Event {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  id?: number;
  bp?: string;
  s?: string;
  args?: Record<string, unknown>;
}

function timelineOf(iterations: number, mode: Mode = 'baseline', window?: { from: number; to: number }, max?: number) {
  const workload = assembleGuest(join(PROJECT_ROOT, 'guests/workloads/cpuid.s'));
  const machine = buildMachine({ workload, depth: 2, mode, iterations });
  const timeline = new Timeline(window, max);
  const onInstruction = timeline.attach(machine);
  machine.run({ maxInstructions: 50_000_000, onInstruction });
  return { file: JSON.parse(timeline.finish()), machine };
}

/** The keys the trace-event format requires of each event type, beyond name, ph, ts, pid, tid. */
function checkEvent(e: Event): void {
  expect(typeof e.name).toBe('string');
  expect(Number.isFinite(e.ts) && e.ts >= 0).toBe(true);
  expect(e.pid).toBe(0);
  expect(Number.isInteger(e.tid)).toBe(true);
  switch (e.ph) {
    case 'X':
      expect(e.dur).toBeGreaterThanOrEqual(0);
      expect(e.args).toBeTypeOf('object');
      break;
    case 's':
    case 't':
    case 'f':
      expect(Number.isInteger(e.id)).toBe(true);
      if (e.ph === 'f') expect(e.bp).toBe('e');
      break;
    case 'C':
      for (const value of Object.values(e.args!)) expect(Number.isInteger(value)).toBe(true);
      break;
    case 'i':
      expect(['g', 'p', 't']).toContain(e.s);
      break;
    case 'M':
      expect(['process_name', 'thread_name']).toContain(e.name);
      expect(typeof e.args!.name).toBe('string');
      break;
    default:
      throw new Error(`unexpected event type ${e.ph}`);
  }
}

/** Every flow has one start and one end after it; the end (bp 'e') lies
 * in a slice of its track, as Perfetto binds it. */
function expectClosedFlows(events: Event[]): void {
  const byId = new Map<number, Event[]>();
  for (const e of events.filter((x) => ['s', 't', 'f'].includes(x.ph))) byId.set(e.id!, [...(byId.get(e.id!) ?? []), e]);
  for (const flow of byId.values()) {
    expect(flow.filter((e) => e.ph === 's')).toHaveLength(1);
    expect(flow[0].ph).toBe('s');
    const ends = flow.filter((e) => e.ph === 'f');
    expect(ends).toHaveLength(1);
    expect(ends[0].ts).toBeGreaterThanOrEqual(flow[0].ts);
    const inSlice = events.some((x) => x.ph === 'X' && x.tid === ends[0].tid && x.ts <= ends[0].ts + 1e-9 && ends[0].ts <= x.ts + x.dur! + 1e-9);
    expect(inSlice, `flow ${ends[0].id} ends outside any slice of thread ${ends[0].tid}`).toBe(true);
  }
}

describe.each(IMPLEMENTED_MODES)('the timeline in %s mode', (mode) => {
  const { file, machine } = timelineOf(20, mode);
  const events: Event[] = file.traceEvents;

  it('has the keys each event type requires', () => {
    for (const e of events) checkEvent(e);
  });

  it('names one track per hardware thread', () => {
    const names = events.filter((e) => e.name === 'thread_name');
    expect(names.map((e) => e.tid)).toEqual(machine.threads.map((t) => t.id));
  });

  it('keeps each track in time order, slices complete and not overlapping', () => {
    for (const tid of new Set(events.map((e) => e.tid))) {
      const track = events.filter((e) => e.tid === tid && e.ph !== 'M');
      for (let i = 1; i < track.length; i++) expect(track[i].ts).toBeGreaterThanOrEqual(track[i - 1].ts);
      const slices = track.filter((e) => e.ph === 'X');
      for (let i = 1; i < slices.length; i++) {
        expect(slices[i].ts + 1e-9).toBeGreaterThanOrEqual(slices[i - 1].ts + slices[i - 1].dur!);
      }
    }
  });

  it('starts each flow once and ends it once, after its start, inside a slice of its track', () => {
    expect(events.some((e) => e.ph === 's')).toBe(true);
    expectClosedFlows(events);
  });

  it('leads a forwarded L2 exit to L1\'s handler, on the thread where L1 runs', () => {
    const forwarded = events.filter((e) => e.ph === 's' && e.name === 'forwarded CPUID');
    expect(forwarded).toHaveLength(20);
    const l1Thread = mode === 'baseline' ? 0 : 1;
    for (const start of forwarded) {
      const end = events.find((e) => e.ph === 'f' && e.id === start.id)!;
      expect(end.tid).toBe(l1Thread);
      const l2Trap = events.filter((e) => e.ph === 's' && e.name === 'CPUID' && e.ts <= start.ts).pop()!;
      expect(l2Trap.tid).toBe(mode === 'baseline' ? 0 : 2);
    }
  });

  it('shows each exit as a slice named by reason, from and to, and counts exits per reason', () => {
    const handlers = events.filter((e) => e.ph === 'X' && e.name === 'L0 handles CPUID from L2');
    for (const h of handlers) expect(h.args).toEqual({ reason: 'CPUID', from: 'L2', to: 'L0' });
    // Where L0 takes L2's exits: the one thread in baseline, L2's own thread
    // in sw (in two stretches: up to the channel's record, and from L1's
    // answer to the entry; its thread is parked in between), and L0's own
    // thread in hw, which nothing else runs.
    const takes = { baseline: 0, sw: 2, hw: 0 }[mode];
    expect(handlers.filter((h) => h.tid === takes)).toHaveLength(mode === 'sw' ? 40 : 20);
    expect(handlers.filter((h) => h.tid !== takes)).toHaveLength(0);
    if (mode === 'hw') expect(events.filter((e) => e.ph === 'X' && e.tid !== 0 && String(e.name).startsWith('L0'))).toEqual([]);
    // L1 handles each forwarded CPUID on its thread, in stretches between its own traps.
    const l1 = events.filter((e) => e.ph === 'X' && e.name === 'L1 handles CPUID from L2');
    expect(l1.length).toBeGreaterThanOrEqual(20);
    for (const slice of l1) expect(slice.tid).toBe(mode === 'baseline' ? 0 : 1);
    const last = events.filter((e) => e.ph === 'C').pop()!;
    const rows = machine.exits.list().filter((r) => r.to === 'L0');
    for (const row of rows) expect(last.args![row.reason]).toBe(rows.filter((r) => r.reason === row.reason).reduce((n, r) => n + r.count, 0));
  });
});

describe('the timeline\'s size', () => {
  it('is bounded by a window and a transition limit', () => {
    const windowed = timelineOf(20, 'baseline', { from: 2_000_000, to: 2_100_000 }).file.traceEvents as Event[];
    for (const e of windowed.filter((e) => e.ph !== 'M')) {
      expect(e.ts).toBeGreaterThanOrEqual(2_000_000 / 2000);
      expect(e.ts).toBeLessThanOrEqual(2_100_000 / 2000);
    }
    // The arrows the window cuts end inside it.
    expectClosedFlows(windowed);
    const limited = timelineOf(20, 'baseline', undefined, 10).file;
    expectClosedFlows(limited.traceEvents);
    expect(limited.otherData.truncated).toMatch(/first 10 transitions/);
    // A transition begins at most a stretch on two threads (an exit's world
    // switch, the handler), plus one open stretch per thread at the start.
    expect(limited.traceEvents.filter((e: Event) => e.ph === 'X').length).toBeLessThanOrEqual(2 * 10 + 3);
  });
});
