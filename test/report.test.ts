// smtnest report: one self-contained page whose charts carry the numbers of
// the runs (checked against runs made here), byte-identical from the same
// inputs, one-line errors, and a page a browser actually draws.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { oneTrap, NESTED_CPUID } from '../src/docs/nesting.ts';
import { CONFIGURATIONS, evaluationRow, type ConfigurationKey } from '../src/machine/evaluation.ts';
import { assembleGuest, buildMachine, IMPLEMENTED_MODES } from '../src/machine/scenario.ts';
import { workloadSpec } from '../src/machine/workloads.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { probeReason } from '../src/report/collect.ts';
import type { ExitRow } from '../src/cpu/vmx/exit-stats.ts';
import { smtnestHere } from './in-process.ts';

const BIN = join(PROJECT_ROOT, 'bin/smtnest.js');
const CHROMIUM = '/usr/bin/chromium';
const ITERATIONS = 4;
const WORKLOADS = ['cpuid', 'io-rr'];
const CHART_IDS = ['exits-per-reason', 'round-trip', 'evaluation', 'nested-exit-breakdown', 'timeline'];
const dir = mkdtempSync(join(tmpdir(), 'smtnest-report-'));
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`report.test.ts: no ${CHROMIUM}, so the browser test is skipped (apt-get install chromium)`);

/** The report's arguments, writing dir/<sub>/report.html. */
function reportArgs(sub: string): { args: string[]; path: string } {
  mkdirSync(join(dir, sub));
  const path = join(dir, sub, 'report.html');
  return { args: ['report', ...WORKLOADS, '--iterations', String(ITERATIONS), '--html', path], path };
}

const htmlAt = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** The report as a child process. */
function report(sub: string): Promise<{ status: number | null; stderr: string; html: string }> {
  const { args, path } = reportArgs(sub);
  const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr, html: htmlAt(path) })));
}

/** The report made in this process, meanwhile. */
async function reportHere(sub: string): Promise<{ status: number; html: string }> {
  const { args, path } = reportArgs(sub);
  const { status } = await smtnestHere(...args);
  return { status, html: htmlAt(path) };
}

