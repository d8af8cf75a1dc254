; capabilities.s - what the processor reports about VMX (docs/vmx.md,
; "Capability MSRs"): CPUID leaf 1 ECX bit 5; IA32_VMX_BASIC revision and
; region size; allowed-0 and allowed-1 settings of the control MSRs;
; IA32_VMX_MISC (timer rate, VMWRITE to any field); IA32_VMX_EPT_VPID_CAP.

%include "lib.inc"

ALL_PIN  equ PIN_EXTERNAL_INTERRUPT_EXITING | PIN_PREEMPTION_TIMER
ALL_PROC equ PROC_INTERRUPT_WINDOW_EXITING | PROC_HLT_EXITING | PROC_MWAIT_EXITING | PROC_RDTSC_EXITING | PROC_UNCONDITIONAL_IO_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_MONITOR_EXITING | PROC_PAUSE_EXITING | PROC_ACTIVATE_SECONDARY_CONTROLS
ALL_PROC2 equ PROC2_ENABLE_EPT | PROC2_VMCS_SHADOWING
ALL_EXIT equ EXIT_CTL_ACK_INTERRUPT_ON_EXIT | EXIT_CTL_SAVE_PREEMPTION_TIMER
EPT_CAPS equ EPT_CAP_WRITE_BACK | EPT_CAP_INVEPT | EPT_CAP_INVEPT_SINGLE_CONTEXT | EPT_CAP_INVEPT_ALL_CONTEXT

%macro read_msr 1
    mov ecx, %1
    rdmsr
%endmacro

_start:
    call test_init

    mov eax, 1
    cpuid
    expect_bits ecx, 1 << 5, 1 << 5, "CPUID leaf 1 ECX bit 5 (VMX) is set"

    read_msr MSR_IA32_VMX_BASIC
    expect_bits eax, 0x7fffffff, VMCS_REVISION_ID, "IA32_VMX_BASIC bits 30:0: the revision identifier VMCS_REVISION_ID"
    expect_bits eax, 0x80000000, 0, "IA32_VMX_BASIC bit 31 is 0"
    expect_bits edx, 0x1fff, VMCS_REGION_SIZE, "IA32_VMX_BASIC bits 44:32: region size 4096"

    read_msr MSR_IA32_VMX_PINBASED_CTLS
    expect_eq eax, 0, "IA32_VMX_PINBASED_CTLS allowed-0 settings: every control may be 0"
    expect_bits edx, ALL_PIN, ALL_PIN, "IA32_VMX_PINBASED_CTLS allowed-1: external-interrupt exiting, preemption timer"

    read_msr MSR_IA32_VMX_PROCBASED_CTLS
    expect_eq eax, 0, "IA32_VMX_PROCBASED_CTLS allowed-0 settings: every control may be 0"
    expect_bits edx, ALL_PROC, ALL_PROC, "IA32_VMX_PROCBASED_CTLS allowed-1: every primary control of docs/vmx.md"

    read_msr MSR_IA32_VMX_PROCBASED_CTLS2
    expect_eq eax, 0, "IA32_VMX_PROCBASED_CTLS2 allowed-0 settings: every control may be 0"
    expect_bits edx, ALL_PROC2, ALL_PROC2, "IA32_VMX_PROCBASED_CTLS2 allowed-1: enable EPT, VMCS shadowing"

    read_msr MSR_IA32_VMX_EXIT_CTLS
    expect_eq eax, 0, "IA32_VMX_EXIT_CTLS allowed-0 settings: every control may be 0"
    expect_bits edx, ALL_EXIT, ALL_EXIT, "IA32_VMX_EXIT_CTLS allowed-1: acknowledge interrupt on exit, save preemption timer"

    read_msr MSR_IA32_VMX_ENTRY_CTLS
    expect_eq eax, 0, "IA32_VMX_ENTRY_CTLS allowed-0 settings: every control may be 0"

    read_msr MSR_IA32_VMX_MISC
    expect_bits eax, 0x1f, PREEMPTION_TIMER_RATE, "IA32_VMX_MISC bits 4:0: preemption timer rate 5"
    expect_bits eax, MISC_VMWRITE_ANY_FIELD, MISC_VMWRITE_ANY_FIELD, "IA32_VMX_MISC bit 29: VMWRITE to any field"

    read_msr MSR_IA32_VMX_EPT_VPID_CAP
    expect_bits eax, EPT_CAPS, EPT_CAPS, "IA32_VMX_EPT_VPID_CAP: write-back tables, INVEPT, single- and all-context"

    mov ecx, MSR_IA32_VMX_BASIC
    mov eax, 0
    mov edx, 0
    expect_exception 13, wrmsr, "IA32_VMX_BASIC is read-only: wrmsr raises #GP"

    ; the capability MSRs read the same in VMX operation
    call vmx_enable
    read_msr MSR_IA32_VMX_BASIC
    expect_bits eax, 0x7fffffff, VMCS_REVISION_ID, "IA32_VMX_BASIC reads the same in VMX operation"
    expect_eq [vmcs_revision], VMCS_REVISION_ID, "the revision vmxon accepted is VMCS_REVISION_ID"
    done
