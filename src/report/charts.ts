// The report's five charts, each an inline SVG drawn from ReportData. Every
// mark carries its value in data- attributes and a <title> tooltip, so that
// a reader can hover for the exact number and a test can compare the page
// with the runs.

import type { Mode } from '../machine/bootinfo.ts';
import { IMPLEMENTED_MODES } from '../machine/scenario.ts';
import { PAPER_FIGURES } from '../machine/evaluation.ts';
import type { ActivityKind } from '../machine/activity.ts';
import type { ReportData } from './collect.ts';
import { BREAKDOWN_CATEGORIES, type BreakdownCategory } from './nested-exit.ts';
import { bar, chart, coordinate, element, escapeXml, grouped, hatch, legend, text, ticks, type LegendItem } from './svg.ts';

export interface Chart {
  id: string;
  title: string;
  /** What to read from it: shown under the title. */
  caption: string;
  svg: string;
}

/** The charts' width: the page is laid out to be read at 1,400 pixels. */
const WIDTH = 1340;

const MODE_COLORS: Record<Mode, string> = { baseline: '#4c72b0', sw: '#dd8452', hw: '#55a868' };
/** The same hues, lighter: exits reflected to L1, beside those L0 handles. */
const MODE_LIGHT: Record<Mode, string> = { baseline: '#b3c4e0', sw: '#f2c8ae', hw: '#b9dcc1' };
const ACTIVITY_COLORS: Record<ActivityKind, string> = { L0: '#8172b3', L1: '#c44e52', L2: '#64b5cd', switch: '#6f6f6f' };
const ACTIVITY_LABELS: Record<ActivityKind, string> = {
  L0: 'L0 runs',
  L1: 'L1 runs',
  L2: 'L2 runs',
  switch: 'world switch (VM exit or entry)',
};
const CATEGORY_COLORS: Record<BreakdownCategory, string> = {
  'world switches': ACTIVITY_COLORS.switch,
  'L0 handler': ACTIVITY_COLORS.L0,
  'L1 handler': ACTIVITY_COLORS.L1,
  'VMREAD/VMWRITE traps': '#ccb974',
  waits: 'url(#breakdown-wait)',
};
const GRID = '#e3e3e3';

const scale = (max: number, length: number) => (value: number) => (max > 0 ? (value / max) * length : 0);

/** A horizontal value axis from x0 over `length` pixels at y, with vertical grid lines up to `top`. */
function horizontalAxis(x0: number, y: number, length: number, top: number, values: readonly number[], max: number, label: string, format = grouped): string {
  return horizontalAxisAt(x0, y, length, top, values, scale(max, length), label, format);
}

/** The same, placing each value at `at(value)` pixels (a linear or a log scale). */
function horizontalAxisAt(x0: number, y: number, length: number, top: number, values: readonly number[], at: (v: number) => number, label: string, format = grouped): string {
  const parts = values.map(
    (v) =>
      element('line', { x1: x0 + at(v), y1: top, x2: x0 + at(v), y2: y, stroke: GRID }) +
      text(x0 + at(v), y + 14, format(v), { 'text-anchor': 'middle', class: 'tick' }),
  );
  parts.push(element('line', { x1: x0, y1: y, x2: x0 + length, y2: y, stroke: '#888' }));
  parts.push(text(x0 + length / 2, y + 32, label, { 'text-anchor': 'middle', class: 'axis-title' }));
  return parts.join('');
}

/** A vertical value axis at x0 from `bottom` up over `length` pixels, with horizontal grid lines to `right`. */
function verticalAxis(x0: number, bottom: number, length: number, right: number, values: readonly number[], max: number, label: string, format = grouped): string {
  const at = scale(max, length);
  const parts = values.map(
    (v) =>
      element('line', { x1: x0, y1: bottom - at(v), x2: right, y2: bottom - at(v), stroke: GRID }) +
      text(x0 - 6, bottom - at(v) + 4, format(v), { 'text-anchor': 'end', class: 'tick' }),
  );
  parts.push(element('line', { x1: x0, y1: bottom, x2: x0, y2: bottom - length, stroke: '#888' }));
  parts.push(text(16, bottom - length / 2, label, { 'text-anchor': 'middle', class: 'axis-title', transform: `rotate(-90 16 ${coordinate(bottom - length / 2)})` }));
  return parts.join('');
}

const modeLegend = (): LegendItem[] => IMPLEMENTED_MODES.map((mode) => ({ label: mode, fill: MODE_COLORS[mode] }));