/** The chart's <svg> element, whole. */
function svgOf(html: string, id: string): string {
  const start = html.indexOf(`<svg id="${id}"`);
  expect(start, `chart ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</svg>', start) + 6);
}

/** The data- attributes of each element of `svg` that has `attribute`. */
function marks(svg: string, attribute: string): Record<string, string>[] {
  return [...svg.matchAll(/<(?:rect|g|path)\b([^>]*)>/g)]
    .map((m) => Object.fromEntries([...m[1].matchAll(/(data-[\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])))
    .filter((attrs) => attribute in attrs);
}

function run(target: string, depth: number, mode: (typeof IMPLEMENTED_MODES)[number], shadowing = false) {
  const workload = assembleGuest(join(PROJECT_ROOT, 'guests/workloads', `${target}.s`));
  const machine = buildMachine({ workload, depth, mode, shadowing, iterations: ITERATIONS });
  const result = machine.run({ maxInstructions: 200_000_000 });
  expect(result.status).toBe('exited');
  return machine;
}

describe('the report\'s probe exit', () => {
  const row = (from: string, reason: string, code: number, count: number) => ({ from, to: 'L0', reason, code, count });
  it('is CPUID for cpuid, else the most frequent exit from L2 to L0 (the lower code on a tie)', () => {
    const rows = [row('L1', 'VMREAD', 23, 900), row('L2', 'IO_INSTRUCTION', 30, 40), row('L2', 'CPUID', 10, 8), row('L2', 'HLT', 12, 40)] as ExitRow[];
    expect(probeReason('cpuid', rows)).toBe(10);
    expect(probeReason('io-rr', rows)).toBe(12);
    expect(() => probeReason('hello', [row('L1', 'VMREAD', 23, 5)] as ExitRow[])).toThrow(/hello makes no exit from L2/);
  });
});

describe('smtnest report', () => {
  let first: Awaited<ReturnType<typeof report>>;
  let second: Awaited<ReturnType<typeof reportHere>>;
  beforeAll(async () => {
    // One as the command's own process (its streams are checked), one in
    // this process: the same page from both.
    [first, second] = await Promise.all([report('a'), reportHere('b')]);
  }, 60_000);

  it('writes one self-contained page, byte-identical from the same inputs, silently when stderr is no terminal', () => {
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(second.status).toBe(0);
    expect(second.html).toBe(first.html);
    expect(first.html).toMatch(/^<!DOCTYPE html>/);
    // Nothing loaded from elsewhere: no script, no stylesheet or font link, no remote URL.
    expect(first.html).not.toMatch(/<script|<link|@import|@font-face|src=|url\((?!#)/i);
    expect(first.html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
  });

  it('has every chart, each with a title, axis labels or lanes, a legend and a caption', () => {
    for (const id of CHART_IDS) {
      const svg = svgOf(first.html, id);
      expect(svg).toMatch(/<title>[^<]+<\/title>/);
      expect(svg).toContain('class="legend"');
      expect(svg).toContain('class="axis-title"');
      expect(first.html).toMatch(new RegExp(`<section id="section-${id}">\\s*<h2>[^<]+</h2>\\s*<p class="caption">[^<]{80,}</p>`));
    }
  });

  it('counts exits per reason as the runs\' statistics do', () => {
    const bars = marks(svgOf(first.html, 'exits-per-reason'), 'data-count');
    for (const workload of WORKLOADS) {
      for (const mode of IMPLEMENTED_MODES) {
        const exits = run(workload, 2, mode).stats().exits;
        for (const to of ['L0', 'L1']) {
          const shown = bars.filter((b) => b['data-workload'] === workload && b['data-mode'] === mode && b['data-to'] === to);
          // Every reason any mode took has a bar; one this mode never took shows 0.
          const expected: Record<string, number> = Object.fromEntries(shown.map((b) => [b['data-reason'], 0]));
          for (const row of exits) expected[row.reason] = (expected[row.reason] ?? 0) + (row.to === to ? row.count : 0);
          expect(Object.fromEntries(shown.map((b) => [b['data-reason'], Number(b['data-count'])]))).toEqual(expected);
        }
      }
    }
  });

  it('gives the CPUID round trip from the exit rows, at depth 1 and 2, shadowing off and on', () => {
    const bars = marks(svgOf(first.html, 'round-trip'), 'data-cycles');
    expect(bars).toHaveLength(IMPLEMENTED_MODES.length * 4);
    for (const mode of IMPLEMENTED_MODES) {
      for (const depth of [1, 2]) {
        const row = run('cpuid', depth, mode).stats().exits.find((r) => r.reason === 'CPUID' && r.from === `L${depth}` && r.to === 'L0')!;
        const shown = bars.find((b) => b['data-mode'] === mode && b['data-depth'] === String(depth) && b['data-shadowing'] === 'off')!;
        expect(Number(shown['data-cycles'])).toBe(row.cycles / row.count);
      }
    }
  });

  it('sets the improvements evaluation.ts computes beside the paper\'s figures', () => {
    const bars = marks(svgOf(first.html, 'evaluation'), 'data-improvement');
    const spec = workloadSpec('io-rr')!;
    const figures = {} as Record<ConfigurationKey, number | null>;
    // The report's evaluation is KVM's default: VMCS shadowing on.
    for (const { key, depth, mode } of CONFIGURATIONS) figures[key] = spec.measure(run('io-rr', depth, mode, depth === 2));
    const row = evaluationRow(spec, figures, true);
    const shown = (mode: string, source: string) =>
      Number(bars.find((b) => b['data-workload'] === 'io-rr' && b['data-mode'] === mode && b['data-source'] === source)!['data-improvement']);
    expect(shown('sw', 'model')).toBe(row.swImprovement);
    expect(shown('hw', 'model')).toBe(row.hwImprovement);
    expect(shown('sw', 'paper')).toBe(row.paper.sw);
    expect(shown('hw', 'paper')).toBe(row.paper.hw);
    // cpuid is not in the evaluation.
    expect(bars.some((b) => b['data-workload'] === 'cpuid')).toBe(false);
  });

  it('breaks one nested CPUID down into parts that add up to its measured round trip', () => {
    const svg = svgOf(first.html, 'nested-exit-breakdown');
    for (const mode of IMPLEMENTED_MODES) {
      const group = new RegExp(`<g data-mode="${mode}" data-total="(\\d+)">(.*?)</g>`).exec(svg)!;
      const parts = marks(group[2], 'data-cycles').map((p) => Number(p['data-cycles']));
      const events = oneTrap({ ...NESTED_CPUID, mode, shadowing: false });
      const roundTrip = events[events.length - 1].cycle - events[0].cycle;
      expect(Number(group[1])).toBe(roundTrip);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(roundTrip);
    }
    // Baseline never waits; sw waits for mwait wake-ups.
    const groups = Object.fromEntries(
      IMPLEMENTED_MODES.map((mode) => {
        const body = new RegExp(`<g data-mode="${mode}"[^>]*>(.*?)</g>`).exec(svg)![1];
        return [mode, Object.fromEntries(marks(body, 'data-category').map((p) => [p['data-category'], Number(p['data-cycles'])]))];
      }),
    );
    expect(groups.baseline.waits).toBe(0);
    expect(groups.sw.waits).toBeGreaterThan(0);
    expect(groups.hw['world switches']).toBeLessThan(groups.baseline['world switches']);
  });

  it('draws the timeline per hardware thread: baseline on thread 0 only, sw and hw on several', () => {
    const slices = marks(svgOf(first.html, 'timeline'), 'data-kind');
    const threads = (mode: string) => new Set(slices.filter((s) => s['data-mode'] === mode).map((s) => s['data-thread']));
    expect([...threads('baseline')]).toEqual(['0']);
    expect(threads('sw').size).toBeGreaterThanOrEqual(2);
    expect(threads('hw').size).toBe(3);
    for (const mode of IMPLEMENTED_MODES) {
      for (const thread of threads(mode)) {
        const lane = slices.filter((s) => s['data-mode'] === mode && s['data-thread'] === thread);
        for (let i = 1; i < lane.length; i++) expect(Number(lane[i]['data-from'])).toBeGreaterThanOrEqual(Number(lane[i - 1]['data-to']));
      }
    }
    // sw: L2's exit on its thread, and no trap of L1 (it answers through the channel).
    expect(svgOf(first.html, 'timeline')).toMatch(/class="exit" data-mode="sw" data-reason="CPUID"/);
    expect(svgOf(first.html, 'timeline')).not.toMatch(/class="exit" data-mode="sw" data-reason="VMREAD"/);
  });

  it.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? 'is drawn by a browser' : `is drawn by a browser (skipped: no ${CHROMIUM})`, () => {
    const png = join(dir, 'report.png');
    const r = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'smtnest-chromium-'))}`,
        '--window-size=1400,3000',
        `--screenshot=${png}`,
        `file://${join(dir, 'a', 'report.html')}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const image = decodePng(readFileSync(png));
    expect(image.width).toBe(1400);
    const background = image.pixel(0, 0);
    let differing = 0;
    let baselineBlue = 0;
    for (let y = 0; y < image.height; y += 2) {
      for (let x = 0; x < image.width; x += 2) {
        const [red, green, blue] = image.pixel(x, y);
        if (red !== background[0] || green !== background[1] || blue !== background[2]) differing++;
        if (red === 0x4c && green === 0x72 && blue === 0xb0) baselineBlue++;
      }
    }
    expect(differing / ((image.width * image.height) / 4)).toBeGreaterThan(0.03);
    // The baseline bars are drawn in their colour.
    expect(baselineBlue).toBeGreaterThan(100);
  }, 60_000);

  it('reports bad input in one line and exits 1', async () => {
    for (const args of [['nosuch', '--html', join(dir, 'x.html')], ['cpuid'], ['cpuid', '--html', join(dir, 'no', 'such', 'x.html')], ['--html', join(dir, 'x.html'), '--iterations', '0']]) {
      const r = await smtnestHere('report', ...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^smtnest: /);
    }
  });
});

/** A PNG decoded to 8-bit RGB(A) pixels: chunks, inflated IDAT, scanline filters undone. */
function decodePng(bytes: Buffer): { width: number; height: number; pixel(x: number, y: number): number[] } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect(body[8], 'bit depth').toBe(8);
      channels = { 2: 3, 6: 4 }[body[9] as 2 | 6];
      expect(channels, `colour type ${body[9]}`).toBeDefined();
    } else if (type === 'IDAT') {
      data.push(body);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const value = raw[y * (stride + 1) + 1 + i];
      const left = i >= channels ? pixels[y * stride + i - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const upLeft = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      const paeth = () => {
        const p = left + up - upLeft;
        const [a, b, c] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return a <= b && a <= c ? left : b <= c ? up : upLeft;
      };
      const predicted = [0, left, up, (left + up) >> 1, filter === 4 ? paeth() : 0][filter];
      pixels[y * stride + i] = (value + predicted) & 0xff;
    }
  }
  return { width, height, pixel: (x, y) => [...pixels.subarray(y * stride + x * channels, y * stride + x * channels + 3)] };
}
