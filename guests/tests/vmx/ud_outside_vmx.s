; ud_outside_vmx.s - outside VMX operation every VMX instruction raises #UD,
; and vmxon refuses a bad VMXON region with VMfailInvalid (docs/vmx.md, "VMX
; operation").

%include "lib.inc"

_start:
    call test_init

    ; ---- before any vmxon: #UD, and nothing happens
    expect_exception 6, vmxoff, "vmxoff outside VMX operation raises #UD"
    expect_exception 6, {vmptrld [vmcs_ptr]}, "vmptrld outside VMX operation raises #UD"
    expect_exception 6, {vmptrst [scratch]}, "vmptrst outside VMX operation raises #UD"
    expect_exception 6, {vmclear [vmcs_ptr]}, "vmclear outside VMX operation raises #UD"
    mov ebx, VMCS_GUEST_RIP
    expect_exception 6, {vmread eax, ebx}, "vmread r, r outside VMX operation raises #UD"
    expect_exception 6, {vmread [scratch], ebx}, "vmread [m], r outside VMX operation raises #UD"
    expect_exception 6, {vmwrite ebx, eax}, "vmwrite r, r outside VMX operation raises #UD"
    expect_exception 6, {vmwrite ebx, [scratch]}, "vmwrite r, [m] outside VMX operation raises #UD"
    expect_exception 6, vmlaunch, "vmlaunch outside VMX operation raises #UD"
    expect_exception 6, vmresume, "vmresume outside VMX operation raises #UD"
    expect_exception 6, vmcall, "vmcall outside VMX operation raises #UD"
    mov ecx, EPT_INVEPT_ALL_CONTEXT
    expect_exception 6, {invept ecx, [invept_desc]}, "invept outside VMX operation raises #UD"
    mov dword [scratch], 0x12345678
    expect_exception 6, {vmptrst [scratch]}, "vmptrst (again) outside VMX operation raises #UD"
    expect_eq [scratch], 0x12345678, "the faulting vmptrst stored nothing"

    ; ---- vmxon with a bad region: VMfailInvalid, still outside VMX operation
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff
    mov [revision], eax
    mov ebx, eax
    xor ebx, 0x5a5a
    mov [VMXON_REGION], ebx
    dirty_flags
    vmxon [vmxon_ptr]
    check_vmfail_invalid "vmxon with a wrong revision identifier fails with VMfailInvalid"
    mov ebx, [revision]
    or ebx, 0x80000000
    mov [VMXON_REGION], ebx
    vmxon [vmxon_ptr]
    check_vmfail_invalid "vmxon with bit 31 set in the region's first dword fails with VMfailInvalid"
    try vmxoff                  ; in case it entered VMX operation
    mov ebx, [revision]
    mov [VMXON_REGION], ebx
    mov [VMXON_REGION + 0x800], ebx
    vmxon [vmxon_misaligned_ptr]
    check_vmfail_invalid "vmxon with a region that is not 4 KiB-aligned fails with VMfailInvalid"
    vmxon [vmxon_not_in_ram_ptr]
    check_vmfail_invalid "vmxon with a region outside RAM fails with VMfailInvalid"
    expect_exception 6, {vmptrst [scratch]}, "after the failed vmxons the thread is still outside VMX operation"

    ; ---- a good vmxon, then vmxoff: #UD again
    dirty_flags
    vmxon [vmxon_ptr]
    check_flags_vmsucceed "vmxon with a good region succeeds (CF ZF SF OF cleared)"
    expect_no_exception {vmptrst [scratch]}, "vmptrst in VMX root operation raises nothing"
    expect_eq [scratch], -1, "vmptrst right after vmxon stores all ones (no current VMCS)"
    dirty_flags
    vmxoff
    check_flags_vmsucceed "vmxoff succeeds"
    expect_exception 6, {vmptrst [scratch]}, "vmptrst after vmxoff raises #UD"
    expect_exception 6, vmxoff, "a second vmxoff raises #UD"
    expect_exception 6, vmcall, "vmcall after vmxoff raises #UD"
    mov ebx, VMCS_GUEST_RIP
    expect_exception 6, {vmread eax, ebx}, "vmread after vmxoff raises #UD"
    done

align 8
vmxon_ptr:            dd VMXON_REGION, 0
vmxon_misaligned_ptr: dd VMXON_REGION + 0x800, 0
vmxon_not_in_ram_ptr: dd NOT_IN_RAM, 0
vmcs_ptr:             dd VMCS1, 0
invept_desc:          dd 0, 0, 0, 0
revision:             dd 0
scratch:              dd 0, 0
