// The block device: DMA of whole sectors between the disk image and RAM,
// completion after the modeled latency, an interrupt, and refusal of a
// request outside the disk or the RAM.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { assembleSource } from '../src/asm/index.ts';
import { Machine } from '../src/machine/machine.ts';
import { defaultCosts } from '../src/timing/cost-model.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

const COSTS = defaultCosts();

/** Issues one request (sector, count, buffer, command) and waits for its interrupt. */
const PROGRAM = (sector: number, count: number, buffer: string, command: number) => `
%include "ports.inc"
_start:
    lidt [idt_descriptor]
    mov eax, ${sector}
    out PORT_BLOCK_SECTOR, eax
    mov eax, ${count}
    out PORT_BLOCK_COUNT, eax
    mov eax, ${buffer}
    out PORT_BLOCK_BUFFER, eax
    rdtsc
    mov [started], eax
    mov eax, ${command}
    out PORT_BLOCK_COMMAND, eax
    sti
.wait:
    hlt
    cmp dword [completed], 0
    je .wait
    in eax, PORT_BLOCK_STATUS
    mov [status], eax
    out PORT_DEBUG_EXIT, eax
completed_irq:
    push eax
    rdtsc
    mov [completed], eax
    pop eax
    iret
align 64
started: dd 0
completed: dd 0
status: dd 0
idt_descriptor: dd idt, 0x22
idt: times 0x21 dd 0
    dd completed_irq
align 4096
buffer: times 2048 db 0
`;

function run(source: string, disk: Uint8Array) {
  const program = assembleSource(source, 'block.s', { includePaths: [join(PROJECT_ROOT, 'guests/include')] });
  const machine = new Machine({ ramSize: 1 << 20, disk });
  machine.loadProgram(program);
  const result = machine.run({ maxInstructions: 100_000 });
  const address = (name: string) => program.symbols.find((s) => s.name === name)!.address;
  return { machine, result, word: (name: string) => machine.memory.readU32(address(name)), address };
}

const disk = () => Uint8Array.from({ length: 8 * 512 }, (_, i) => (i * 7 + 3) & 0xff);

describe('the block device', () => {
  it('reads sectors into RAM by DMA and interrupts at completion, after its latency', () => {
    const image = disk();
    const { result, machine, word, address } = run(PROGRAM(2, 3, 'buffer', 1), image);
    expect(result.exitCode).toBe(0b10); // done, no error, not busy
    const buffer = address('buffer');
    expect(machine.memory.read(buffer, 3 * 512)).toEqual(image.subarray(2 * 512, 5 * 512));
    expect(machine.memory.readU32(buffer + 3 * 512)).toBe(0); // nothing past the request
    const transfer = Math.ceil((3 * 512 * COSTS.blockCyclesPerKiB) / 1024);
    expect(word('completed') - word('started')).toBeGreaterThanOrEqual(COSTS.blockLatency + transfer);
    expect(machine.block.requests).toBe(1);
  });

  it('writes RAM to the disk', () => {
    const image = new Uint8Array(4 * 512);
    const source = PROGRAM(1, 1, 'buffer', 2).replace('buffer: times 2048 db 0', 'buffer: times 2048 db 0x5a');
    const { result } = run(source, image);
    expect(result.exitCode).toBe(0b10);
    expect(image.subarray(512, 1024).every((b) => b === 0x5a)).toBe(true);
    expect(image.subarray(0, 512).every((b) => b === 0)).toBe(true);
  });

  it('refuses a request beyond the disk, or a buffer beyond RAM, with the error bit', () => {
    expect(run(PROGRAM(7, 2, 'buffer', 1), disk()).result.exitCode).toBe(0b110);
    const outside = run(PROGRAM(0, 1, '0xfffff000', 1), disk());
    expect(outside.result.exitCode).toBe(0b110);
    expect(outside.machine.block.requests).toBe(0);
  });
});
