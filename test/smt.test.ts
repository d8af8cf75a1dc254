// The SMT core: several hardware threads sharing memory and devices,
// scheduled by their cycle clocks, waking each other with monitor/mwait,
// sharing issue slots while they run together.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { assembleSource } from '../src/asm/index.ts';
import { Machine } from '../src/machine/machine.ts';
import { defaultCosts } from '../src/timing/cost-model.ts';
import { runReport } from '../src/machine/run-report.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

const COSTS = defaultCosts();

function run(source: string, threads: number, maxInstructions = 5_000_000) {
  const program = assembleSource(source, 'smt.s', { includePaths: [join(PROJECT_ROOT, 'guests/include')] });
  const machine = new Machine({ ramSize: 1 << 20, threads });
  machine.loadProgram(program);
  const result = machine.run({ maxInstructions });
  const word = (name: string) => {
    const symbol = program.symbols.find((s) => s.name === name);
    if (!symbol) throw new Error(`no symbol ${name}`);
    return machine.memory.readU32(symbol.address);
  };
  return { machine, result, word };
}

/** Starts thread %1 at label %2 with the stack top %3. */
const START = `
%macro start_thread 3
    mov eax, %2
    out PORT_THREAD_START_EIP, eax
    mov eax, %3
    out PORT_THREAD_START_ESP, eax
    mov eax, %1
    out PORT_THREAD_START, eax
%endmacro
`;

