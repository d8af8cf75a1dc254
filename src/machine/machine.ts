// The bare machine: RAM, the port bus with its devices, the interrupt
// controller and a hardware thread, plus the run loop that advances them in
// simulated time. This is the library API the CLI and the tests drive.

import type { Program } from '../asm/index.ts';
import { Cpu, STATE_RUNNING, STOP_TRIPLE_FAULT } from '../cpu/cpu.ts';
import { PortBus } from '../devices/bus.ts';
import { DebugExit } from '../devices/debug-exit.ts';
import { InterruptController } from '../devices/interrupts.ts';
import { SerialConsole } from '../devices/serial.ts';
import { Timer } from '../devices/timer.ts';
import { Tracepoint } from '../devices/tracepoint.ts';
import { ExitStats } from '../vmx/exit-stats.ts';
import { encodeBootInfo, type BootInfo, type BootModule, type Mode } from './bootinfo.ts';
import { defaultCosts, type CostModel } from './cost-model.ts';
import { Memory } from './memory.ts';
import { collectStats, type MachineStats } from './stats.ts';

export const DEFAULT_RAM_SIZE = 16 * 1024 * 1024;

export interface MachineOptions {
  /** RAM in bytes, a multiple of 4096 (default 16 MiB). */
  ramSize?: number;
  /** Receives each console byte as it is written (the CLI streams to stdout). */
  consoleSink?: (byte: number) => void;
  /** Cost-model parameters (default: src/machine/cost-model.ts). */
  costs?: CostModel;
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
}

export type RunStatus = 'exited' | 'halted' | 'triple-fault' | 'budget';

export interface RunResult {
  status: RunStatus;
  /** The debug-exit status for 'exited'; 0 for 'halted'; see EXIT_STATUS for the others. */
  exitCode: number;
  /** One line saying why the run ended. */
  reason: string;
}

/** Process exit statuses for runs that did not end through the debug-exit port. */
export const EXIT_STATUS = { halted: 0, budget: 124, tripleFault: 125 } as const;

export class Machine {
  readonly memory: Memory;
  readonly bus = new PortBus();
  readonly interrupts = new InterruptController();
  readonly serial: SerialConsole;
  readonly debugExit = new DebugExit();
  readonly timer: Timer;
  readonly cpu: Cpu;
  readonly exits = new ExitStats();
  readonly costs: CostModel;
  /** Where the boot-info block was written, and what it said. */
  bootInfoAddress = 0;
  bootInfo: BootInfo | null = null;
  private result: RunResult | null = null;

  constructor(options: MachineOptions = {}) {
    this.memory = new Memory(options.ramSize ?? DEFAULT_RAM_SIZE);
    this.serial = new SerialConsole(options.consoleSink);
    this.timer = new Timer(this.interrupts);
    this.bus.attach(this.serial);
    this.bus.attach(this.debugExit);
    this.bus.attach(this.timer);
    this.costs = options.costs ?? defaultCosts();
    this.cpu = new Cpu(this.memory, this.bus, this.interrupts, {
      id: 0,
      threads: 1,
      vmxCosts: { vmExit: this.costs.vmExit, vmEntry: this.costs.vmEntry },
      exits: this.exits,
    });
    this.memory.onMonitoredWrite = (line) => this.cpu.noteMonitoredWrite(line);
    this.bus.attach(
      new Tracepoint({
        enteringLevel: (_thread, level) => {
          this.cpu.guestLevel = level;
        },
        forwarded: (_thread, from, to, reason) => this.exits.forwarded(this.cpu, from, to, reason),
      }),
    );
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
      threads: 1,
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

  /** Runs until the guest exits, halts for good, triple-faults or a budget ends. */
  run(options: RunOptions = {}): RunResult {
    const maxInstructions = options.maxInstructions ?? Infinity;
    const maxCycles = options.maxCycles ?? Infinity;
    const cpu = this.cpu;
    const step = options.onInstruction;
    while (this.result === null) {
      if (this.debugExit.status !== null) {
        this.finish('exited', this.debugExit.status, `guest wrote ${this.debugExit.status} to the debug-exit port`);
        break;
      }
      if (cpu.instructions >= maxInstructions) {
        this.finish('budget', EXIT_STATUS.budget, `instruction budget of ${maxInstructions} exhausted at eip 0x${(cpu.eip >>> 0).toString(16)}`);
        break;
      }
      if (cpu.cycles >= maxCycles) {
        this.finish('budget', EXIT_STATUS.budget, `cycle budget of ${maxCycles} exhausted at eip 0x${(cpu.eip >>> 0).toString(16)}`);
        break;
      }
      if (cpu.cycles >= this.timer.deadline) {
        this.timer.fire();
        continue;
      }
      if (cpu.state !== STATE_RUNNING) {
        if (cpu.canWake) {
          cpu.wake();
          continue;
        }
        // Only an interrupt can end the sleep now (no other thread or device
        // writes memory): it must be unmasked, and a device must be able to raise it.
        const interruptCanWake = cpu.wakesOnEvent;
        const wakeAt = Math.min(this.timer.deadline, cpu.vmx.preemptionDeadline);
        if (!interruptCanWake || wakeAt === Infinity) {
          this.finish(
            'halted',
            EXIT_STATUS.halted,
            interruptCanWake
              ? 'halted waiting for an interrupt, with no device left to raise one'
              : 'halted with interrupts disabled',
          );
          break;
        }
        // Asleep until the next device event: time passes, nothing executes.
        cpu.cycles = Math.min(wakeAt, maxCycles);
        continue;
      }
      const cycleLimit = Math.min(this.timer.deadline, maxCycles);
      if (step) step(cpu);
      const stop = cpu.run(step ? 1 : maxInstructions - cpu.instructions, cycleLimit);
      if (stop === STOP_TRIPLE_FAULT) {
        this.finish('triple-fault', EXIT_STATUS.tripleFault, `triple fault: ${cpu.tripleFaultReason}`);
      }
    }
    return this.result!;
  }

  /** The run's outcome, or null while it has not ended. */
  get outcome(): RunResult | null {
    return this.result;
  }

  stats(): MachineStats {
    return collectStats(this);
  }

  private finish(status: RunStatus, exitCode: number, reason: string): void {
    this.result = { status, exitCode, reason };
  }
}