// ---- 1. exits per reason -------------------------------------------------------------

interface ReasonCounts {
  reason: string;
  code: number;
  /** Per mode, in IMPLEMENTED_MODES order: exits L0 handled, and exits reflected to L1. */
  toL0: number[];
  toL1: number[];
}

function reasonCounts(modes: ReportData['exits'][number]['modes']): ReasonCounts[] {
  const reasons = new Map<number, string>();
  for (const m of modes) for (const row of m.exits) reasons.set(row.code, row.reason);
  const sum = (exits: (typeof modes)[number]['exits'], code: number, to: string) =>
    exits.filter((r) => r.code === code && r.to === to).reduce((n, r) => n + r.count, 0);
  return [...reasons.entries()]
    .sort(([a], [b]) => a - b)
    .map(([code, reason]) => ({
      reason,
      code,
      toL0: modes.map((m) => sum(m.exits, code, 'L0')),
      toL1: modes.map((m) => sum(m.exits, code, 'L1')),
    }));
}

/** A power of ten as a tick says it: 1, 10, 100, 1k, 10k, 100k, 1M. */
const decade = (v: number): string => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : String(v));

/** A log scale over `length` pixels from 0.5 to 10^decades, so that a
 * count of 1 still has a bar (a sixth of a decade's width, and more). */
function logScale(decades: number, length: number): (n: number) => number {
  const low = Math.log10(0.5);
  return (n) => (n > 0 ? ((Math.log10(n) - low) / (decades - low)) * length : 0);
}

function exitsPanel(workload: string, counts: readonly ReasonCounts[], x: number, y: number, width: number): { svg: string; height: number } {
  const labelWidth = 150;
  const barArea = width - labelWidth - 70;
  // Per mode: the exits L0 handled (the upper, darker bar) and those it reflected to L1 (below it, lighter).
  const l0Height = 6;
  const l1Height = 4;
  const modeHeight = l0Height + l1Height + 2;
  const rowHeight = IMPLEMENTED_MODES.length * modeHeight + 8;
  const top = y + 22;
  const max = Math.max(1, ...counts.flatMap((c) => [...c.toL0, ...c.toL1]));
  const decades = Math.max(1, Math.ceil(Math.log10(max)));
  const values = Array.from({ length: decades + 1 }, (_, k) => 10 ** k);
  const at = logScale(decades, barArea);
  const bottom = top + counts.length * rowHeight;
  const parts = [
    text(x, y + 12, `${workload} (depth 2)`, { class: 'panel-title' }),
    horizontalAxisAt(x + labelWidth, bottom, barArea, top, values, at, 'VM exits in the run (count, log scale)', decade),
  ];
  counts.forEach((c, row) => {
    const rowTop = top + row * rowHeight + 4;
    parts.push(text(x + labelWidth - 8, rowTop + rowHeight / 2, c.reason, { 'text-anchor': 'end', class: 'category' }));
    IMPLEMENTED_MODES.forEach((mode, m) => {
      const by = rowTop + m * modeHeight;
      const l0 = c.toL0[m];
      const l1 = c.toL1[m];
      const data = { 'data-workload': workload, 'data-mode': mode, 'data-reason': c.reason };
      parts.push(bar(x + labelWidth, by, at(l0), l0Height, MODE_COLORS[mode], `${workload}, ${mode}: ${grouped(l0)} ${c.reason} exits to L0`, { ...data, 'data-to': 'L0', 'data-count': String(l0) }));
      parts.push(
        bar(x + labelWidth, by + l0Height, at(l1), l1Height, MODE_LIGHT[mode], `${workload}, ${mode}: ${grouped(l1)} ${c.reason} exits reflected to L1`, {
          ...data,
          'data-to': 'L1',
          'data-count': String(l1),
        }),
      );
      const label = l1 > 0 ? `${grouped(l0)} / ${grouped(l1)}` : grouped(l0);
      parts.push(text(x + labelWidth + Math.max(at(l0), at(l1)) + 4, by + l0Height + 2, label, { class: 'count' }));
    });
  });
  return { svg: parts.join(''), height: bottom - y + 40 };
}

