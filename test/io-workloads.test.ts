// The workloads of the paper's evaluation (src/machine/workloads.ts) on the
// bare machine: each gets its peer and disk from its name, prints its
// .expected file (itself checked against the protocol models here), marks
// a region of interest, leaves its peer nothing to complain about, and
// gives a positive figure that is the same run after run. The I/O
// workloads under one and two hypervisors, in every mode: the bare
// console, the same work seen by the peer, device interrupts delivered
// through two levels of injection, figures that get worse with every
// level, and reports that are the same run after run. And the region of
// interest port itself.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleFile, assembleSource, readImage, writeImage, type Program } from '../src/asm/index.ts';
import { ClosedLoopClient, READY } from '../src/devices/client.ts';
import { encodeKvResponse, KV_GET, KV_MISS, KV_OK, KvClient } from '../src/devices/kv-client.ts';
import { ROI_BEGIN, ROI_END } from '../src/devices/ports.ts';
import { WebClient, webResponse } from '../src/devices/web-client.ts';
import type { Mode } from '../src/machine/bootinfo.ts';
import { Machine } from '../src/machine/machine.ts';
import { assembleGuest, buildMachine, hypervisorsFor, IMPLEMENTED_MODES, INCLUDE_DIR, MAX_DEPTH } from '../src/machine/scenario.ts';
import { runReport } from '../src/machine/run-report.ts';
import { IO_STREAM_PACKET_BYTES, WORKLOADS, workloadOfProgram, workloadSpec, type WorkloadSpec } from '../src/machine/workloads.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { smtnestHere } from './in-process.ts';

const WORKLOAD_DIR = join(PROJECT_ROOT, 'guests/workloads');
const BIN = join(PROJECT_ROOT, 'bin/smtnest.js');
const BUDGET = 50_000_000;

const sourcePath = (name: string) => join(WORKLOAD_DIR, `${name}.s`);
const expectedFile = (name: string) => readFileSync(join(WORKLOAD_DIR, `${name}.expected`), 'utf8');

function run(workload: Program, iterations = 0) {
  const machine = buildMachine({ workload, depth: 0, iterations });
  const result = machine.run({ maxInstructions: BUDGET });
  return { machine, result, console: machine.serial.text() };
}

/** The kv server's tallies for `requests` requests of the default client,
 * from a Map standing in for the server. */
function kvTallies(requests: number) {
  const client = new KvClient();
  const table = new Map<number, Uint8Array>();
  const tally = { gets: 0, hits: 0, sets: 0 };
  let request = client.receive(READY, 0);
  for (let i = 0; i < requests; i++) {
    const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
    const key = view.getUint32(4, true);
    let response: Uint8Array;
    if (view.getUint32(0, true) === KV_GET) {
      tally.gets++;
      const value = table.get(key);
      if (value) tally.hits++;
      response = value ? encodeKvResponse(KV_OK, value) : encodeKvResponse(KV_MISS);
    } else {
      tally.sets++;
      table.set(key, request.slice(12));
      response = encodeKvResponse(KV_OK);
    }
    request = client.receive(response, 0);
  }
  return tally;
}

/** The web server's tallies for `requests` requests of the default client. */
function webTallies(requests: number) {
  const client = new WebClient();
  const tally = { files: 0, bytes: 0, notFound: 0 };
  let request = client.receive(READY, 0);
  for (let i = 0; i < requests; i++) {
    const response = webResponse(new TextDecoder().decode(request).slice(5, -1));
    const header = /^200 (\d+)\n/.exec(new TextDecoder().decode(response.subarray(0, 10)));
    if (header) {
      tally.files++;
      tally.bytes += Number(header[1]);
    } else {
      tally.notFound++;
    }
    request = client.receive(response, 0);
  }
  return tally;
}

/** What each workload prints for `n` iterations, from the models. */
function reference(name: string, n: number): string {
  switch (name) {
    case 'io-rr':
      return `io-rr: ${n} transactions, all echoed intact\n`;
    case 'io-stream':
      return `io-stream: ${n} packets of ${IO_STREAM_PACKET_BYTES} bytes sent\n`;
    case 'kv': {
      const t = kvTallies(n);
      return `kv: ${n} requests: ${t.gets} GET (${t.hits} hits), ${t.sets} SET\n`;
    }
    case 'web': {
      const t = webTallies(n);
      return `web: ${n} requests: ${t.files} files sent (${t.bytes} bytes), ${t.notFound} not found\n`;
    }
    default:
      throw new Error(`no reference for ${name}`);
  }
}

