// The NIC and its network peer: descriptor rings, doorbell, DMA, interrupts,
// wire and network timing, drops, and refusal of descriptors outside RAM.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { assembleSource } from '../src/asm/index.ts';
import { Machine } from '../src/machine/machine.ts';
import { defaultCosts } from '../src/timing/cost-model.ts';
import type { PeerKind } from '../src/devices/peer.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

const COSTS = defaultCosts();

/** A driver: one receive buffer (unless `noRxBuffer`), then PACKETS packets of LENGTH
 * bytes sent back to back; its interrupt handler collects the status bits, and
 * it waits for a receive (echo peer) or for every transmit to complete (sink). */
const DRIVER = (options: {
  packets?: number;
  length?: number;
  txBuffer?: string;
  rxCapacity?: number;
  noRxBuffer?: boolean;
  waitFor: 'rx' | 'tx';
  /** pause instructions (140 cycles each) to spin before ending the run */
  linger?: number;
}) => `
%include "ports.inc"
PACKETS equ ${options.packets ?? 1}
LENGTH equ ${options.length ?? 16}
_start:
    lidt [idt_descriptor]
    mov eax, rx_ring
    out PORT_NIC_RX_RING, eax
    mov eax, 4
    out PORT_NIC_RX_SIZE, eax
    mov dword [rx_ring + NIC_DESC_ADDRESS], rx_buffer
    mov dword [rx_ring + NIC_DESC_LENGTH], ${options.rxCapacity ?? 2048}
    mov eax, ${options.noRxBuffer ? 0 : 1}
    out PORT_NIC_RX_TAIL, eax
    mov eax, tx_ring
    out PORT_NIC_TX_RING, eax
    mov eax, 8
    out PORT_NIC_TX_SIZE, eax
    xor ecx, ecx
.fill:
    mov edx, ecx
    shl edx, 4                  ; 16-byte descriptors
    mov dword [tx_ring + edx + NIC_DESC_ADDRESS], ${options.txBuffer ?? 'tx_buffer'}
    mov dword [tx_ring + edx + NIC_DESC_LENGTH], LENGTH
    inc ecx
    cmp ecx, PACKETS
    jne .fill
    rdtsc
    mov [sent_at], eax
    mov eax, PACKETS
    out PORT_NIC_TX_TAIL, eax
    ; Wait with interrupts off between the check and the hlt (sti's shadow
    ; covers the hlt), so an interrupt cannot slip in between.
.wait:
    cli
    test dword [seen], ${options.waitFor === 'rx' ? 'NIC_IRQ_RX' : 'NIC_IRQ_TX'}
    jz .sleep
    in eax, PORT_NIC_TX_HEAD
    cmp eax, PACKETS
    je .done
.sleep:
    sti
    hlt
    jmp .wait
.done:
    rdtsc
    mov [done_at], eax
    mov ecx, ${(options.linger ?? 0) + 1}
.linger:
    pause
    dec ecx
    jnz .linger
    xor eax, eax
    out PORT_DEBUG_EXIT, eax
nic_irq:
    push eax
    in eax, PORT_NIC_IRQ_STATUS
    out PORT_NIC_IRQ_STATUS, eax
    or [seen], eax
    pop eax
    iret
align 64
sent_at: dd 0
done_at: dd 0
seen: dd 0
idt_descriptor: dd idt, 0x23
idt: times 0x22 dd 0
    dd nic_irq
align 4096
tx_ring: times 8 * NIC_DESCRIPTOR_SIZE db 0
rx_ring: times 4 * NIC_DESCRIPTOR_SIZE db 0
tx_buffer: db "ping from smtnest"
align 4096
rx_buffer: times 2048 db 0
`;

function run(source: string, peer: PeerKind = 'echo') {
  const program = assembleSource(source, 'nic.s', { includePaths: [join(PROJECT_ROOT, 'guests/include')] });
  const machine = new Machine({ ramSize: 1 << 20, peer });
  machine.loadProgram(program);
  const result = machine.run({ maxInstructions: 100_000 });
  const address = (name: string) => program.symbols.find((s) => s.name === name)!.address;
  const word = (name: string, offset = 0) => machine.memory.readU32(address(name) + offset);
  return { machine, result, word, address };
}

const wire = (bytes: number) => Math.ceil((bytes * COSTS.wireCyclesPerKiB) / 1024);

describe('the NIC', () => {
  it('sends a packet by DMA and receives the echo, after the wire and network times', () => {
    const { result, machine, word, address } = run(DRIVER({ waitFor: 'rx' }));
    expect(result.status).toBe('exited');
    expect(new TextDecoder().decode(machine.memory.read(address('rx_buffer'), 16))).toBe('ping from smtnes');
    expect(word('rx_ring', 4)).toBe(16); // the received length
    expect(word('rx_ring', 8)).toBe(1); // done, no error
    expect(word('tx_ring', 8)).toBe(1);
    const roundTrip = word('done_at') - word('sent_at');
    expect(roundTrip).toBeGreaterThanOrEqual(2 * wire(16) + 2 * COSTS.networkLatency);
    expect(machine.peer.stats).toMatchObject({ packets: 1, bytes: 16 });
  });

  it('puts back-to-back packets on the wire one after the other, for a sink peer', () => {
    const { result, machine } = run(DRIVER({ packets: 6, length: 1024, waitFor: 'tx' }), 'sink');
    expect(result.status).toBe('exited');
    const { packets, bytes, firstArrival, lastArrival } = machine.peer.stats;
    expect(packets).toBe(6);
    expect(bytes).toBe(6 * 1024);
    // Arrivals are spaced by the wire time of a packet: the link's bandwidth.
    expect(lastArrival - firstArrival).toBe(5 * wire(1024));
  });

  it('drops a packet that finds no receive buffer, and counts it', () => {
    // Linger long enough for the echo to come back: 2 network latencies and more.
    const linger = Math.ceil((3 * COSTS.networkLatency) / 140);
    const { machine } = run(DRIVER({ noRxBuffer: true, waitFor: 'tx', linger }));
    expect(machine.peer.stats.packets).toBe(1);
    expect(machine.nic.drops).toBe(1);
  });

  it('refuses a descriptor naming memory outside RAM, or a buffer too short', () => {
    const outside = run(DRIVER({ txBuffer: '0xfffff000', waitFor: 'tx' }));
    expect(outside.word('tx_ring', 8)).toBe(0b11); // done, error
    expect(outside.machine.peer.stats.packets).toBe(0);
    const short = run(DRIVER({ rxCapacity: 8, waitFor: 'rx' }));
    expect(short.word('rx_ring', 8)).toBe(0b11);
    expect(short.machine.memory.readU32(short.address('rx_buffer'))).toBe(0);
  });
});
