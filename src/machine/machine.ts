// The bare machine: RAM, the port bus with its devices, the interrupt
// controller and a hardware thread, plus the run loop that advances them in
// simulated time. This is the library API the CLI and the tests drive.

import { COUNTER_ZERO } from '../timing/counter.ts';
import type { Program } from '../asm/index.ts';
import { MAX_LEVELS, type Cpu } from '../cpu/cpu.ts';
import { BlockDevice } from '../devices/block.ts';
import { PortBus } from '../devices/bus.ts';
import { Nic } from '../devices/nic.ts';
import { KvClient } from '../devices/kv-client.ts';
import { EchoPeer, SinkPeer, type NetworkPeer, type PeerKind } from '../devices/peer.ts';
import { WebClient } from '../devices/web-client.ts';
import { DebugExit } from '../devices/debug-exit.ts';
import { SerialConsole } from '../devices/serial.ts';
import { ThreadControl } from '../devices/thread-control.ts';
import { Core, SLICE_STOPPED, SLICE_TRIPLE_FAULT } from '../smt/core.ts';
import { Timer } from '../devices/timer.ts';
import { Tracepoint } from '../devices/tracepoint.ts';
import { ExitStats } from '../cpu/vmx/exit-stats.ts';
import { encodeBootInfo, type BootInfo, type BootModule, type Mode } from './bootinfo.ts';
import { checkCosts, defaultCosts, type CostModel } from '../timing/cost-model.ts';
import { LINE_SHIFT, Memory } from '../memory/memory.ts';
import { STATE_MWAIT } from '../cpu/thread-state.ts';
import { Jit, jitModeFromEnvironment, type JitMode } from '../jit/jit.ts';
import { collectStats, type MachineStats } from './stats.ts';
import { Regions } from './regions.ts';

export const DEFAULT_RAM_SIZE = 16 * 1024 * 1024;

export interface MachineOptions {
  /** RAM in bytes, a multiple of 4096 (default 16 MiB). */
  ramSize?: number;
  /** Receives each console byte as it is written (the CLI streams to stdout). */
  consoleSink?: (byte: number) => void;
  /** Cost-model parameters (default: src/timing/cost-model.ts). */
  costs?: CostModel;
  /** Hardware threads of the core (default 1). */
  threads?: number;
  /** The hw-mode thread extension (default off). */
  threadExtension?: boolean;
  /** The region compiler (docs/performance.md): off, auto (hot code only) or
   * always (compile as soon as code is sampled). Default: SMTNEST_JIT, else auto. */
  jit?: JitMode;
  /** The block device's disk image, whole 512-byte sectors (default: an empty disk). */
  disk?: Uint8Array;
  /** What is at the other end of the NIC's wire: a stock peer by kind (the
   * clients with their default seeds), or a peer of the caller's (default:
   * 'echo', a request/response peer). */
  peer?: PeerKind | NetworkPeer;
}

/** The stock peer of a kind (docs/machine.md). */
function createPeer(kind: PeerKind): NetworkPeer {
  switch (kind) {
    case 'echo':
      return new EchoPeer();
    case 'sink':
      return new SinkPeer();
    case 'kv':
      return new KvClient();
    case 'web':
      return new WebClient();
  }
}

/** The workload's measured phase, in machine cycles: from its first
 * ROI_BEGIN to its last ROI_END (docs/machine.md). */
export interface RegionOfInterest {
  begin: number;
  end: number;
  cycles: number;
}

/** What the boot-info block tells the program besides memory and modules. */
export interface BootOptions {
  /** Hypervisor levels below the booted program: 0 for a bare workload. */
  depth?: number;
  mode?: Mode;
  shadowing?: boolean;
  /** Workload parameter; 0 means the workload's default. */
  iterations?: number;
}

const PAGE = 4096;
const pageAlign = (n: number): number => Math.ceil(n / PAGE) * PAGE;

export interface RunOptions {
  /** Stop after this many instructions in all (default: no limit). */
  maxInstructions?: number;
  /** Stop when the clock reaches this many cycles (default: no limit). */
  maxCycles?: number;
  /** Called before every instruction; slows the run (one instruction per step). */
  onInstruction?: (cpu: Cpu) => void;
  /** Called about every PROGRESS_INSTRUCTIONS instructions, between slices. */
  onProgress?: (instructions: number, cycles: number) => void;
}

