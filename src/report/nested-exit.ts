// One nested exit, measured: a workload at depth 2, with every instruction
// start and transition recorded (activity.ts), cut to one L2 exit of a
// reason (by default the cpuid workload's second L2 CPUID, the one
// docs/nesting.md follows) for the cycle breakdown, and to that exit and
// the next of its reason for the timeline.

import { join } from 'node:path';
import { NESTED_CPUID } from '../docs/nesting.ts';
import type { Mode } from '../machine/bootinfo.ts';
import { assembleGuest, buildMachine } from '../machine/scenario.ts';
import { PROJECT_ROOT } from '../paths.ts';
import type { Program } from '../asm/index.ts';
import { EXIT, EXIT_REASON_NAMES } from '../cpu/vmx/exit-reasons.ts';
import type { TransitionEvent } from '../cpu/vmx/exit-stats.ts';
import { ActivityRecorder, type ActivitySegment } from '../machine/activity.ts';

/** Where the cycles of one nested exit go, in stacking order. */
export const BREAKDOWN_CATEGORIES = ['world switches', 'L0 handler', 'L1 handler', 'VMREAD/VMWRITE traps', 'waits'] as const;
export type BreakdownCategory = (typeof BREAKDOWN_CATEGORIES)[number];

export interface NestedExitBreakdown {
  mode: Mode;
  /** Cycles from the L2 CPUID's trap until L2 runs again: the parts' sum. */
  cycles: number;
  parts: Record<BreakdownCategory, number>;
  /** Hardware VM exits in that span (the L2 exit and L1's own). */
  hardwareExits: number;
}

/** A stretch of the run for the timeline, cycles counted from its start. */
export interface TimelineWindow {
  mode: Mode;
  threads: number;
  cycles: number;
  segments: ActivitySegment[];
  exits: { thread: number; cycle: number; reason: string; from: number; to: number }[];
}

export interface NestedExitProfile {
  breakdown: NestedExitBreakdown;
  timeline: TimelineWindow;
}

/** Which exit to measure: the `nth` (from 0) L2 exit of `reason` in a run
 * of `workload` (a file or bundled name, as `smtnest run` takes it). */
export interface NestedExitQuery {
  workload: Program;
  name: string;
  reason: number;
  nth: number;
  iterations?: number;
}

/** The cpuid workload's second L2 CPUID, with the iterations docs/nesting.md uses. */
export const DEFAULT_NESTED_EXIT: Omit<NestedExitQuery, 'workload'> = {
  name: 'cpuid',
  reason: NESTED_CPUID.reason,
  nth: NESTED_CPUID.nth,
  iterations: NESTED_CPUID.iterations,
};

export function defaultNestedExitWorkload(): Program {
  return assembleGuest(join(PROJECT_ROOT, NESTED_CPUID.workload));
}

/** The nth L2 exit of `reason`: its trap and the entry that resumes L2 after it, as event indices. */
function roundTrip(events: readonly TransitionEvent[], query: NestedExitQuery, nth: number): { trap: number; resume: number } {
  const traps = events.flatMap((e, i) => (e.kind === 'exit' && e.from === 2 && e.code === query.reason ? [i] : []));
  const trap = traps[nth];
  const resume = events.findIndex((e, i) => i > trap && e.kind === 'entry' && e.to === 2);
  if (trap === undefined || resume < 0) {
    throw new Error(`${query.name} made no L2 ${EXIT_REASON_NAMES[query.reason]} exit number ${nth + 1} (the report needs ${query.nth + 2})`);
  }
  return { trap, resume };
}

/** Spans from each of L1's VMREAD/VMWRITE traps until L1 runs again. */
function vmcsAccessTraps(events: readonly TransitionEvent[]): { from: number; to: number }[] {
  const spans: { from: number; to: number }[] = [];
  events.forEach((e, i) => {
    if (e.kind !== 'exit' || e.from !== 1 || (e.code !== EXIT.VMREAD && e.code !== EXIT.VMWRITE)) return;
    const back = events.find((later, j) => j > i && later.kind === 'entry' && later.to === 1);
    if (back) spans.push({ from: e.cycle, to: back.cycle });
  });
  return spans;
}

/** Each cycle of [from, to) goes to one category: a VMREAD/VMWRITE trap's
 * whole round trip; else the busiest thing any thread did (a handler before a
 * world switch); else, no thread doing anything, a wait. */
function breakdown(mode: Mode, segments: readonly ActivitySegment[], events: readonly TransitionEvent[], from: number, to: number): NestedExitBreakdown {
  const accesses = vmcsAccessTraps(events);
  const cuts = new Set<number>([from, to]);
  for (const s of segments) cuts.add(s.from).add(s.to);
  for (const a of accesses) cuts.add(Math.max(from, Math.min(to, a.from))).add(Math.max(from, Math.min(to, a.to)));
  const points = [...cuts].sort((a, b) => a - b);
  const parts = Object.fromEntries(BREAKDOWN_CATEGORIES.map((c) => [c, 0])) as Record<BreakdownCategory, number>;
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    const busy = new Set(segments.filter((s) => s.from <= a && s.to >= b).map((s) => s.kind));
    const category: BreakdownCategory = accesses.some((t) => t.from <= a && t.to >= b)
      ? 'VMREAD/VMWRITE traps'
      : busy.has('L1')
        ? 'L1 handler'
        : busy.has('L0')
          ? 'L0 handler'
          : busy.has('switch')
            ? 'world switches'
            : 'waits';
    parts[category] += b - a;
  }
  return { mode, cycles: to - from, parts, hardwareExits: events.filter((e) => e.kind === 'exit').length };
}

/** Runs a workload at depth 2 in `mode` and measures one of its L2 exits (by default the cpuid workload's second L2 CPUID). */
export function profileNestedExit(mode: Mode, shadowing = false, query: NestedExitQuery = { ...DEFAULT_NESTED_EXIT, workload: defaultNestedExitWorkload() }): NestedExitProfile {
  const machine = buildMachine({ workload: query.workload, depth: 2, mode, shadowing, iterations: query.iterations });
  const recorder = ActivityRecorder.attach(machine);
  const result = machine.run({ maxInstructions: 100_000_000, onInstruction: recorder.instruction });
  if (result.status !== 'exited' || result.exitCode !== 0) throw new Error(`${query.name} at depth 2 in ${mode}${shadowing ? ' with shadowing' : ''}: ${result.reason}`);
  const { events } = recorder;
  const first = roundTrip(events, query, query.nth);
  const second = roundTrip(events, query, query.nth + 1);
  const start = events[first.trap].cycle;
  const oneExit = events.slice(first.trap, first.resume + 1);
  const end = events[second.resume].cycle;
  return {
    breakdown: breakdown(mode, recorder.between(start, events[first.resume].cycle), oneExit, start, events[first.resume].cycle),
    timeline: {
      mode,
      threads: machine.threads.length,
      cycles: end - start,
      segments: recorder.between(start, end).map((s) => ({ ...s, from: s.from - start, to: s.to - start })),
      exits: events
        .slice(first.trap, second.resume + 1)
        .filter((e) => e.kind === 'exit')
        .map((e) => ({ thread: e.thread, cycle: e.cycle - start, reason: EXIT_REASON_NAMES[e.code] ?? `REASON_${e.code}`, from: e.from, to: e.to })),
    },
  };
}