function exitsChart(data: ReportData): Chart {
  const columns = 3;
  const gap = 30;
  const panelWidth = (WIDTH - gap) / columns;
  const legendItems = IMPLEMENTED_MODES.flatMap((mode) => [
    { label: `${mode}: to L0`, fill: MODE_COLORS[mode] },
    { label: `${mode}: reflected to L1`, fill: MODE_LIGHT[mode] },
  ]);
  const parts = [legend(legendItems, 0, 16, WIDTH)];
  let y = 36;
  for (let first = 0; first < data.exits.length; first += columns) {
    const panels = data.exits
      .slice(first, first + columns)
      .map((w, i) => exitsPanel(w.workload, reasonCounts(w.modes), i * (panelWidth + gap), y, panelWidth));
    parts.push(...panels.map((p) => p.svg));
    y += Math.max(...panels.map((p) => p.height)) + 12;
  }
  const title = 'VM exits per reason at depth 2, per mode';
  return {
    id: 'exits-per-reason',
    title,
    caption:
      'Each workload ran under L1 under L0 in each mode. Per mode, the upper, darker bar counts the hardware VM exits of one reason that L0 handled (from L2 and from L1 itself), ' +
      'the lower, lighter one the exits L0 reflected to L1 (a reflected exit is also one of L0\'s); the numbers at the end are both, L0\'s / L1\'s. ' +
      'The axis is logarithmic, so that an exit taken once is as visible as one taken thousands of times: compare lengths as orders of magnitude. ' +
      'Read which reasons dominate: in baseline and hw, L1\'s VMREAD/VMWRITE/VMRESUME traps outnumber the L2 exits that caused them ' +
      '(hw makes each trap a thread switch, not fewer); in sw, L1 takes its guest\'s exits through the exit channel and those traps are gone, ' +
      'while the exits of L1\'s own (its port I/O, its interrupts) remain.',
    svg: chart({ id: 'exits-per-reason', width: WIDTH, height: y + 4, title }, parts.join('')),
  };
}

// ---- 2. cycles per round trip ----------------------------------------------------------

function roundTripChart(data: ReportData): Chart {
  const { workload, reason } = data.probe;
  const height = 360;
  const left = 80;
  const top = 40;
  const bottom = height - 70;
  const groups = [1, 2].flatMap((depth) => [false, true].map((shadowing) => ({ depth, shadowing })));
  const max = Math.max(...data.roundTrips.map((r) => r.cycles));
  const values = ticks(max, 5);
  const axisMax = values[values.length - 1];
  const at = scale(axisMax, bottom - top);
  const groupWidth = (WIDTH - left) / groups.length;
  const barWidth = 56;
  const parts = [legend(modeLegend(), left, 16, WIDTH - left), verticalAxis(left, bottom, bottom - top, WIDTH, values, axisMax, `cycles per ${reason} round trip`)];
  groups.forEach((g, i) => {
    const gx = left + i * groupWidth + (groupWidth - IMPLEMENTED_MODES.length * (barWidth + 6)) / 2;
    IMPLEMENTED_MODES.forEach((mode, m) => {
      const r = data.roundTrips.find((t) => t.mode === mode && t.depth === g.depth && t.shadowing === g.shadowing)!;
      const bx = gx + m * (barWidth + 6);
      const level = `L${g.depth}`;
      parts.push(
        bar(bx, bottom - at(r.cycles), barWidth, at(r.cycles), MODE_COLORS[mode], `${level} ${reason} at depth ${g.depth}, ${mode}, shadowing ${g.shadowing ? 'on' : 'off'}: ${grouped(r.cycles)} cycles per round trip (${grouped(r.count)} exits)`, {
          'data-mode': mode,
          'data-depth': String(g.depth),
          'data-shadowing': g.shadowing ? 'on' : 'off',
          'data-cycles': String(r.cycles),
        }),
      );
      parts.push(text(bx + barWidth / 2, bottom - at(r.cycles) - 4, grouped(r.cycles), { 'text-anchor': 'middle', class: 'value' }));
    });
    const cx = left + (i + 0.5) * groupWidth;
    parts.push(text(cx, bottom + 18, `L${g.depth} ${reason}, depth ${g.depth}`, { 'text-anchor': 'middle', class: 'category' }));
    parts.push(text(cx, bottom + 34, `VMCS shadowing ${g.shadowing ? 'on' : 'off'}`, { 'text-anchor': 'middle', class: 'tick' }));
  });
  const title = `Cycles per ${reason} round trip of ${workload}, by mode and depth`;
  return {
    id: 'round-trip',
    title,
    caption:
      `The ${workload} workload's ${reason} exit row (cycles from each trap until the trapping level runs again, over the number of exits; ` +
      `${workload === 'cpuid' ? 'cpuid is the workload of a single exit reason' : `the report follows cpuid when it is named, else the first workload named, and its most frequent exit from L2`}): ` +
      'at depth 1 a single-level exit to L0, at depth 2 the nested round trip through L0 and L1. ' +
      'Read the height of depth 2 against depth 1 (the cost of nesting), how much VMCS shadowing removes (most of L1\'s VMREAD/VMWRITE traps), ' +
      'and how each mode changes the nested round trip: hw turns world switches into thread switches, sw adds mwait hand-overs.',
    svg: chart({ id: 'round-trip', width: WIDTH, height, title }, parts.join('')),
  };
}

