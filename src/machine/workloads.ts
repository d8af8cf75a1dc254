// The bundled workloads of the paper's evaluation, as data: what each needs
// at the other end of the NIC and on the disk, the figure it is measured by,
// and how that figure comes out of a finished run. buildMachine
// (scenario.ts) gives a workload its peer and disk from here, found by the
// name of the source file of the program's entry point, so that every
// machine built there for guests/workloads/kv.s talks to the kv client.
//
// Every figure is taken over the region of interest the workload marks
// (PORT_ROI, docs/machine.md), so that boot, setup and the final report do
// not count, and divided by the work done in it: the transactions the peer
// completed where the peer sees them all before the run ends, else the
// workload's iteration count.

import { basename, extname } from 'node:path';
import type { Program } from '../asm/index.ts';
import { ClosedLoopClient } from '../devices/client.ts';
import type { PeerKind } from '../devices/peer.ts';
import { webDiskImage } from '../devices/web-client.ts';
import type { Machine, MachineOptions } from './machine.ts';

export type Metric = 'latency' | 'bandwidth' | 'throughput';

export interface WorkloadSpec {
  /** guests/workloads/<name>.s, and the name `smtnest run` takes. */
  readonly name: string;
  /** What it does, and which real benchmark it stands for. */
  readonly description: string;
  /** The peer at the other end of the NIC's wire (default: echo). */
  readonly peer?: PeerKind;
  /** The disk image it reads (default: an empty disk). */
  readonly disk?: () => Uint8Array;
  readonly metric: Metric;
  readonly unit: string;
  readonly lowerIsBetter: boolean;
  /** The iteration count it uses when the boot-info ITERATIONS is 0: its
   * source's DEFAULT_ constant (test/io-workloads.test.ts checks they agree). */
  readonly defaultIterations: number;
  /** The figure of a finished run, or null when it marked no region of interest. */
  measure(machine: Machine): number | null;
}

/** The bytes of each io-stream packet (guests/workloads/io-stream.s). */
export const IO_STREAM_PACKET_BYTES = 1024;
const IO_STREAM_DEFAULT_PACKETS = 1000;
const COMPUTE_DEFAULT_ROUNDS = 20;

/** The iteration count the workload of `machine` ran, given its default. */
function iterations(machine: Machine, defaultIterations: number): number {
  return machine.bootInfo?.iterations || defaultIterations;
}

/** Responses the client peer of `machine` checked. */
function clientTransactions(machine: Machine): number {
  if (!(machine.peer instanceof ClosedLoopClient)) throw new Error(`the ${machine.peer.kind} peer is not a client`);
  return machine.peer.stats.transactions;
}

export const WORKLOADS: readonly WorkloadSpec[] = [
  {
    name: 'io-rr',
    description: 'netperf TCP_RR: a 64-byte request to an echo peer, wait for the echo, repeat; cycles per round trip',
    peer: 'echo',
    metric: 'latency',
    unit: 'cycles/transaction',
    lowerIsBetter: true,
    defaultIterations: 300,
    measure: (machine) => (machine.roi ? machine.roi.cycles / machine.peer.stats.packets : null),
  },
  {
    name: 'io-stream',
    description: 'netperf TCP_STREAM: 1,024-byte packets to a sink, the transmit ring kept full; bytes sent per 1,000 cycles',
    peer: 'sink',
    metric: 'bandwidth',
    unit: 'bytes/kcycle',
    lowerIsBetter: false,
    defaultIterations: IO_STREAM_DEFAULT_PACKETS,
    measure: (machine) =>
      machine.roi ? (iterations(machine, IO_STREAM_DEFAULT_PACKETS) * IO_STREAM_PACKET_BYTES * 1000) / machine.roi.cycles : null,
  },
  {
    name: 'kv',
    description: 'memcached under memtier: a key-value server (hash table in memory) answering GETs and SETs of a client',
    peer: 'kv',
    metric: 'throughput',
    unit: 'requests/Mcycle',
    lowerIsBetter: false,
    defaultIterations: 300,
    measure: (machine) => (machine.roi ? (clientTransactions(machine) * 1e6) / machine.roi.cycles : null),
  },
  {
    name: 'web',
    description: 'a static web server under wrk: each requested file read from the block device, no cache',
    peer: 'web',
    disk: () => webDiskImage(),
    metric: 'throughput',
    unit: 'requests/Mcycle',
    lowerIsBetter: false,
    defaultIterations: 200,
    measure: (machine) => (machine.roi ? (clientTransactions(machine) * 1e6) / machine.roi.cycles : null),
  },
  {
    name: 'compute',
    description: 'CPU-bound: repeated 16x16 matrix products, no I/O; a hypervisor should cost it almost nothing',
    metric: 'throughput',
    unit: 'products/Mcycle',
    lowerIsBetter: false,
    defaultIterations: COMPUTE_DEFAULT_ROUNDS,
    measure: (machine) => (machine.roi ? (iterations(machine, COMPUTE_DEFAULT_ROUNDS) * 1e6) / machine.roi.cycles : null),
  },
];

/** The table entry of the bundled workload called `name`, if there is one. */
export function workloadSpec(name: string): WorkloadSpec | undefined {
  return WORKLOADS.find((w) => w.name === name);
}

/** The table entry of a program, by the name of the source file its entry
 * point was assembled from (an image keeps that in its line table); none
 * for a flat binary or a program of another name. */
export function workloadOfProgram(program: Program): WorkloadSpec | undefined {
  const file = program.lines.find((line) => line.address === program.entry)?.file;
  return file === undefined ? undefined : workloadSpec(basename(file, extname(file)));
}

/** The machine options a program needs for its table entry's devices: its
 * peer and disk (none for a program outside the table). */
export function workloadDevices(program: Program): Pick<MachineOptions, 'peer' | 'disk'> {
  const spec = workloadOfProgram(program);
  return { peer: spec?.peer, disk: spec?.disk?.() };
}
