// The hw-mode thread extension: a VM entry stalls the hypervisor's thread and
// resumes the guest's; an exit does the reverse; no state is saved or loaded;
// the hypervisor reaches the stalled guest's registers with rdtreg/wrtreg.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { assembleSource } from '../src/asm/index.ts';
import { Machine } from '../src/machine/machine.ts';
import { defaultCosts } from '../src/timing/cost-model.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

const COSTS = defaultCosts();

/** A bare-metal hypervisor on thread 0 running a guest on thread 1 that does
 * ROUNDS cpuids; the handler answers with eax = 0x1234 + ebx, written with
 * wrtreg, and skips the instruction by writing the guest's eip. */
const HYPERVISOR = (rounds: number, launchControls = 'PROC2_THREAD_SWITCHING') => `
%include "vmcs.inc"
%include "vmx.inc"
%include "exit-reasons.inc"
%include "ports.inc"
%macro vmw 2
    mov r14, %1
    mov r15, %2
    vmwrite r14, r15
%endmacro
ROUNDS equ ${rounds}
_start:
    mov eax, VMCS_REVISION_ID
    mov [vmxon_region], eax
    mov [vmcs], eax
    vmxon [vmxon_ptr]
    vmptrld [vmcs_ptr]
    vmw VMCS_GUEST_RIP, guest
    vmw VMCS_GUEST_RSP, 0x70000
    vmw VMCS_GUEST_RFLAGS, 2
    vmw VMCS_HOST_RIP, on_exit
    vmw VMCS_HOST_RSP, 0x80000
    vmw VMCS_VMCS_LINK_POINTER, -1
    vmw VMCS_VMCS_LINK_POINTER + 1, -1
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, ${launchControls}
    vmw VMCS_GUEST_THREAD, 1
    mov dword [host_esp_before], esp
    vmlaunch
    mov eax, 0xee               ; the launch failed
    out PORT_DEBUG_EXIT, eax
on_exit:
    mov [host_esp_after], esp
    mov r14, VMCS_VM_EXIT_REASON
    vmread eax, r14
    cmp eax, EXIT_REASON_CPUID
    jne .done
    inc dword [exits]
    mov ecx, 3                  ; the guest's ebx
    rdtreg edx, ecx
    add edx, 0x1234
    xor ecx, ecx                ; its eax
    wrtreg ecx, edx
    mov ecx, THREAD_REG_EIP     ; skip the cpuid: the guest's eip is its thread's
    rdtreg eax, ecx
    add eax, 4
    wrtreg ecx, eax
    vmresume
.done:
    mov ecx, 1
    rdtreg eax, ecx             ; the guest's ecx: its sum
    mov [sum], eax
    out PORT_DEBUG_EXIT, eax
guest:
    xor esi, esi
    mov edi, ROUNDS
.round:
    mov ebx, edi
    cpuid
    add esi, eax
    dec edi
    jnz .round
    mov ecx, esi
    vmcall
align 4096
vmxon_region: times 1024 dd 0
vmcs: times 1024 dd 0
vmxon_ptr: dd vmxon_region
vmcs_ptr: dd vmcs
exits: dd 0
sum: dd 0
host_esp_before: dd 0
host_esp_after: dd 0
`;

function run(rounds: number, controls?: string) {
  const program = assembleSource(HYPERVISOR(rounds, controls), 'hw.s', {
    includePaths: [join(PROJECT_ROOT, 'guests/include')],
  });
  const machine = new Machine({ ramSize: 1 << 20, threads: 2, threadExtension: true });
  machine.loadProgram(program);
  const result = machine.run({ maxInstructions: 1_000_000 });
  const word = (name: string) => machine.memory.readU32(program.symbols.find((s) => s.name === name)!.address);
  return { machine, result, word };
}

