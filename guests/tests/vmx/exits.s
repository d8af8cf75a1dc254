; exits.s - instructions that make a guest exit (docs/vmx.md, "What exits"
; and "Exit information"): CPUID and VMCALL always; HLT, RDTSC, MWAIT,
; MONITOR, PAUSE with their controls; TSC offsetting for a guest's rdtsc and
; rdmsr. Each exit's reason, GUEST_RIP (the exiting instruction) and
; VM_EXIT_INSTRUCTION_LEN. I/O and MSR exits are in io_msr_exits.s, VMX
; instructions in vmx_insn_exits.s, events in events.s.

%include "lib.inc"

_start:
    call test_init
    call vmx_enable

    ; ---- CPUID and VMCALL always exit
    mov ebx, g_cpuid
    mov ecx, 0
    call enter_guest
    expect_exit EXIT_REASON_CPUID, g_cpuid, "cpuid in a guest exits with CPUID (10) at the cpuid"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "cpuid: VM_EXIT_INSTRUCTION_LEN 4"
    expect_eq [guest_regs + 4*REG_EAX], 1, "the exiting cpuid did not execute (guest eax unchanged)"
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_cpuid.vmcall, "vmcall in a guest exits with VMCALL (18)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "vmcall: VM_EXIT_INSTRUCTION_LEN 4"

    ; ---- HLT
    mov ebx, g_hlt
    mov ecx, PROC_HLT_EXITING
    call enter_guest
    expect_exit EXIT_REASON_HLT, g_hlt, "hlt with HLT exiting exits with HLT (12)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "hlt: VM_EXIT_INSTRUCTION_LEN 4"
    expect_field VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE, "the exiting hlt did not halt the guest (activity state 0)"

    ; ---- RDTSC
    mov ebx, g_rdtsc
    mov ecx, PROC_RDTSC_EXITING
    call enter_guest
    expect_exit EXIT_REASON_RDTSC, g_rdtsc, "rdtsc with RDTSC exiting exits with RDTSC (16)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "rdtsc: VM_EXIT_INSTRUCTION_LEN 4"
    mov ebx, g_rdtsc
    mov ecx, 0
    call enter_guest
    expect_exit EXIT_REASON_VMCALL, g_rdtsc.vmcall, "rdtsc without RDTSC exiting runs in the guest"

    ; ---- TSC offsetting: the guest reads TSC + TSC_OFFSET, modulo 2^64
    mov ebx, g_tsc
    mov ecx, PROC_USE_TSC_OFFSETTING | PROC_USE_MSR_BITMAPS
    mov esi, 0xffff0000         ; offset low: the low half carries into the high half
    mov edi, 0
    call run_tsc_guest
    expect_exit EXIT_REASON_VMCALL, g_tsc.vmcall, "rdtsc and rdmsr 0x10 with TSC offsetting run in the guest"
    mov eax, [guest_regs + 4*REG_EAX]
    add eax, 0x10000
    sub eax, [tsc_before]
    expect_bits eax, 0xfff00000, 0, "rdtsc low half: TSC + 0xffff0000 modulo 2^32 (within 2^20 cycles of the host's TSC before entry)"
    mov eax, [tsc_before + 4]
    inc eax
    expect_eq [guest_regs + 4*REG_EDX], eax, "rdtsc high half: the carry of the low halves went into it"
    mov eax, [guest_regs + 4*REG_ESI]
    add eax, 0x10000
    sub eax, [tsc_before]
    expect_bits eax, 0xfff00000, 0, "rdmsr 0x10 low half is offset the same way"
    mov eax, [tsc_before + 4]
    inc eax
    expect_eq [guest_regs + 4*REG_EDI], eax, "rdmsr 0x10 high half is offset the same way"

    mov ebx, g_tsc
    mov ecx, PROC_USE_TSC_OFFSETTING | PROC_USE_MSR_BITMAPS
    mov esi, 0
    mov edi, 0xffffffff         ; offset -2^32: the high half wraps
    call run_tsc_guest
    mov eax, [tsc_before + 4]
    dec eax
    expect_eq [guest_regs + 4*REG_EDX], eax, "an offset of -2^32 wraps the high half modulo 2^64"

    mov ebx, g_tsc
    mov ecx, PROC_USE_MSR_BITMAPS
    mov esi, 0xffff0000
    mov edi, 0x1000
    call run_tsc_guest
    mov eax, [guest_regs + 4*REG_EAX]
    sub eax, [tsc_before]
    expect_bits eax, 0xfff00000, 0, "without 'use TSC offsetting' TSC_OFFSET is ignored (low half)"
    expect_eq [guest_regs + 4*REG_EDX], [tsc_before + 4], "without 'use TSC offsetting' TSC_OFFSET is ignored (high half)"

    ; ---- MONITOR, MWAIT, PAUSE
    mov ebx, g_monitor
    mov ecx, PROC_MONITOR_EXITING
    call enter_guest
    expect_exit EXIT_REASON_MONITOR_INSTRUCTION, g_monitor.monitor, "monitor with MONITOR exiting exits with MONITOR_INSTRUCTION (39)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "monitor: VM_EXIT_INSTRUCTION_LEN 4"
    mov ebx, g_monitor
    mov ecx, PROC_MWAIT_EXITING
    call enter_guest
    expect_exit EXIT_REASON_MWAIT_INSTRUCTION, g_monitor.mwait, "mwait with MWAIT exiting exits with MWAIT_INSTRUCTION (36); monitor ran"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "mwait: VM_EXIT_INSTRUCTION_LEN 4"
    mov ebx, g_pause
    mov ecx, PROC_PAUSE_EXITING
    call enter_guest
    expect_exit EXIT_REASON_PAUSE_INSTRUCTION, g_pause, "pause with PAUSE exiting exits with PAUSE_INSTRUCTION (40)"
    expect_field VMCS_VM_EXIT_INSTRUCTION_LEN, 4, "pause: VM_EXIT_INSTRUCTION_LEN 4"
    mov ebx, g_pause
    mov ecx, PROC_MWAIT_EXITING | PROC_MONITOR_EXITING | PROC_HLT_EXITING
    call enter_guest
    expect_exit EXIT_REASON_VMCALL, g_pause.vmcall, "pause without PAUSE exiting runs in the guest"
    done

