// A block device with DMA: a disk of 512-byte sectors (the machine's disk
// image), one request at a time. Software names sectors, a count and a
// physical buffer, then a command; the device moves the data by DMA when
// the request completes, blockLatency + bytes * blockCyclesPerKiB / 1024
// cycles later, and raises its vector. A request outside the disk or a
// buffer outside RAM completes with the error bit and moves nothing.

import type { Memory } from '../memory/memory.ts';
import type { PortDevice } from './bus.ts';
import type { InterruptController } from './interrupts.ts';
import {
  BLOCK_COMMAND_READ,
  BLOCK_COMMAND_WRITE,
  BLOCK_DEFAULT_VECTOR,
  BLOCK_SECTOR_SIZE,
  BLOCK_STATUS_BUSY,
  BLOCK_STATUS_DONE,
  BLOCK_STATUS_ERROR,
  CHIPSET_ACCESS_CYCLES,
  PORTS,
} from './ports.ts';

export interface BlockTiming {
  /** Cycles from a command to its completion, before the transfer. */
  blockLatency: number;
  /** Cycles per KiB transferred. */
  blockCyclesPerKiB: number;
}

interface Request {
  command: number;
  sector: number;
  count: number;
  buffer: number;
}

export class BlockDevice implements PortDevice {
  readonly name = 'block';
  readonly ports = [
    PORTS.BLOCK_SECTOR.port,
    PORTS.BLOCK_COUNT.port,
    PORTS.BLOCK_BUFFER.port,
    PORTS.BLOCK_COMMAND.port,
    PORTS.BLOCK_STATUS.port,
    PORTS.BLOCK_VECTOR.port,
    PORTS.BLOCK_TARGET.port,
    PORTS.BLOCK_SECTORS.port,
  ];
  readonly accessCycles = CHIPSET_ACCESS_CYCLES;
  private sector = 0;
  private count = 0;
  private buffer = 0;
  private status = 0;
  private vector = BLOCK_DEFAULT_VECTOR;
  private target = 0;
  private pending: Request | null = null;
  /** Cycle at which the request in flight completes; Infinity when idle. */
  deadline = Infinity;
  /** Requests completed, and bytes moved, for the statistics. */
  requests = 0;
  bytes = 0;

  constructor(
    private readonly disk: Uint8Array,
    private readonly memory: Memory,
    private readonly interrupts: readonly InterruptController[],
    private readonly timing: BlockTiming,
  ) {
    if (disk.length % BLOCK_SECTOR_SIZE !== 0) throw new RangeError(`the disk image must be whole ${BLOCK_SECTOR_SIZE}-byte sectors`);
  }

  read(port: number): number {
    switch (port) {
      case PORTS.BLOCK_STATUS.port:
        return this.status;
      case PORTS.BLOCK_VECTOR.port:
        return this.vector;
      case PORTS.BLOCK_TARGET.port:
        return this.target;
      case PORTS.BLOCK_SECTORS.port:
        return this.disk.length / BLOCK_SECTOR_SIZE;
      default:
        return 0;
    }
  }

  write(port: number, value: number, now: number): void {
    switch (port) {
      case PORTS.BLOCK_SECTOR.port:
        this.sector = value >>> 0;
        break;
      case PORTS.BLOCK_COUNT.port:
        this.count = value >>> 0;
        break;
      case PORTS.BLOCK_BUFFER.port:
        this.buffer = value >>> 0;
        break;
      case PORTS.BLOCK_STATUS.port:
        this.status &= ~(value & (BLOCK_STATUS_DONE | BLOCK_STATUS_ERROR));
        break;
      case PORTS.BLOCK_VECTOR.port:
        this.vector = value & 0xff;
        break;
      case PORTS.BLOCK_TARGET.port:
        if ((value >>> 0) < this.interrupts.length) this.target = value >>> 0;
        break;
      case PORTS.BLOCK_COMMAND.port:
        this.start(value, now);
        break;
    }
  }

  private start(command: number, now: number): void {
    if (this.pending) return; // one request at a time: a command while busy is ignored
    this.pending = { command, sector: this.sector, count: this.count, buffer: this.buffer };
    this.status = (this.status & ~(BLOCK_STATUS_DONE | BLOCK_STATUS_ERROR)) | BLOCK_STATUS_BUSY;
    const bytes = this.count * BLOCK_SECTOR_SIZE;
    this.deadline = now + this.timing.blockLatency + Math.ceil((bytes * this.timing.blockCyclesPerKiB) / 1024);
  }

  /** Called by the machine when time reaches `deadline`: the DMA happens now. */
  fire(): void {
    const r = this.pending!;
    this.pending = null;
    this.deadline = Infinity;
    const bytes = r.count * BLOCK_SECTOR_SIZE;
    const offset = r.sector * BLOCK_SECTOR_SIZE;
    const valid =
      (r.command === BLOCK_COMMAND_READ || r.command === BLOCK_COMMAND_WRITE) &&
      offset + bytes <= this.disk.length &&
      r.buffer + bytes <= this.memory.size;
    if (valid) {
      if (r.command === BLOCK_COMMAND_READ) this.memory.load(r.buffer, this.disk.subarray(offset, offset + bytes));
      else this.disk.set(this.memory.read(r.buffer, bytes), offset);
      this.requests++;
      this.bytes += bytes;
    }
    this.status = (this.status & ~BLOCK_STATUS_BUSY) | BLOCK_STATUS_DONE | (valid ? 0 : BLOCK_STATUS_ERROR);
    this.interrupts[this.target].raise(this.vector);
  }
}
