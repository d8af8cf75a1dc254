// monitor/mwait as the exit channel of sw mode relies on them, and the
// channel itself (guests/include/channel.inc, guests/l0/sw.inc,
// guests/l1/sw.inc). On the bare machine: a store that lands between
// monitor and mwait ends the mwait at once; a store to the line that is not
// the awaited one wakes the waiter, which checks and parks again; one
// thread re-arming its monitor elsewhere leaves another thread's monitor of
// the same line armed; a run that ends with a thread parked in mwait is a
// deadlock, not a success. Under EPT, monitor takes a guest-physical
// address. At depth 2 in sw mode: an interrupt for L2 that arrives while L1
// handles an exit, and one that arrives while L1 waits in the channel,
// both reach L2; a late kick on L1's thread costs one exit and nothing
// else; a malformed answer ends the run as L1's error.

import { describe, expect, it } from 'vitest';
import type { Program } from '../src/asm/index.ts';
import { assembleSource } from '../src/asm/index.ts';
import { imageCache } from '../src/machine/image-cache.ts';
import { Machine } from '../src/machine/machine.ts';
import { buildMachine, hypervisorsFor, INCLUDE_DIR } from '../src/machine/scenario.ts';
import { STATE_MWAIT } from '../src/cpu/thread-state.ts';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../src/paths.ts';
import { join } from 'node:path';

/** An offset of the channel's layout, from guests/include/channel.inc. */
const channelInc = readFileSync(join(INCLUDE_DIR, 'channel.inc'), 'utf8');
const channelOffset = (name: string) => Number(new RegExp(`^${name}\\s+equ\\s+(\\S+)`, 'm').exec(channelInc)![1]);

const assemble = (source: string, name: string): Program =>
  assembleSource(source, name, { includePaths: [INCLUDE_DIR] });

function bare(source: string, threads: number) {
  const machine = new Machine({ ramSize: 1 << 20, threads });
  machine.loadProgram(assemble(source, 'mwait.s'));
  const result = machine.run({ maxInstructions: 1_000_000 });
  return { result, console: machine.serial.text() };
}

// Thread 0 starts `waiter` on thread 1 (stack at 0x80000) and, once the
// waiter says its monitor is armed, runs `signal`. Lines: `flag` and
// `neighbour` share one, `armed` has its own.
const twoThreads = (waiter: string, signal: string) => `%include "ports.inc"
_start:
    mov eax, waiter
    out PORT_THREAD_START_EIP, eax
    mov eax, 0x80000
    out PORT_THREAD_START_ESP, eax
    mov eax, 1
    out PORT_THREAD_START, eax
.until_armed:
    cmp dword [armed], 0
    je .until_armed
${signal}
    cli
    hlt
waiter:
${waiter}
delay:                          ; ecx iterations of nothing
    dec ecx
    jnz delay
    ret
align 64
flag: dd 0
neighbour: dd 0
align 64
armed: dd 0
align 64
`;