; ---- helpers ------------------------------------------------------------------------

enter_guest:                    ; ebx = guest entry, ecx = primary controls: eax = exit reason
    mov eax, VMCS1
    call guest_setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, ecx
    mov dword [guest_regs + 4*REG_EAX], 1
    mov dword [guest_regs + 4*REG_EDX], 0x0dd
    call guest_run
    ret

run_tsc_guest:                  ; enter_guest with the MSR bitmap and TSC_OFFSET = edi:esi; [tsc_before] = the host's TSC before
    mov eax, VMCS1
    call guest_setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, ecx
    vmw VMCS_MSR_BITMAP, MSR_BITMAP_PAGE
    vmw VMCS_TSC_OFFSET, esi
    vmw VMCS_TSC_OFFSET + 1, edi
    rdtsc
    mov [tsc_before], eax
    mov [tsc_before + 4], edx
    call guest_run
    ret

; ---- guests ---------------------------------------------------------------------------

g_tsc:
    rdtsc
    mov ecx, 0x10
    push eax
    push edx
    rdmsr
    mov esi, eax
    mov edi, edx
    pop edx
    pop eax
.vmcall:
    vmcall

g_cpuid:
    cpuid
.vmcall:
    vmcall
g_hlt:
    hlt
    vmcall
g_rdtsc:
    rdtsc
.vmcall:
    vmcall
g_monitor:
    mov eax, monitored
    mov ecx, 0
.monitor:
    monitor
.mwait:
    mwait
    vmcall
g_pause:
    pause
.vmcall:
    vmcall

align 64
monitored: times 16 dd 0
tsc_before: dd 0, 0