describe('the hw-mode thread extension', () => {
  it('runs the guest on its own thread, exit by exit, with the registers read and written directly', () => {
    const { result, word, machine } = run(10);
    expect(result.status).toBe('exited');
    expect(word('exits')).toBe(10);
    // sum over ebx = 10..1 of (0x1234 + ebx)
    expect(word('sum')).toBe(10 * 0x1234 + 55);
    // No state is loaded at an exit: the hypervisor keeps its own esp.
    expect(word('host_esp_after')).toBe(word('host_esp_before'));
    expect(machine.threads[1].instructions).toBeGreaterThan(10 * 4);
    const cpuid = machine.exits.list().find((r) => r.reason === 'CPUID')!;
    expect(cpuid).toMatchObject({ from: 'L1', to: 'L0', count: 10 });
  });

  it('charges a thread switch, not a world switch, per transition', () => {
    const { machine } = run(10);
    const cpuid = machine.exits.list().find((r) => r.reason === 'CPUID')!;
    const perExit = cpuid.cycles / cpuid.count;
    // Two thread switches plus the handler's instructions (a few dozen cycles of vmread,
    // rdtreg, wrtreg and vmresume), far below a world switch.
    expect(perExit).toBeGreaterThan(2 * COSTS.threadSwitch);
    expect(perExit).toBeLessThan(COSTS.vmExit);
  });

  it('is advertised by CPUID and the secondary-controls capability, and absent without it', () => {
    const probe = `
%include "vmx.inc"
%include "ports.inc"
_start:
    mov eax, 0x534e0000
    cpuid
    mov [leaf], eax
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    rdmsr
    mov [allowed], edx
    out PORT_DEBUG_EXIT, eax
leaf: dd 0
allowed: dd 0
`;
    const word = (extension: boolean, name: string) => {
      const program = assembleSource(probe, 'probe.s', { includePaths: [join(PROJECT_ROOT, 'guests/include')] });
      const machine = new Machine({ ramSize: 1 << 20, threadExtension: extension });
      machine.loadProgram(program);
      machine.run({ maxInstructions: 1000 });
      return machine.memory.readU32(program.symbols.find((s) => s.name === name)!.address);
    };
    expect(word(true, 'leaf')).toBe(1);
    expect(word(false, 'leaf')).toBe(0);
    expect(word(true, 'allowed') & (1 << 30)).not.toBe(0);
    expect(word(false, 'allowed') & (1 << 30)).toBe(0);
  });

  it("refuses a VM entry naming the hypervisor's own thread (VMfailValid 7)", () => {
    const source = HYPERVISOR(1).replace('vmw VMCS_GUEST_THREAD, 1', 'vmw VMCS_GUEST_THREAD, 0');
    const program = assembleSource(source, 'hw.s', { includePaths: [join(PROJECT_ROOT, 'guests/include')] });
    const machine = new Machine({ ramSize: 1 << 20, threads: 2, threadExtension: true });
    machine.loadProgram(program);
    const result = machine.run({ maxInstructions: 10_000 });
    expect(result.exitCode).toBe(0xee);
  });

  it('raises #UD for rdtreg without the extension', () => {
    const program = assembleSource('_start:\n  rdtreg eax, ecx\n', 'ud.s');
    const machine = new Machine({ ramSize: 1 << 20 });
    machine.loadProgram(program);
    expect(machine.run({ maxInstructions: 100 })).toMatchObject({ status: 'triple-fault' });
    expect(machine.cpu.tripleFaultReason).toMatch(/#UD/);
  });
});

describe('the hw-mode thread extension, details', () => {
  const include = { includePaths: [join(PROJECT_ROOT, 'guests/include')] };

  it("sets a waiting guest's initial registers with wrtreg before vmlaunch", () => {
    const source = HYPERVISOR(1).replace(
      '    vmw VMCS_GUEST_THREAD, 1\n',
      `    vmw VMCS_GUEST_THREAD, 1
    mov ecx, 3                  ; the guest's ebx, before it runs
    mov edx, 0x77
    wrtreg ecx, edx
`,
    );
    const program = assembleSource(source.replace('    mov edi, ROUNDS', '    mov [seen_ebx], ebx\n    mov edi, ROUNDS').replace('exits: dd 0', 'exits: dd 0\nseen_ebx: dd 0'), 'hw.s', include);
    const machine = new Machine({ ramSize: 1 << 20, threads: 2, threadExtension: true });
    machine.loadProgram(program);
    expect(machine.run({ maxInstructions: 100_000 }).status).toBe('exited');
    expect(machine.memory.readU32(program.symbols.find((s) => s.name === 'seen_ebx')!.address)).toBe(0x77);
  });

  it("fires a preemption timer of 0 before the guest's first instruction, on its thread", () => {
    const source = HYPERVISOR(100_000).replace(
      '    vmw VMCS_GUEST_THREAD, 1\n',
      `    vmw VMCS_GUEST_THREAD, 1
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER
    vmw VMCS_VMX_PREEMPTION_TIMER_VALUE, 0
`,
    );
    const program = assembleSource(source, 'hw.s', include);
    const machine = new Machine({ ramSize: 1 << 20, threads: 2, threadExtension: true });
    machine.loadProgram(program);
    machine.run({ maxInstructions: 100_000 });
    // The handler ends the run at the first exit that is not a CPUID: the timer's.
    const rows = machine.exits.list();
    expect(rows.find((r) => r.reason === 'PREEMPTION_TIMER')?.count).toBe(1);
    expect(rows.find((r) => r.reason === 'CPUID')).toBeUndefined();
  });

  it("makes the interrupt table a live register: vmread sees the guest's lidt, vmwrite reaches the stalled guest", () => {
    const source = HYPERVISOR(1)
      .replace(
        '    cmp eax, EXIT_REASON_CPUID\n',
        `    cmp eax, EXIT_REASON_CPUID
    jne .not_cpuid
    mov r14, VMCS_GUEST_IDTR_BASE
    vmread eax, r14
    mov [seen_base], eax
    mov r14, VMCS_GUEST_IDTR_LIMIT
    vmread eax, r14
    mov [seen_limit], eax
    vmw VMCS_GUEST_IDTR_BASE, table2
    vmw VMCS_GUEST_IDTR_LIMIT, 0x31
    mov eax, EXIT_REASON_CPUID
.not_cpuid:
    cmp eax, EXIT_REASON_CPUID
`,
      )
      .replace('    xor esi, esi\n    mov edi, ROUNDS\n', '    lidt [table1_descriptor]\n    xor esi, esi\n    mov edi, ROUNDS\n')
      .replace('    mov ecx, esi\n    vmcall\n', '    int 0x30\n    mov ecx, esi\n    vmcall\nto_table2:\n    mov dword [reached], 1\n    iret\n')
      .replace(
        'exits: dd 0',
        `exits: dd 0
seen_base: dd 0
seen_limit: dd 0
reached: dd 0
table1: times 8 dd 0
table1_descriptor: dd table1, 8
table2: times 0x31 dd to_table2`,
      );
    const program = assembleSource(source, 'hw.s', include);
    const machine = new Machine({ ramSize: 1 << 20, threads: 2, threadExtension: true });
    machine.loadProgram(program);
    expect(machine.run({ maxInstructions: 100_000 }).status).toBe('exited');
    const word = (name: string) => machine.memory.readU32(program.symbols.find((s) => s.name === name)!.address);
    expect(word('seen_base')).toBe(program.symbols.find((s) => s.name === 'table1')!.address);
    expect(word('seen_limit')).toBe(8);
    expect(word('reached')).toBe(1);
  });
});