describe('monitor and mwait', () => {
  it('a store between monitor and mwait ends the mwait at once', () => {
    const { result } = bare(
      twoThreads(
        `    mov eax, flag
    xor ecx, ecx
    xor edx, edx
    monitor
    mov dword [armed], 1
    mov ecx, 3000               ; the store lands meanwhile
    call delay
    xor ecx, ecx
    mwait
    mov eax, [flag]
    out PORT_DEBUG_EXIT, eax`,
        '    mov dword [flag], 7',
      ),
      2,
    );
    expect(result).toMatchObject({ status: 'exited', exitCode: 7 });
  });

  it('a wake-up by another store to the line sends the waiter round again', () => {
    const { result } = bare(
      twoThreads(
        `    xor esi, esi                ; wake-ups
.wait:
    mov eax, flag
    xor ecx, ecx
    xor edx, edx
    monitor
    mov dword [armed], 1
    cmp dword [flag], 0
    jne .done
    mwait
    inc esi
    jmp .wait
.done:
    out PORT_DEBUG_EXIT, esi`,
        `    mov dword [neighbour], 1    ; spurious: same line, not the flag
    mov ecx, 5000
    call delay
    mov dword [flag], 1`,
      ),
      2,
    );
    expect(result).toMatchObject({ status: 'exited', exitCode: 2 });
  });

  it("one thread re-arming its monitor elsewhere leaves another's on the line", () => {
    // Thread 2 arms `flag`'s line too, then moves its monitor to `other`;
    // thread 1 must still wake when `flag` is written.
    const source = twoThreads(
      `    mov eax, second
    out PORT_THREAD_START_EIP, eax
    mov eax, 0x70000
    out PORT_THREAD_START_ESP, eax
    mov eax, 2
    out PORT_THREAD_START, eax
    mov eax, flag
    xor ecx, ecx
    xor edx, edx
    monitor
    inc dword [armed]
    cmp dword [flag], 0
    jne .done
    mwait
.done:
    mov eax, [flag]
    out PORT_DEBUG_EXIT, eax
second:
    cmp dword [armed], 0        ; after thread 1 has armed its monitor
    je second
    mov eax, flag
    xor ecx, ecx
    xor edx, edx
    monitor
    mov eax, other
    monitor
    inc dword [armed]
    cli
    hlt
align 64
other: dd 0`,
      `.both:
    cmp dword [armed], 2
    jb .both
    mov ecx, 3000               ; thread 1 parks in mwait meanwhile
    call delay
    mov dword [flag], 5`,
    );
    expect(bare(source, 3).result).toMatchObject({ status: 'exited', exitCode: 5 });
  });

  it('a run that ends with a thread parked in mwait is a deadlock', () => {
    const { result } = bare(
      `_start:
    mov eax, line
    xor ecx, ecx
    xor edx, edx
    monitor
    mwait
align 64
line: dd 0
`,
      1,
    );
    expect(result.status).toBe('deadlock');
    expect(result.exitCode).toBe(123);
    expect(result.reason).toMatch(/thread 0 waits in mwait/);
  });

  it("under EPT, monitor arms the guest's own line, and one past its memory exits", () => {
    // A store to the guest-physical line the guest monitors wakes it: the
    // monitor was armed on the line's host address, as the store's.
    const own = assemble(
      `%include "ports.inc"
_start:
    mov eax, line
    xor ecx, ecx
    xor edx, edx
    monitor
    mov dword [line], 9
    mwait
    mov eax, [line]
    out PORT_DEBUG_EXIT, eax
align 64
line: dd 0
`,
      'monitor-own.s',
    );
    const machine = buildMachine({ workload: own, depth: 1 });
    expect(machine.run({ maxInstructions: 10_000_000 })).toMatchObject({ status: 'exited', exitCode: 9 });
    const outside = assemble(
      `_start:
    mov eax, 0x7ffff000         ; past the guest's memory
    xor ecx, ecx
    xor edx, edx
    monitor
    mwait
`,
      'monitor-outside.s',
    );
    const probe = buildMachine({ workload: outside, depth: 1 });
    const result = probe.run({ maxInstructions: 10_000_000 });
    expect(result).toMatchObject({ status: 'exited', exitCode: 0x76 });
    expect(probe.serial.text()).toMatch(/outside its memory/);
  });
});