describe('hardware threads', () => {
  it('wait until started, then run with their own registers and know their number', () => {
    const { result, word, machine } = run(
      `%include "ports.inc"
${START}
_start:
    start_thread 1, worker, 0x80000
.wait:
    pause
    cmp dword [done], 0
    je .wait
    mov eax, 0
    out PORT_DEBUG_EXIT, eax
worker:
    in eax, PORT_THREAD_ID
    mov [worker_id], eax
    mov [worker_esp], esp
    mov dword [done], 1
    cli
    hlt
align 64
done: dd 0
worker_id: dd 0
worker_esp: dd 0
`,
      2,
    );
    expect(result.status).toBe('exited');
    expect(word('worker_id')).toBe(1);
    expect(word('worker_esp')).toBe(0x80000);
    expect(machine.threads[1].instructions).toBeGreaterThan(0);
  });

  it('make xchg atomic: three threads count to 3000 under a spinlock', () => {
    const source = `%include "ports.inc"
${START}
ROUNDS equ 1000
_start:
    start_thread 1, worker, 0x70000
    start_thread 2, worker, 0x60000
    call count
.wait:
    pause
    cmp dword [finished], 2
    jne .wait
    mov eax, [counter]
    out PORT_DEBUG_EXIT, eax
worker:
    call count
    call acquire
    inc dword [finished]
    mov dword [lock], 0
    cli
    hlt
acquire:
    mov eax, 1
    xchg eax, [lock]
    test eax, eax
    jz .taken
    pause
    jmp acquire
.taken:
    ret
count:
    mov ecx, ROUNDS
.round:
    call acquire
    mov edx, [counter]
    inc edx
    mov [counter], edx
    mov dword [lock], 0
    dec ecx
    jnz .round
    ret
align 64
lock: dd 0
counter: dd 0
finished: dd 0
`;
    const first = run(source, 3);
    expect(first.word('counter')).toBe(3000);
    const second = run(source, 3);
    // Deterministic: the same interleaving, the same statistics.
    expect(JSON.stringify(runReport(second.machine, second.result))).toBe(JSON.stringify(runReport(first.machine, first.result)));
  });

  it('wake an mwait-ing thread with a store, after the wake-up latency', () => {
    const { result, word } = run(
      `%include "ports.inc"
${START}
_start:
    start_thread 1, waiter, 0x80000
.armed:
    pause
    cmp dword [ready], 0
    je .armed
    mov ecx, 20                 ; let the waiter fall asleep
.spin:
    dec ecx
    jnz .spin
    rdtsc
    mov [written_at], eax
    mov dword [mailbox], 1
.done:
    pause
    cmp dword [woke_at], 0
    je .done
    mov eax, 0
    out PORT_DEBUG_EXIT, eax
waiter:
    mov eax, mailbox
    xor ecx, ecx
    xor edx, edx
    monitor
    mov dword [ready], 1
    xor eax, eax
    mwait
    rdtsc
    mov [woke_at], eax
    cli
    hlt
align 64
mailbox: dd 0
align 64
ready: dd 0
written_at: dd 0
woke_at: dd 0
`,
      2,
    );
    expect(result.status).toBe('exited');
    const delay = word('woke_at') - word('written_at');
    expect(delay).toBeGreaterThanOrEqual(COSTS.mwaitWakeLatency);
    // the store's own cycle and the waiter's mwait and rdtsc: a few dozen cycles more
    expect(delay).toBeLessThan(COSTS.mwaitWakeLatency + 100);
  });

  it('share issue slots with a spinning thread, but not with one in mwait', () => {
    const program = (sibling: 'pause' | 'mwait') => `%include "ports.inc"
${START}
_start:
    start_thread 1, sibling, 0x80000
    mov ecx, 20000
.work:
    add eax, ecx
    dec ecx
    jnz .work
    out PORT_DEBUG_EXIT, ecx
sibling:
${sibling === 'pause' ? '.spin:\n    pause\n    jmp .spin' : '    mov eax, line\n    xor ecx, ecx\n    xor edx, edx\n    monitor\n    mwait\n    jmp sibling'}
align 64
line: dd 0
`;
    const alone = run(program('mwait'), 2).machine.threads[0].cycles;
    const shared = run(program('pause'), 2).machine.threads[0].cycles;
    // Two threads running: each gets 130/200 of the core.
    expect(shared / alone).toBeGreaterThan(1.4);
    expect(shared / alone).toBeLessThan(1.6);
  });

  it('end the run halted when every thread halts with interrupts off', () => {
    const { result } = run(
      `%include "ports.inc"
${START}
_start:
    start_thread 1, other, 0x80000
    cli
    hlt
other:
    cli
    hlt
`,
      2,
    );
    expect(result).toMatchObject({ status: 'halted', reason: 'halted with interrupts disabled' });
  });

  it('send timer interrupts to the thread TIMER_TARGET names', () => {
    const { result, word } = run(
      `%include "ports.inc"
${START}
_start:
    start_thread 1, worker, 0x80000
    mov eax, 1
    out PORT_TIMER_TARGET, eax
    mov eax, 5000
    out PORT_TIMER_PERIOD, eax
    mov eax, 2                  ; one-shot
    out PORT_TIMER_CONTROL, eax
.wait:
    pause
    cmp dword [ticked_on], 0
    je .wait
    mov eax, [ticked_on]
    out PORT_DEBUG_EXIT, eax
worker:
    lidt [idt_descriptor]
    sti
.idle:
    hlt
    jmp .idle
tick:
    in eax, PORT_THREAD_ID
    inc eax                     ; thread 1 -> 2, so that 0 still means "not yet"
    mov [ticked_on], eax
    iret
align 64
ticked_on: dd 0
idt_descriptor: dd idt, 0x21
idt: times 0x20 dd 0
    dd tick
`,
      2,
    );
    expect(result.status).toBe('exited');
    expect(word('ticked_on')).toBe(2);
  });

  it('ignore a start of a thread that is already running', () => {
    const { result, word } = run(
      `%include "ports.inc"
${START}
_start:
    start_thread 1, worker, 0x80000
.wait:
    pause
    cmp dword [count], 0
    je .wait
    start_thread 1, worker, 0x70000
    mov ecx, 200
.spin:
    dec ecx
    jnz .spin
    mov eax, [count]
    out PORT_DEBUG_EXIT, eax
worker:
    inc dword [count]
.forever:
    pause
    jmp .forever
align 64
count: dd 0
`,
      2,
    );
    expect(result.status).toBe('exited');
    expect(word('count')).toBe(1);
  });

  it('report the threads in CPUID and the boot-info block', () => {
    const { word } = run(
      `%include "ports.inc"
%include "bootinfo.inc"
_start:
    mov eax, [ebx + BOOTINFO_THREADS]
    mov [boot_threads], eax
    mov eax, 1
    cpuid
    shr ebx, 16
    and ebx, 0xff
    mov [cpuid_threads], ebx
    out PORT_DEBUG_EXIT, eax
boot_threads: dd 0
cpuid_threads: dd 0
`,
      3,
    );
    expect(word('boot_threads')).toBe(3);
    expect(word('cpuid_threads')).toBe(3);
  });
});

describe('the per-instruction hook', () => {
  it('sees the handler, not the interrupted instruction, after an interrupt is taken', () => {
    const program = assembleSource(
      `%include "ports.inc"
_start:
    lidt [idt_descriptor]
    mov eax, 1000
    out PORT_TIMER_PERIOD, eax
    mov eax, 2
    out PORT_TIMER_CONTROL, eax
    sti
.spin:
    jmp .spin
tick:
    mov eax, 0
    out PORT_DEBUG_EXIT, eax
idt_descriptor: dd idt, 0x21
idt: times 0x20 dd 0
    dd tick
`,
      'hook.s',
      { includePaths: [join(PROJECT_ROOT, 'guests/include')] },
    );
    const machine = new Machine({ ramSize: 1 << 20 });
    machine.loadProgram(program);
    const seen: number[] = [];
    machine.run({ maxInstructions: 10_000, onInstruction: (cpu) => seen.push(cpu.eip) });
    const tick = program.symbols.find((s) => s.name === 'tick')!.address;
    expect(seen).toContain(tick);
    // Every instruction executed was seen once: the count of hook calls is the count of instructions.
    expect(seen.length).toBe(machine.cpu.instructions);
  });
});
