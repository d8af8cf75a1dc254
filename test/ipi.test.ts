// Inter-processor interrupts: wrmsr to the x2APIC's interrupt command
// register (MSR 0x830) raises eax's vector at thread edx's controller.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { assembleSource } from '../src/asm/index.ts';
import { Machine } from '../src/machine/machine.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

function run(source: string, threads: number) {
  const program = assembleSource(source, 'ipi.s', { includePaths: [join(PROJECT_ROOT, 'guests/include')] });
  const machine = new Machine({ ramSize: 1 << 20, threads });
  machine.loadProgram(program);
  const result = machine.run({ maxInstructions: 1_000_000 });
  const word = (name: string) => {
    const symbol = program.symbols.find((s) => s.name === name);
    if (!symbol) throw new Error(`no symbol ${name}`);
    return machine.memory.readU32(symbol.address);
  };
  return { machine, result, word };
}

// Thread 0 starts threads 1 and 2, which wait in hlt with interrupts on,
// each counting the vectors it takes; thread 0 then sends IPI_VECTOR to
// thread DEST and waits for a handler to report.
const program = (dest: number, threads = 3) => `%include "ports.inc"
IPI_VECTOR equ 0x40
%macro start_thread 2
    mov eax, %2
    out PORT_THREAD_START_EIP, eax
    mov eax, (%1 + 1) * 0x10000
    out PORT_THREAD_START_ESP, eax
    mov eax, %1
    out PORT_THREAD_START, eax
%endmacro
_start:
    mov esp, 0x10000
    xor ecx, ecx
.fill:
    mov dword [idt + ecx*4], unexpected
    inc ecx
    cmp ecx, 256
    jb .fill
    mov dword [idt + IPI_VECTOR*4], on_ipi
    mov dword [idt + 13*4], on_gp
    lidt [idt_descriptor]
${Array.from({ length: threads - 1 }, (_, i) => `    start_thread ${i + 1}, waiter`).join('\n')}
.ready:
    pause
    cmp dword [ready], ${threads - 1}
    jb .ready
    mov ecx, 0x830
    mov eax, IPI_VECTOR
    mov edx, ${dest}
    wrmsr
    rdtsc
    mov [sent_at], eax
.wait:
    pause
    cmp dword [taken_by], -1
    je .wait
    mov eax, 0
    out PORT_DEBUG_EXIT, eax
waiter:
    lidt [idt_descriptor]
    sti
    inc dword [ready]
.idle:
    hlt
    jmp .idle
on_ipi:
    push eax
    push edx
    rdtsc
    mov [taken_at], eax
    in eax, PORT_THREAD_ID
    mov [taken_by], eax
    inc dword [taken]
    pop edx
    pop eax
    iret
on_gp:
    mov dword [taken_by], 0x0d
    mov eax, 0
    out PORT_DEBUG_EXIT, eax
unexpected:
    mov eax, 3
    out PORT_DEBUG_EXIT, eax
align 64
ready: dd 0
taken_by: dd -1
taken: dd 0
sent_at: dd 0
taken_at: dd 0
idt_descriptor: dd idt, 256
align 4
idt: times 256 dd 0
`;

describe('inter-processor interrupts (x2APIC ICR, MSR 0x830)', () => {
  it('raise the vector at the destination thread only, waking it from hlt', () => {
    for (const dest of [1, 2]) {
      const { result, word } = run(program(dest), 3);
      expect(result.status).toBe('exited');
      expect(result.exitCode).toBe(0);
      expect(word('taken_by')).toBe(dest);
      expect(word('taken')).toBe(1);
    }
  });

  it('is taken at the sender\'s time', () => {
    const { word } = run(program(1, 2), 2);
    expect(word('taken_by')).toBe(1);
    // Thread 1 slept in hlt; its handler ran within a few instructions of
    // the wrmsr (both clocks count from the same start), not at some later
    // device event.
    expect(Math.abs(word('taken_at') - word('sent_at'))).toBeLessThan(100);
  });

  it('raise #GP for a destination that is not a thread', () => {
    const { result, word } = run(program(3), 3);
    expect(result.status).toBe('exited');
    expect(word('taken_by')).toBe(0x0d);
    expect(word('taken')).toBe(0);
  });
});