// ---- 3. improvements beside the paper ----------------------------------------------------

function evaluationChart(data: ReportData): Chart {
  const title = 'Improvement over nested baseline: the model beside the paper';
  const caption =
    'For the workloads of the paper\'s evaluation, how many times better than baseline (both nested, depth 2) sw and hw are: ' +
    'baseline/mode for io-rr\'s latency, mode/baseline for io-stream\'s bandwidth and the applications\' throughput. ' +
    'Solid bars are this model\'s runs (the same rows as smtnest paper); hatched bars are the paper\'s "up to" figures; "n/a": the paper gives none. ' +
    'Above the dashed line a mode beats baseline.';
  if (data.evaluation.length === 0) {
    const svg = chart({ id: 'evaluation', width: WIDTH, height: 60, title }, text(0, 30, 'None of the given workloads is in the paper\'s evaluation (io-rr, io-stream, kv, web, compute).', { class: 'category' }));
    return { id: 'evaluation', title, caption, svg };
  }
  const height = 380;
  const left = 80;
  const top = 40;
  const bottom = height - 70;
  const figures = data.evaluation.flatMap((r) => [r.swImprovement, r.hwImprovement, r.paper.sw, r.paper.hw]).filter((v): v is number => v !== null);
  const values = ticks(Math.max(1, ...figures), 5);
  const axisMax = values[values.length - 1];
  const at = scale(axisMax, bottom - top);
  const groupWidth = (WIDTH - left) / data.evaluation.length;
  const barWidth = Math.min(44, (groupWidth - 40) / 4);
  const format = (v: number) => `${v}x`;
  const defs = (['sw', 'hw'] as const).map((mode) => hatch(`paper-${mode}`, MODE_COLORS[mode])).join('');
  const parts = [
    legend(
      [
        { label: 'sw, this model', fill: MODE_COLORS.sw },
        { label: 'sw, paper', fill: 'url(#paper-sw)' },
        { label: 'hw, this model', fill: MODE_COLORS.hw },
        { label: 'hw, paper', fill: 'url(#paper-hw)' },
      ],
      left,
      16,
      WIDTH - left,
    ),
    verticalAxis(left, bottom, bottom - top, WIDTH, values, axisMax, 'times better than baseline', format),
  ];
  data.evaluation.forEach((row, i) => {
    const gx = left + i * groupWidth + (groupWidth - 4 * (barWidth + 4)) / 2;
    const marks = [
      { mode: 'sw' as const, source: 'model', value: row.swImprovement },
      { mode: 'sw' as const, source: 'paper', value: row.paper.sw },
      { mode: 'hw' as const, source: 'model', value: row.hwImprovement },
      { mode: 'hw' as const, source: 'paper', value: row.paper.hw },
    ];
    marks.forEach((mark, k) => {
      const bx = gx + k * (barWidth + 4);
      if (mark.value === null) {
        parts.push(text(bx + barWidth / 2, bottom - 4, 'n/a', { 'text-anchor': 'middle', class: 'tick' }));
        return;
      }
      const who = mark.source === 'model' ? 'this model' : `the paper (${PAPER_FIGURES[row.workload].claim})`;
      parts.push(
        bar(bx, bottom - at(mark.value), barWidth, at(mark.value), mark.source === 'model' ? MODE_COLORS[mark.mode] : `url(#paper-${mark.mode})`, `${row.workload} (${row.metric}), ${mark.mode}: ${mark.value}x better than baseline, ${who}`, {
          'data-workload': row.workload,
          'data-mode': mark.mode,
          'data-source': mark.source,
          'data-improvement': String(mark.value),
          stroke: MODE_COLORS[mark.mode],
        }),
      );
      parts.push(text(bx + barWidth / 2, bottom - at(mark.value) - 4, `${mark.value.toFixed(2)}x`, { 'text-anchor': 'middle', class: 'value' }));
    });
    const cx = left + (i + 0.5) * groupWidth;
    parts.push(text(cx, bottom + 18, row.workload, { 'text-anchor': 'middle', class: 'category' }));
    parts.push(text(cx, bottom + 34, `${row.metric} (${row.unit})`, { 'text-anchor': 'middle', class: 'tick' }));
  });
  parts.push(element('line', { x1: left, y1: bottom - at(1), x2: WIDTH, y2: bottom - at(1), stroke: '#333', 'stroke-dasharray': '5 4' }));
  parts.push(text(WIDTH - 4, bottom - at(1) - 4, 'baseline (1x)', { 'text-anchor': 'end', class: 'tick' }));
  return { id: 'evaluation', title, caption, svg: chart({ id: 'evaluation', width: WIDTH, height, title, defs }, parts.join('')) };
}