export const PROGRESS_INSTRUCTIONS = 1 << 24;

export interface SteppedRunOptions extends Omit<RunOptions, 'onInstruction'> {
  /** Called before every instruction, with the thread about to execute it;
   * true stops the run there, before it executes. */
  beforeInstruction: (cpu: Cpu) => boolean;
}

/** 'clock-stopped': a clock went past 2^53 cycles, where adding a cycle no
 * longer changes it; cost ranges (src/timing/cost-model.ts) keep a budgeted
 * run far from it, so it means a run without budgets ran for years of guest time. */
export type RunStatus = 'exited' | 'halted' | 'triple-fault' | 'budget' | 'clock-stopped' | 'deadlock';

export interface RunResult {
  status: RunStatus;
  /** The debug-exit status for 'exited'; 0 for 'halted'; see EXIT_STATUS for the others. */
  exitCode: number;
  /** One line saying why the run ended. */
  reason: string;
}

/** Process exit statuses for runs that did not end through the debug-exit port. */
export const EXIT_STATUS = { halted: 0, budget: 124, tripleFault: 125, clockStopped: 126, deadlock: 123 } as const;

export class Machine {
  readonly memory: Memory;
  readonly bus = new PortBus();
  readonly serial: SerialConsole;
  readonly debugExit = new DebugExit();
  readonly timer: Timer;
  readonly block: BlockDevice;
  readonly nic: Nic;
  readonly peer: NetworkPeer;
  readonly core: Core;
  readonly exits = new ExitStats();
  /** The hypervisors' tracepoint port; counts the writes it refused. */
  readonly tracepoint: Tracepoint;
  readonly costs: CostModel;
  /** Where the boot-info block was written, and what it said. */
  bootInfoAddress = 0;
  bootInfo: BootInfo | null = null;
  private roiBegin: number | null = null;
  private roiEnd: number | null = null;
  /** The counters of each region the workload marks. */
  readonly regions = new Regions(this);
  /** A PORT_ROI mark, taken once the slice of its `out` ends. */
  private regionMark: 'begin' | 'end' | null = null;
  private regionMarkAt = COUNTER_ZERO;
  private result: RunResult | null = null;

  /** The region compiler, unless it is off. */
  readonly jit: Jit | null = null;

  constructor(options: MachineOptions = {}) {
    this.memory = new Memory(options.ramSize ?? DEFAULT_RAM_SIZE);
    this.serial = new SerialConsole(options.consoleSink);
    this.costs = options.costs ?? defaultCosts();
    checkCosts(this.costs);
    this.core = new Core(this.memory, this.bus, options.threads ?? 1, this.costs, this.exits, options.threadExtension ?? false);
    const jitMode = options.jit ?? jitModeFromEnvironment();
    if (jitMode !== 'off') {
      this.jit = new Jit(this.memory, jitMode);
      for (const thread of this.core.threads) thread.jit = this.jit;
    }
    this.timer = new Timer(this.core.interrupts);
    this.block = new BlockDevice(options.disk ?? new Uint8Array(0), this.memory, this.core.interrupts, {
      blockLatency: this.costs.blockLatency,
      blockCyclesPerKiB: this.costs.blockCyclesPerKiB,
    });
    this.peer = typeof options.peer === 'object' ? options.peer : createPeer(options.peer ?? 'echo');
    this.nic = new Nic(this.memory, this.core.interrupts, this.peer, {
      networkLatency: this.costs.networkLatency,
      wireCyclesPerKiB: this.costs.wireCyclesPerKiB,
    });
    this.bus.attach(this.serial);
    this.bus.attach(this.debugExit);
    this.bus.attach(this.timer);
    this.bus.attach(this.block);
    this.bus.attach(this.nic);
    this.bus.attach(new ThreadControl(this.core));
    this.bus.attach(
      (this.tracepoint = new Tracepoint({
        enteringLevel: (thread, level) => {
          this.core.threads[thread].guestLevel = level;
        },
        forwarded: (thread, from, to, reason) => this.exits.forwarded(this.core.threads[thread], from, to, reason),
        blocked: (thread, blocked, now) => this.exits.blocked(this.core.threads[thread].currentLevel, blocked, now),
        regionOfInterest: (mark, now) => {
          if (mark === 'begin') this.roiBegin ??= now;
          else this.roiEnd = now;
          this.regionMark = mark;
          this.regionMarkAt = now;
        },
      }, () => this.deepestLevel)),
    );
  }

