// The machine's port map: the one list from which the devices take their
// ports and from which guests/include/ports.inc and docs/machine.md are made.

export interface PortInfo {
  readonly name: string;
  readonly port: number;
  readonly device: string;
  readonly access: 'r' | 'w' | 'rw';
  readonly description: string;
}

export const PORTS = {
  SERIAL_DATA: { name: 'SERIAL_DATA', port: 0x3f8, device: 'serial', access: 'rw', description: 'write: print the low byte on the console; read: 0 (no input)' },
  SERIAL_LINE_STATUS: { name: 'SERIAL_LINE_STATUS', port: 0x3fd, device: 'serial', access: 'r', description: 'reads 0x60: transmitter empty, ready for the next byte' },
  DEBUG_EXIT: { name: 'DEBUG_EXIT', port: 0xf4, device: 'debug-exit', access: 'w', description: "write: stop the machine; the run's exit status is the low byte" },
  TIMER_PERIOD: { name: 'TIMER_PERIOD', port: 0x40, device: 'timer', access: 'rw', description: 'cycles between timer interrupts (or until the one-shot interrupt)' },
  TIMER_VECTOR: { name: 'TIMER_VECTOR', port: 0x41, device: 'timer', access: 'rw', description: 'interrupt vector the timer raises (default 0x20)' },
  TIMER_CONTROL: { name: 'TIMER_CONTROL', port: 0x42, device: 'timer', access: 'rw', description: 'write 0: stop; 1: periodic; 2: one-shot; counting starts at the write' },
  TIMER_TICKS: { name: 'TIMER_TICKS', port: 0x43, device: 'timer', access: 'r', description: 'number of interrupts the timer has raised' },
  TIMER_TARGET: { name: 'TIMER_TARGET', port: 0x44, device: 'timer', access: 'rw', description: 'hardware thread the timer interrupts (default 0)' },
  NIC_TX_RING: { name: 'NIC_TX_RING', port: 0x600, device: 'nic', access: 'w', description: 'physical address of the transmit descriptor ring' },
  NIC_TX_SIZE: { name: 'NIC_TX_SIZE', port: 0x601, device: 'nic', access: 'w', description: 'descriptors in the transmit ring (1-256); resets both indices' },
  NIC_TX_TAIL: { name: 'NIC_TX_TAIL', port: 0x602, device: 'nic', access: 'w', description: 'doorbell: the driver filled descriptors up to (not including) this index' },
  NIC_TX_HEAD: { name: 'NIC_TX_HEAD', port: 0x603, device: 'nic', access: 'r', description: 'the device sent every descriptor before this index' },
  NIC_RX_RING: { name: 'NIC_RX_RING', port: 0x604, device: 'nic', access: 'w', description: 'physical address of the receive descriptor ring' },
  NIC_RX_SIZE: { name: 'NIC_RX_SIZE', port: 0x605, device: 'nic', access: 'w', description: 'descriptors in the receive ring (1-256); resets both indices' },
  NIC_RX_TAIL: { name: 'NIC_RX_TAIL', port: 0x606, device: 'nic', access: 'w', description: 'the driver gave buffers up to (not including) this index' },
  NIC_RX_HEAD: { name: 'NIC_RX_HEAD', port: 0x607, device: 'nic', access: 'r', description: 'the device filled every descriptor before this index' },
  NIC_IRQ_VECTOR: { name: 'NIC_IRQ_VECTOR', port: 0x608, device: 'nic', access: 'rw', description: 'interrupt vector for transmit completion and receive (default 0x22)' },
  NIC_IRQ_STATUS: { name: 'NIC_IRQ_STATUS', port: 0x609, device: 'nic', access: 'rw', description: 'bit 0 transmitted, bit 1 received; writing 1s clears them' },
  NIC_IRQ_TARGET: { name: 'NIC_IRQ_TARGET', port: 0x60a, device: 'nic', access: 'rw', description: 'hardware thread the NIC interrupts (default 0)' },
  NIC_RX_DROPS: { name: 'NIC_RX_DROPS', port: 0x60b, device: 'nic', access: 'r', description: 'packets dropped for want of a receive buffer' },
  BLOCK_SECTOR: { name: 'BLOCK_SECTOR', port: 0x620, device: 'block', access: 'w', description: 'first sector (512 bytes each) of the next request' },
  BLOCK_COUNT: { name: 'BLOCK_COUNT', port: 0x621, device: 'block', access: 'w', description: 'sectors of the next request' },
  BLOCK_BUFFER: { name: 'BLOCK_BUFFER', port: 0x622, device: 'block', access: 'w', description: 'physical address of its DMA buffer' },
  BLOCK_COMMAND: { name: 'BLOCK_COMMAND', port: 0x623, device: 'block', access: 'w', description: 'write 1: read sectors into the buffer; 2: write the buffer to them; the request starts' },
  BLOCK_STATUS: { name: 'BLOCK_STATUS', port: 0x624, device: 'block', access: 'rw', description: 'bit 0 busy, bit 1 done, bit 2 error; writing 1s clears done and error' },
  BLOCK_VECTOR: { name: 'BLOCK_VECTOR', port: 0x625, device: 'block', access: 'rw', description: 'interrupt vector raised at completion (default 0x21)' },
  BLOCK_TARGET: { name: 'BLOCK_TARGET', port: 0x626, device: 'block', access: 'rw', description: 'hardware thread the completion interrupts (default 0)' },
  BLOCK_SECTORS: { name: 'BLOCK_SECTORS', port: 0x627, device: 'block', access: 'r', description: 'size of the disk in sectors' },
  THREAD_ID: { name: 'THREAD_ID', port: 0x530, device: 'thread-control', access: 'r', description: 'the number of the hardware thread that reads it' },
  THREAD_START_EIP: { name: 'THREAD_START_EIP', port: 0x531, device: 'thread-control', access: 'w', description: 'where the next started thread begins' },
  THREAD_START_ESP: { name: 'THREAD_START_ESP', port: 0x532, device: 'thread-control', access: 'w', description: 'the stack pointer the next started thread begins with' },
  THREAD_START: { name: 'THREAD_START', port: 0x533, device: 'thread-control', access: 'w', description: 'write a thread number: that waiting thread starts (as an x86 startup IPI would)' },
  TRACE_LEVEL: { name: 'TRACE_LEVEL', port: 0x510, device: 'tracepoint', access: 'w', description: 'hypervisor software: the level its next VM entry runs (counters are charged to it)' },
  TRACE_FORWARD: { name: 'TRACE_FORWARD', port: 0x511, device: 'tracepoint', access: 'w', description: 'hypervisor software: it forwards an exit; bits 15:0 reason, 23:16 from level, 31:24 to level' },
  ROI: { name: 'ROI', port: 0x512, device: 'tracepoint', access: 'w', description: 'workloads: write 1 (ROI_BEGIN): the measured phase begins; 2 (ROI_END): it ends' },
  TRACE_BLOCK: { name: 'TRACE_BLOCK', port: 0x513, device: 'tracepoint', access: 'w', description: 'hypervisor software: 1 when it blocks its guest\'s vCPU until an event (a halted guest), 0 when the vCPU is runnable again: the exits waiting on it count that time as idle' },
} as const satisfies Record<string, PortInfo>;