// ---- 4. one nested exit's cycles -----------------------------------------------------------

function breakdownChart(data: ReportData): Chart {
  const { workload, reason } = data.probe;
  const left = 90;
  const right = 190;
  const barHeight = 30;
  const rowGap = 16;
  const top = 44;
  const rows = data.nestedExits.map((p) => p.breakdown);
  const bottom = top + rows.length * (barHeight + rowGap);
  const height = bottom + 44;
  const max = Math.max(...rows.map((r) => r.cycles));
  const values = ticks(max, 6);
  const axisMax = values[values.length - 1];
  const length = WIDTH - left - right;
  const at = scale(axisMax, length);
  const defs = hatch('breakdown-wait', '#bbb');
  const parts = [
    legend(BREAKDOWN_CATEGORIES.map((c) => ({ label: c, fill: CATEGORY_COLORS[c] })), left, 16, WIDTH - left),
    horizontalAxis(left, bottom, length, top, values, axisMax, `cycles from the L2 ${reason}'s trap until L2 runs again`),
  ];
  rows.forEach((r, i) => {
    const y = top + i * (barHeight + rowGap) + rowGap / 2;
    parts.push(text(left - 10, y + barHeight / 2 + 4, r.mode, { 'text-anchor': 'end', class: 'category' }));
    let x = left;
    const segments = BREAKDOWN_CATEGORIES.map((category) => {
      const cycles = r.parts[category];
      const width = at(cycles);
      const mark =
        bar(x, y, width, barHeight, CATEGORY_COLORS[category], `${r.mode}: ${category}, ${grouped(cycles)} cycles`, {
          'data-category': category,
          'data-cycles': String(cycles),
          stroke: width > 0 ? '#fff' : undefined,
          'stroke-width': width > 0 ? 0.5 : undefined,
        }) + (width > 44 ? text(x + width / 2, y + barHeight / 2 + 4, grouped(cycles), { 'text-anchor': 'middle', class: category === 'waits' ? 'inside-light' : 'inside' }) : '');
      x += width;
      return mark;
    });
    parts.push(element('g', { 'data-mode': r.mode, 'data-total': String(r.cycles) }, segments.join('')));
    parts.push(text(x + 8, y + barHeight / 2 + 4, `${grouped(r.cycles)} cycles, ${r.hardwareExits} VM exit${r.hardwareExits === 1 ? '' : 's'}`, { class: 'value' }));
  });
  const title = `Where the cycles of one nested exit go (one L2 ${reason} of ${workload} at depth 2)`;
  return {
    id: 'nested-exit-breakdown',
    title,
    caption:
      `One L2 ${reason} of the ${workload} workload (the second${workload === 'cpuid' ? ', as in docs/nesting.md' : ''}), shadowing off, traced instruction by instruction. ` +
      'Each cycle from the trap until L2 runs again is given to what the core did then: a round trip of one of L1\'s VMREAD/VMWRITE traps to L0 (whole); ' +
      'else L1\'s or L0\'s handler instructions; else a world switch (the VM exit or entry, charged as the cost model says); ' +
      'else nothing ran: a wait (an mwait wake-up in sw, a thread switch in hw). Read which part each mode shrinks or grows.',
    svg: chart({ id: 'nested-exit-breakdown', width: WIDTH, height, title, defs }, parts.join('')),
  };
}

// ---- 5. the timeline ----------------------------------------------------------------------------