describe('the workload table', () => {
  it('has one entry per bundled workload of the evaluation, with a source file each', () => {
    expect(WORKLOADS.map((w) => w.name)).toEqual(['io-rr', 'io-stream', 'kv', 'web', 'compute']);
    for (const spec of WORKLOADS) {
      expect(workloadSpec(spec.name)).toBe(spec);
      expect(spec.description.length).toBeGreaterThan(0);
      expect(spec.lowerIsBetter).toBe(spec.metric === 'latency');
    }
    expect(workloadSpec('cpuid')).toBeUndefined();
  });

  it("states each workload's default iteration count as its source does", () => {
    for (const spec of WORKLOADS) {
      const defaults = [...readFileSync(sourcePath(spec.name), 'utf8').matchAll(/^DEFAULT_\w+ equ (\d+)/gm)];
      expect(defaults.map((m) => Number(m[1])), spec.name).toEqual([spec.defaultIterations]);
    }
  });

  it('finds the entry of a program by its source file, also from an image, and none for others', () => {
    const kv = assembleGuest(sourcePath('kv'));
    expect(workloadOfProgram(kv)?.name).toBe('kv');
    expect(workloadOfProgram(readImage(writeImage(kv), 'kv.img'))?.name).toBe('kv');
    expect(workloadOfProgram(assembleGuest(join(WORKLOAD_DIR, 'cpuid.s')))).toBeUndefined();
    expect(workloadOfProgram({ ...kv, lines: [] })).toBeUndefined();
  });
});