/** Latency of an access to a chipset device: about 1 microsecond on PC
 * hardware (Linux's arch/x86 io_delay uses a port 0x80 write as a delay of
 * about 1 us), 2,000 cycles at 2 GHz. The serial console, debug exit and
 * timer charge it. */
export const CHIPSET_ACCESS_CYCLES = 2000;

export const TIMER_DEFAULT_VECTOR = 0x20;
export const BLOCK_DEFAULT_VECTOR = 0x21;
export const NIC_DEFAULT_VECTOR = 0x22;
/** NIC descriptors: 16 bytes: buffer address, length, status, reserved. */
export const NIC_DESCRIPTOR_SIZE = 16;
export const NIC_DESC_ADDRESS = 0;
export const NIC_DESC_LENGTH = 4;
export const NIC_DESC_STATUS = 8;
export const NIC_DESC_DONE = 1 << 0;
export const NIC_DESC_ERROR = 1 << 1;
export const NIC_IRQ_TX = 1 << 0;
export const NIC_IRQ_RX = 1 << 1;
export const NIC_MAX_PACKET = 2048;
export const BLOCK_SECTOR_SIZE = 512;
export const BLOCK_COMMAND_READ = 1;
export const BLOCK_COMMAND_WRITE = 2;
export const BLOCK_STATUS_BUSY = 1 << 0;
export const BLOCK_STATUS_DONE = 1 << 1;
export const BLOCK_STATUS_ERROR = 1 << 2;
export const TIMER_STOP = 0;
export const TIMER_PERIODIC = 1;
export const TIMER_ONE_SHOT = 2;
/** What a workload writes to PORT_ROI around its measured phase, as gem5's
 * m5 resetstats and dumpstats mark one. */
export const ROI_BEGIN = 1;
export const ROI_END = 2;