function timelineChart(data: ReportData): Chart {
  const { workload, reason } = data.probe;
  const left = 90;
  const length = WIDTH - left - 30;
  const laneHeight = 16;
  const laneGap = 6;
  const windows = data.nestedExits.map((p) => p.timeline);
  const kinds: ActivityKind[] = ['L0', 'L1', 'L2', 'switch'];
  const parts = [
    legend(
      [...kinds.map((k) => ({ label: ACTIVITY_LABELS[k], fill: ACTIVITY_COLORS[k] })), { label: 'no instruction: waiting or stalled', fill: '#fff' }],
      left,
      16,
      WIDTH - left,
    ),
    element('path', { d: `M${left + 3} 31 h8 l-4 7 z`, fill: '#111' }),
    text(left + 20, 38, 'a VM exit, on the thread that trapped', { class: 'legend' }),
  ];
  let y = 52;
  for (const w of windows) {
    // Each mode on its own scale, so that hw's short round trips are as
    // readable as baseline's long ones; the label says how long they are.
    const values = ticks(w.cycles, 8);
    const axisMax = values[values.length - 1];
    const at = scale(axisMax, length);
    const panelTop = y;
    parts.push(text(0, y + 10, w.mode, { class: 'panel-title' }));
    parts.push(text(left, y + 10, `two round trips: ${grouped(w.cycles)} cycles (this mode's own scale)`, { class: 'tick' }));
    y += 18;
    for (let thread = 0; thread < w.threads; thread++) {
      const laneTop = y + 6 + thread * (laneHeight + laneGap);
      parts.push(text(left - 8, laneTop + laneHeight - 4, `thread ${thread}`, { 'text-anchor': 'end', class: 'tick' }));
      parts.push(element('rect', { x: left, y: laneTop, width: at(w.cycles), height: laneHeight, fill: '#fff', stroke: '#ccc', 'stroke-width': 0.5 }));
      for (const s of w.segments.filter((seg) => seg.thread === thread)) {
        parts.push(
          bar(left + at(s.from), laneTop, Math.max(at(s.to - s.from), 0.6), laneHeight, ACTIVITY_COLORS[s.kind], `${w.mode}, thread ${thread}: ${ACTIVITY_LABELS[s.kind]}, +${grouped(s.from)} to +${grouped(s.to)} (${grouped(s.to - s.from)} cycles)`, {
            'data-mode': w.mode,
            'data-thread': String(thread),
            'data-kind': s.kind,
            'data-from': String(s.from),
            'data-to': String(s.to),
          }),
        );
      }
      for (const e of w.exits.filter((x) => x.thread === thread)) {
        const ex = left + at(e.cycle);
        parts.push(
          element(
            'path',
            { d: `M${coordinate(ex - 3)} ${coordinate(laneTop - 6)} h6 l-3 5 z`, fill: '#111', class: 'exit', 'data-mode': w.mode, 'data-reason': e.reason },
            `<title>${escapeXml(`${w.mode}: ${e.reason} exit, L${e.from} to L${e.to}, on thread ${thread} at +${grouped(e.cycle)}`)}</title>`,
          ),
        );
      }
    }
    y += 6 + w.threads * (laneHeight + laneGap);
    parts.push(horizontalAxis(left, y, length, panelTop + 18, values, axisMax, `${w.mode}: cycles since the second L2 ${reason} trapped`, (v) => `+${grouped(v)}`));
    y += 52;
  }
  const title = `Two nested ${reason} round trips of ${workload} on the core's hardware threads, per mode`;
  return {
    id: 'timeline',
    title,
    caption:
      'One lane per hardware thread; each mode has its own cycle axis (hw\'s round trips are several times shorter than baseline\'s: read the axis before comparing lengths); colour says which level\'s instructions the thread executed, grey a world switch, ' +
      'white that it executed nothing; a black triangle marks each VM exit on the thread that trapped. ' +
      'Baseline runs everything on thread 0, a world switch at every trap. sw runs L1 on thread 1 and L2 on thread 2, each with an L0 that handles its exits there, ' +
      'and hands an exit from one to the other through memory: the white gaps are the receiving thread waking from mwait. ' +
      'hw runs L0, L1 and L2 on threads 0, 1 and 2; a trap stalls one thread and resumes another, with no world switch, so its lanes are short and dense.',
    svg: chart({ id: 'timeline', width: WIDTH, height: y, title }, parts.join('')),
  };
}

export function reportCharts(data: ReportData): Chart[] {
  return [exitsChart(data), roundTripChart(data), evaluationChart(data), breakdownChart(data), timelineChart(data)];
}