describe('the workloads on the bare machine', () => {
  for (const spec of WORKLOADS) {
    it(`${spec.name} prints ${spec.name}.expected, marks its region of interest and gives its figure`, () => {
      const { machine, result, console } = run(assembleGuest(sourcePath(spec.name)));
      expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
      expect(console).toBe(expectedFile(spec.name));
      expect(machine.peer.kind).toBe(spec.peer ?? 'echo');
      const roi = machine.roi!;
      expect(roi).not.toBeNull();
      expect(roi.begin).toBeGreaterThan(0);
      expect(roi.end).toBeLessThan(machine.stats().cycles);
      expect(roi.cycles).toBe(roi.end - roi.begin);
      expect(spec.measure(machine)).toBeGreaterThan(0);
    });
  }

  it('the .expected files are what the protocol models predict', () => {
    for (const spec of WORKLOADS.filter((w) => w.name !== 'compute')) {
      expect(expectedFile(spec.name), spec.name).toBe(reference(spec.name, spec.defaultIterations));
    }
  });

  it('io-rr: the echo peer saw one request per transaction', () => {
    const { machine } = run(assembleGuest(sourcePath('io-rr')), 40);
    expect(machine.peer.stats).toMatchObject({ packets: 40, bytes: 40 * 64 });
    expect(workloadSpec('io-rr')!.measure(machine)).toBe(machine.roi!.cycles / 40);
  });

  it('io-stream: the sink received every packet, and the wire is close to full', () => {
    const { machine } = run(assembleGuest(sourcePath('io-stream')), 200);
    expect(machine.peer.stats).toMatchObject({ packets: 200, bytes: 200 * IO_STREAM_PACKET_BYTES });
    const bytesPerKiloCycle = workloadSpec('io-stream')!.measure(machine)!;
    const wireRate = (1024 * 1000) / machine.costs.wireCyclesPerKiB;
    expect(bytesPerKiloCycle).toBeLessThanOrEqual(wireRate);
    expect(bytesPerKiloCycle).toBeGreaterThan(0.9 * wireRate);
  });

  for (const name of ['kv', 'web']) {
    it(`${name}: the client checked every response and found no mismatch`, () => {
      for (const n of [1, 57]) {
        const { machine, result, console } = run(assembleGuest(sourcePath(name)), n);
        expect(result.exitCode).toBe(0);
        expect(console).toBe(reference(name, n));
        // n answered requests, plus the announcement, which counts no transaction
        expect(machine.peer.stats).toMatchObject({ transactions: n, mismatches: 0, packets: n + 1 });
      }
    });
  }

  it('kv: a server that answers a miss as a hit is caught by the client', () => {
    const path = sourcePath('kv');
    const source = readFileSync(path, 'utf8');
    const patched = source.replace('mov dword [ebx + RESP_STATUS], KV_MISS', 'mov dword [ebx + RESP_STATUS], KV_OK');
    expect(patched).not.toBe(source);
    const program = assembleFile(path, { includePaths: [INCLUDE_DIR], readFile: (p) => (p === path ? patched : readFileSync(p, 'utf8')) });
    const { machine } = run(program, 100);
    const misses = 100 - kvTallies(100).sets - kvTallies(100).hits;
    expect(machine.peer.stats).toMatchObject({ transactions: 100, mismatches: misses });
  });

  it('web: with no disk, it says it cannot read its directory', () => {
    const machine = new Machine({ peer: 'web' });
    machine.loadProgram(assembleGuest(sourcePath('web')));
    expect(machine.run({ maxInstructions: BUDGET })).toMatchObject({ status: 'exited', exitCode: 1 });
    expect(machine.serial.text()).toBe('web: cannot read the directory from the disk\n');
  });

  it('give byte-identical --json run after run, with the region of interest in it', async () => {
    for (const spec of WORKLOADS) {
      // Once as a process of its own, once in this one (whose modules other runs have used).
      const args = ['run', spec.name, '--json', '--iterations', '20'];
      const once = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
      const twice = await smtnestHere(...args);
      expect(once.status, once.stderr).toBe(0);
      expect(twice.status, twice.stderr).toBe(0);
      expect(twice.stdout).toBe(once.stdout);
      const report = JSON.parse(once.stdout);
      expect(Object.keys(report.roi)).toEqual(['begin', 'end', 'cycles']);
      expect(report.roi.cycles).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe('the I/O workloads under one and two hypervisors', () => {
  const N = 20;
  const IO_WORKLOADS = WORKLOADS.filter((w) => w.name !== 'compute');
  const HYPERVISORS = hypervisorsFor(MAX_DEPTH);
  const programs = new Map(IO_WORKLOADS.map((spec) => [spec.name, assembleGuest(sourcePath(spec.name))]));

  /** A run of N iterations, as `smtnest run <name> --depth D --mode M` builds it. */
  function nestedRun(name: string, depth: number, mode: Mode) {
    const machine = buildMachine({ workload: programs.get(name)!, depth, mode, iterations: N }, HYPERVISORS);
    const result = machine.run({ maxInstructions: BUDGET });
    return { machine, result, console: machine.serial.text() };
  }
  const runs = new Map<string, ReturnType<typeof nestedRun>>();
  /** The run of name at depth in mode, made once for every test that looks at it. */
  function runOf(name: string, depth: number, mode: Mode = 'baseline') {
    const key = `${name} ${depth} ${mode}`;
    if (!runs.has(key)) runs.set(key, nestedRun(name, depth, mode));
    return runs.get(key)!;
  }

  /** The peer saw the N transactions and found nothing wrong with them. */
  function expectPeerServed(spec: WorkloadSpec, machine: Machine) {
    const { peer } = machine;
    if (peer instanceof ClosedLoopClient) {
      // N answered requests, plus the announcement, which counts no transaction
      expect(peer.stats).toMatchObject({ transactions: N, mismatches: 0, packets: N + 1 });
    } else if (spec.name === 'io-rr') {
      expect(peer.stats).toMatchObject({ packets: N, bytes: N * 64 });
    } else {
      expect(peer.stats).toMatchObject({ packets: N, bytes: N * IO_STREAM_PACKET_BYTES });
    }
  }

  const exitCount = (machine: Machine, from: string, to: string, reason: string) =>
    machine.stats().exits.find((e) => e.from === from && e.to === to && e.reason === reason)?.count ?? 0;

  for (const spec of IO_WORKLOADS) {
    for (const depth of [1, 2]) {
      for (const mode of IMPLEMENTED_MODES) {
        it(`${spec.name} at depth ${depth}, ${mode}: the bare console, its region of interest, its peer served, a positive figure`, () => {
          const { machine, result, console } = runOf(spec.name, depth, mode);
          expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
          expect(console).toBe(runOf(spec.name, 0).console);
          const roi = machine.roi!;
          expect(roi).not.toBeNull();
          expect(roi.cycles).toBeGreaterThan(0);
          expect(roi.end).toBeLessThan(machine.stats().cycles);
          expectPeerServed(spec, machine);
          expect(spec.measure(machine)).toBeGreaterThan(0);
          if (depth === 2) {
            // The physical interrupt exits to L0 (from L2, or from L1 waiting
            // for one); L0 completes its device model and makes L1's vector
            // pending, which reaches L1 as an exit of L2 or, when L2 halted
            // first, while L1 waits in its HLT handler, blocked in its own
            // hlt; L1 completes its model and injects L2's vector. L2's port
            // accesses are L1's to handle.
            expect(exitCount(machine, 'L1', 'L0', 'EXTERNAL_INTERRUPT') + exitCount(machine, 'L2', 'L0', 'EXTERNAL_INTERRUPT')).toBeGreaterThan(0);
            const whileWaiting = Math.min(exitCount(machine, 'L2', 'L1', 'HLT'), exitCount(machine, 'L1', 'L0', 'HLT'));
            expect(exitCount(machine, 'L2', 'L1', 'EXTERNAL_INTERRUPT') + whileWaiting).toBeGreaterThan(0);
            expect(exitCount(machine, 'L2', 'L1', 'IO_INSTRUCTION')).toBeGreaterThan(0);
          }
        });
      }
    }
  }

  it('every level costs: io-rr latency rises from depth 0 to 1 to 2, kv throughput falls, in every mode', () => {
    const figure = (name: string, depth: number, mode: Mode) => workloadSpec(name)!.measure(runOf(name, depth, mode).machine)!;
    for (const mode of IMPLEMENTED_MODES) {
      const latency = [0, 1, 2].map((depth) => figure('io-rr', depth, mode));
      expect(latency[1], `io-rr ${mode}`).toBeGreaterThan(latency[0]);
      expect(latency[2], `io-rr ${mode}`).toBeGreaterThan(latency[1]);
      const throughput = [0, 1, 2].map((depth) => figure('kv', depth, mode));
      expect(throughput[1], `kv ${mode}`).toBeLessThan(throughput[0]);
      expect(throughput[2], `kv ${mode}`).toBeLessThan(throughput[1]);
    }
  });

  it('give byte-identical JSON reports at depth 2, run after run', () => {
    for (const spec of IO_WORKLOADS) {
      for (const mode of IMPLEMENTED_MODES) {
        const json = ({ machine, result }: ReturnType<typeof nestedRun>) => JSON.stringify(runReport(machine, result), null, 2);
        expect(json(nestedRun(spec.name, 2, mode)), `${spec.name} ${mode}`).toBe(json(runOf(spec.name, 2, mode)));
      }
    }
  });
});

describe('the region of interest port', () => {
  const program = (body: string) =>
    assembleSource(`%include "ports.inc"\n_start:\n${body}\n    out PORT_DEBUG_EXIT, eax\n`, 'roi.s', { includePaths: [INCLUDE_DIR] });
  const roiOf = (body: string) => {
    const machine = new Machine({ ramSize: 1 << 16 });
    machine.loadProgram(program(body));
    machine.run({ maxInstructions: 1000 });
    return { roi: machine.roi, report: runReport(machine, machine.outcome!) };
  };
  const mark = (value: number) => `    mov eax, ${value}\n    out PORT_ROI, eax`;
  const spin = '    pause\n    pause';

  it('records the first begin and the last end, in machine cycles, at no cost', () => {
    const { roi, report } = roiOf([spin, mark(ROI_BEGIN), spin, mark(ROI_BEGIN), spin, mark(ROI_END), spin, mark(ROI_END)].join('\n'));
    // pause costs 140 cycles, mov 1, and the ROI port nothing
    expect(roi).toEqual({ begin: 281, end: 281 + 3 * 281, cycles: 3 * 281 });
    expect(report.roi).toEqual(roi);
  });

  it('is null when the program marks no region, only a beginning, or an end before it', () => {
    expect(roiOf(spin).roi).toBeNull();
    expect(roiOf(mark(ROI_BEGIN)).roi).toBeNull();
    expect(roiOf([mark(ROI_END), spin, mark(ROI_BEGIN)].join('\n')).roi).toBeNull();
    expect(roiOf(mark(7)).report.roi).toBeNull();
  });
});