describe('sw mode: the exit channel at depth 2', () => {
  // L2 takes vector 0x30 (printing "I") while it runs CPUID in a loop.
  const ticked = assemble(
    `%include "ports.inc"
_start:
    lidt [idt_descriptor]
    mov dword [idt + 0x30 * 4], on_vector
    sti
    mov esi, 40
.loop:
    xor eax, eax
    cpuid
    dec esi
    jnz .loop
    mov eax, 'd'
    out PORT_SERIAL_DATA, eax
    xor eax, eax
    out PORT_DEBUG_EXIT, eax
on_vector:
    push eax
    mov eax, 'I'
    out PORT_SERIAL_DATA, eax
    pop eax
    iret
align 4
idt_descriptor: dd idt, 256
idt: times 256 dd 0
`,
    'ticked.s',
  );
  const [l0, l1] = hypervisorsFor(2);
  const address = (program: Program, name: string) => program.symbols.find((s) => s.name === name)!.address;

  /** Runs `ticked` at depth 2 in sw mode until `when` holds, does `then`, and runs to the end. */
  function interrupted(shadowing: boolean, when: (machine: Machine, cpu: Machine['cpu']) => boolean, then: (machine: Machine) => void) {
    const machine = buildMachine({ workload: ticked, depth: 2, mode: 'sw', shadowing });
    let cpuids = 0;
    const stopped = machine.runStepped({
      maxInstructions: 50_000_000,
      beforeInstruction: (cpu) => {
        if (cpu.id === 1 && cpu.currentLevel === 1 && cpu.eip === address(l1, 'handle_cpuid')) cpuids++;
        return cpuids >= 10 && when(machine, cpu);
      },
    });
    expect(stopped).toBeNull();
    then(machine);
    const result = machine.run({ maxInstructions: 50_000_000 });
    return { result, console: machine.serial.text(), machine };
  }

  for (const shadowing of [false, true]) {
    it(`an interrupt for L2 while L1 handles its exit reaches L2 (shadowing ${shadowing ? 'on' : 'off'})`, () => {
      const handler = address(l1, 'handle_cpuid');
      const { result, console, machine } = interrupted(
        shadowing,
        (m) => m.threads[1].eip === handler && m.threads[1].currentLevel === 1,
        (m) => m.core.interrupts[0].raise(0x30),
      );
      expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
      expect(console).toBe('Id');
      const row = machine.stats().exits.find((r) => r.from === 'L2' && r.to === 'L1' && r.reason === 'EXTERNAL_INTERRUPT');
      expect(row?.count).toBe(1);
    });

    it(`an interrupt for L1 while it waits in the channel reaches L2 (shadowing ${shadowing ? 'on' : 'off'})`, () => {
      const { result, console } = interrupted(
        shadowing,
        (m, cpu) => m.threads[1].state === STATE_MWAIT && cpu.id === 2 && cpu.currentLevel === 2,
        (m) => m.core.interrupts[0].raise(0x30),
      );
      expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
      expect(console).toBe('Id');
    });
  }

  it("a late kick on L1's thread while L2 owns the vCPU costs L1 one exit and changes nothing", () => {
    const kicks = (m: Machine) => m.stats().exits.find((r) => r.from === 'L1' && r.to === 'L0' && r.reason === 'EXTERNAL_INTERRUPT')?.count ?? 0;
    const quiet = buildMachine({ workload: ticked, depth: 2, mode: 'sw' });
    expect(quiet.run({ maxInstructions: 50_000_000 })).toMatchObject({ status: 'exited', exitCode: 0 });
    const { result, console, machine } = interrupted(
      false,
      (m, cpu) => m.threads[1].state === STATE_MWAIT && cpu.id === 2 && cpu.currentLevel === 2,
      (m) => m.core.interrupts[1].raise(0xf2), // L0_SW_KICK_VECTOR, as the I/O thread sends it
    );
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(console).toBe('d');
    expect(kicks(machine)).toBe(kicks(quiet) + 1);
  });

  // A malformed answer, made by changing the one L1 has written just before
  // it publishes it: each is L1's error, reported by L0, never a crash.
  const malformed: [string, (m: Machine, channel: number) => void, RegExp][] = [
    [
      'writes a field vmcs12 does not have',
      (m, channel) => {
        m.memory.writeU32(channel + channelOffset('CHANNEL_ANSWER_COUNT'), 1);
        m.memory.writeU32(channel + channelOffset('CHANNEL_ANSWER_WRITES'), 0x7776);
      },
      /L0: L1's exit-channel answer writes a VMCS field that does not exist: 0x0*7776/,
    ],
    [
      'holds more writes than the channel does',
      (m, channel) => m.memory.writeU32(channel + channelOffset('CHANNEL_ANSWER_COUNT'), channelOffset('CHANNEL_ANSWER_CAPACITY') + 1),
      /L0: L1's exit-channel answer holds more VMCS writes than the channel has room for: 17/,
    ],
    [
      'asks for an entry the checks refuse (eflags bit 1 clear)',
      (m, channel) => m.memory.writeU32(channel + channelOffset('CHANNEL_ANSWER_RFLAGS'), 0),
      /L0: L1's exit-channel answer asks for an entry that fails the VM-entry checks/,
    ],
  ];
  for (const [what, tamper, message] of malformed) {
    it(`an answer that ${what} is L1's error`, () => {
      const channel = address(l0, 'l0_sw_channel_page');
      const { result, console } = interrupted(
        false,
        (m) => m.threads[1].eip === address(l1, 'l1_sw_exit.answer') && m.threads[1].currentLevel === 1,
        (m) => tamper(m, channel),
      );
      expect(result).toMatchObject({ status: 'exited', exitCode: 0x79 });
      expect(console).toMatch(message);
    });
  }

  // An L1 written for baseline does not take up the channel: L0 gives it
  // baseline's nested VMX, L2 on L1's thread, every VMX instruction a trap.
  for (const [name, guest] of [
    ["L0's own image as L1", () => l0],
    ['guests/l0/tests/nested-vmx.s as L1', () => imageCache.assemble(join(PROJECT_ROOT, 'guests/l0/tests/nested-vmx.s'), { includePaths: [INCLUDE_DIR, join(PROJECT_ROOT, 'guests/tests/vmx')] })],
  ] as const) {
    it(`${name}, which does not use the channel, runs as in baseline on thread 1`, () => {
      const hello = imageCache.assemble(join(PROJECT_ROOT, 'guests/examples/hello.s'), { includePaths: [INCLUDE_DIR] });
      const machine = new Machine({ ramSize: 32 << 20, threads: 3 });
      machine.loadProgram(l0, [guest(), hello], { depth: 2, mode: 'sw' });
      const result = machine.run({ maxInstructions: 30_000_000 });
      expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
      expect(machine.serial.text()).not.toMatch(/not ok/);
      expect(machine.threads[2].instructions).toBe(0);
    });
  }
});