  /** The deepest level a tracepoint may name: the run's depth, or for a
   * bare program that is a hypervisor itself, as deep as the counters go. */
  get deepestLevel(): number {
    const depth = this.bootInfo?.depth ?? 0;
    return depth > 0 ? depth : MAX_LEVELS - 1;
  }

  /** Hardware thread 0, where a program starts. */
  get cpu(): Cpu {
    return this.core.threads[0];
  }

  get threads(): readonly Cpu[] {
    return this.core.threads;
  }

  /** Loads a program to run on the bare machine (docs/boot.md): its bytes at
   * its origin, the boot-info block after it (ebx), then the modules the
   * program is given (the images of the levels below a hypervisor); eip at
   * its entry, esp at the top of RAM, IF clear. */
  loadProgram(program: Program, modules: readonly Program[] = [], options: BootOptions = {}): void {
    const fit = (what: string, address: number, length: number) => {
      if (address + length > this.memory.size) {
        throw new RangeError(
          `${what} of ${length} bytes at 0x${address.toString(16)} does not fit in RAM of 0x${this.memory.size.toString(16)} bytes`,
        );
      }
    };
    fit('program', program.origin, program.bytes.length);
    this.memory.load(program.origin, program.bytes);
    const blockAddress = pageAlign(program.origin + program.bytes.length);
    let next = pageAlign(blockAddress + 1);
    const placed: BootModule[] = [];
    for (const module of modules) {
      fit('module', next, module.bytes.length);
      this.memory.load(next, module.bytes);
      placed.push({ address: next, size: module.bytes.length, origin: module.origin, entry: module.entry });
      next = pageAlign(next + module.bytes.length);
    }
    const info: BootInfo = {
      ramSize: this.memory.size,
      threads: this.core.threads.length,
      depth: options.depth ?? modules.length,
      mode: options.mode ?? 'baseline',
      shadowing: options.shadowing ?? false,
      iterations: options.iterations ?? 0,
      modules: placed,
    };
    const block = encodeBootInfo(info);
    fit('boot-info block', blockAddress, block.length);
    this.memory.load(blockAddress, block);
    this.bootInfoAddress = blockAddress;
    this.bootInfo = info;
    this.cpu.eip = program.entry | 0;
    this.cpu.regs[3] = blockAddress;
    this.cpu.regs[4] = this.memory.size | 0;
    this.cpu.interruptsEnabled = 0;
  }

  /** Runs until the guest exits, every thread halts for good, a thread
   * triple-faults or a budget ends. */
  run(options: RunOptions = {}): RunResult {
    return this.advance(options, options.onInstruction)!;
  }

  /** Runs one instruction at a time (a debugger): to the end of the run (its
   * result), or until `beforeInstruction` stops it (null); a later call
   * continues with the instruction it stopped before. */
  runStepped(options: SteppedRunOptions): RunResult | null {
    return this.advance(options, options.beforeInstruction);
  }

  private advance(options: RunOptions, step: ((cpu: Cpu) => unknown) | undefined): RunResult | null {
    const maxInstructions = options.maxInstructions ?? Infinity;
    const maxCycles = options.maxCycles ?? Infinity;
    const core = this.core;
    const where = () => `at eip 0x${(this.cpu.eip >>> 0).toString(16)}`;
    let nextProgress = PROGRESS_INSTRUCTIONS;
    while (this.result === null) {
      if (this.debugExit.status !== null) {
        this.finish('exited', this.debugExit.status, `guest wrote ${this.debugExit.status} to the debug-exit port`);
        break;
      }
      const executed = core.instructions;
      if (options.onProgress && executed >= nextProgress) {
        nextProgress = executed + PROGRESS_INSTRUCTIONS;
        options.onProgress(executed, this.cpu.cycles);
      }
      if (executed >= maxInstructions) {
        this.finish('budget', EXIT_STATUS.budget, `instruction budget of ${maxInstructions} exhausted ${where()}`);
        break;
      }
      if (!core.clocksExact) {
        this.finish('clock-stopped', EXIT_STATUS.clockStopped, `the clock stopped advancing: a thread's cycle count is past 2^53 ${where()}`);
        break;
      }
      const now = core.now;
      if (now === Infinity) {
        // Every thread sleeps: only a device event (an interrupt, or a DMA
        // write to a monitored line) or a guest's preemption timer can wake one.
        const wakeAt = Math.min(this.nextDeviceEvent, core.nextThreadEvent);
        const dmaPending = Math.min(this.nic.deadline, this.block.deadline) < Infinity;
        const canWake = core.anyWakesOnEvent || (core.anyMwaiting && dmaPending);
        if (!canWake || wakeAt === Infinity) {
          // A thread parked in mwait holds work it waits to be told of: a
          // run that ends with one never ends well (its wake-up was lost).
          const parked = core.threads.find((t) => t.state === STATE_MWAIT);
          if (parked) {
            this.finish(
              'deadlock',
              EXIT_STATUS.deadlock,
              `deadlock: thread ${parked.id} waits in mwait on physical line 0x${(parked.monitorLine << LINE_SHIFT).toString(16)} and nothing can wake it`,
            );
            break;
          }
          this.finish(
            'halted',
            EXIT_STATUS.halted,
            core.anyWakesOnEvent
              ? 'halted waiting for an interrupt, with no device left to raise one'
              : 'halted with interrupts disabled',
          );
          break;
        }
        if (wakeAt >= maxCycles) {
          core.sleepUntil(maxCycles);
          this.finish('budget', EXIT_STATUS.budget, `cycle budget of ${maxCycles} exhausted ${where()}`);
          break;
        }
        core.sleepUntil(wakeAt);
        this.fireDevicesDue(wakeAt);
        core.wakeSleepers(wakeAt);
        continue;
      }
      if (now >= maxCycles) {
        this.finish('budget', EXIT_STATUS.budget, `cycle budget of ${maxCycles} exhausted ${where()}`);
        break;
      }
      const due = this.nextDeviceEvent;
      if (due <= now) {
        this.fireDevicesDue(due);
        core.wakeSleepers(due);
        continue;
      }
      const slice = core.runSlice(Math.min(due, maxCycles), maxInstructions - executed, step);
      if (this.regionMark !== null) {
        this.regions.mark(this.regionMark, this.regionMarkAt);
        this.regionMark = null;
      }
      if (slice === SLICE_STOPPED) return null;
      if (slice === SLICE_TRIPLE_FAULT) {
        this.finish('triple-fault', EXIT_STATUS.tripleFault, `triple fault: ${core.faulted!.tripleFaultReason}`);
      }
    }
    return this.result!;
  }

  // The devices with events due at a cycle (TimedDevice) are named one by
  // one below rather than kept in a list: asked before every slice, each
  // deadline is then read from a device of one class, not through a
  // property lookup that sees three.

  /** The cycle of the next device event, or Infinity. */
  private get nextDeviceEvent(): number {
    return Math.min(this.timer.deadline, this.block.deadline, this.nic.deadline);
  }

  /** Fires every device event due at `time`, in device order. */
  private fireDevicesDue(time: number): void {
    if (this.timer.deadline <= time) this.timer.fire();
    if (this.block.deadline <= time) this.block.fire();
    if (this.nic.deadline <= time) this.nic.fire();
  }

  /** The run's outcome, or null while it has not ended. */
  get outcome(): RunResult | null {
    return this.result;
  }

  /** The measured phase the workload marked, or null unless it marked
   * both ends (an end before the first begin counts as no end). */
  get roi(): RegionOfInterest | null {
    if (this.roiBegin === null || this.roiEnd === null || this.roiEnd < this.roiBegin) return null;
    return { begin: this.roiBegin, end: this.roiEnd, cycles: this.roiEnd - this.roiBegin };
  }

  stats(): MachineStats {
    return collectStats(this);
  }

  /** The machine is done with: its threads' EPT translation caches (4 MiB
   * each, outside V8's heap) go to the next machine made in this thread of
   * the host (src/cpu/vmx/ept.ts). Its memory is not reused: clearing tens
   * of MiB costs more than V8's collections of the new ones. Nothing of the
   * machine may run afterwards. */
  release(): void {
    for (const thread of this.core.threads) thread.vmx.ept.release();
  }

  private finish(status: RunStatus, exitCode: number, reason: string): void {
    this.result = { status, exitCode, reason };
  }
}
