; controls.s - the capability MSRs report exactly what VM entry accepts
; (docs/vmx.md, "Capability MSRs"; SDM 26.2.1.1, A.3-A.5), one check per bit
; of each control, as kvm-unit-tests' vmx_tests.c walks the control MSRs:
; a VMCS whose control holds its allowed-0 settings and one bit more enters
; (an exit of any reason follows) when the MSR's allowed-1 half has the bit,
; and fails with VMfailValid(7) when it does not. Every field a control
; names is valid beforehand (bitmaps, EPTP, the preemption timer), so only
; the control itself can decide. Then the rules between controls: "save
; VMX-preemption timer value" needs "activate VMX-preemption timer", and the
; secondary controls count only with "activate secondary controls".

%include "lib.inc"

EPTP equ EPT_DIRECTORY | EPT_EPTP_WALK_LENGTH_2 | EPT_EPTP_WRITE_BACK

; VMfailValid(7) for the check described in `message`.
%macro check_vmfail_valid_dynamic 0
    pushf
    push VMERR_ENTRY_INVALID_CONTROLS
    push message
    call _check_vmfail_valid
    lea esp, [esp + 12]
%endmacro

_start:
    call test_init
    call vmx_enable
    call identity_ept

    mov ecx, MSR_IA32_VMX_PINBASED_CTLS
    mov ebx, VMCS_PIN_BASED_VM_EXEC_CONTROL
    mov esi, s_pin
    call walk_control

    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    mov ebx, VMCS_CPU_BASED_VM_EXEC_CONTROL
    mov esi, s_proc
    call walk_control

    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    mov ebx, VMCS_SECONDARY_VM_EXEC_CONTROL
    mov esi, s_proc2
    call walk_control

    mov ecx, MSR_IA32_VMX_EXIT_CTLS
    mov ebx, VMCS_VM_EXIT_CONTROLS
    mov esi, s_exit
    call walk_control

    mov ecx, MSR_IA32_VMX_ENTRY_CTLS
    mov ebx, VMCS_VM_ENTRY_CONTROLS
    mov esi, s_entry
    call walk_control

    ; ---- rules between controls
    call valid_vmcs
    vmw VMCS_VM_EXIT_CONTROLS, EXIT_CTL_SAVE_PREEMPTION_TIMER
    call guest_run
    check_entry_vmfail_valid VMERR_ENTRY_INVALID_CONTROLS, "save VMX-preemption timer value without activate VMX-preemption timer: VMfailValid(7)"

    call valid_vmcs
    vmw VMCS_VM_EXIT_CONTROLS, EXIT_CTL_SAVE_PREEMPTION_TIMER
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER
    vmw VMCS_VMX_PREEMPTION_TIMER_VALUE, 1000
    call guest_run
    expect_eq eax, EXIT_REASON_VMCALL, "save VMX-preemption timer value with the timer active enters; the guest reaches its vmcall"

    call valid_vmcs
    vmw VMCS_SECONDARY_VM_EXEC_CONTROL, -1
    call guest_run
    expect_eq eax, EXIT_REASON_VMCALL, "every secondary control set, without activate secondary controls: ignored, the guest runs"

    done

; ---- helpers --------------------------------------------------------------------

; ecx = control MSR, ebx = its VMCS field, esi = the control's name: one
; check per bit 0-31.
walk_control:
    push_all
    rdmsr
    mov [allowed0], eax
    mov [allowed1], edx
    mov [control_field], ebx
    mov [control_name], esi
    mov dword [bit], 0
.next_bit:
    call valid_vmcs
    mov ecx, [bit]
    mov eax, 1
    shl eax, ecx
    or eax, [allowed0]
    mov ebx, [control_field]
    vmw ebx, eax
    call prerequisites
.run:
    call guest_run
    call describe_bit
    call bit_allowed
    jnz .allowed
    ; not allowed: the entry must fail with VMfailValid(7)
    cmp eax, -1
    jne .wrong
    push dword [entry_flags]
    popf
    check_vmfail_valid_dynamic
    jmp .done_bit
.allowed:
    cmp eax, -1
    je .wrong
    mov esi, message
    call _report_pass
    jmp .done_bit
.wrong:
    mov esi, message
    call _report_fail
    mov esi, s_entry_result
    call print_string
    mov eax, [exit_reason]
    call print_hex
    call print_newline
.done_bit:
    inc dword [bit]
    cmp dword [bit], 32
    jb .next_bit
    pop_all
    ret

; ebx = control field, eax = its value: what that value needs elsewhere to
; be judged alone (secondary controls need activating; saving the preemption
; timer needs the timer active).
prerequisites:
    cmp ebx, VMCS_SECONDARY_VM_EXEC_CONTROL
    jne .exit_controls
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_ACTIVATE_SECONDARY_CONTROLS
    ret
.exit_controls:
    cmp ebx, VMCS_VM_EXIT_CONTROLS
    jne .end
    test eax, EXIT_CTL_SAVE_PREEMPTION_TIMER
    jz .end
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER
.end:
    ret

; message = "<control name> bit <n> (allowed-1 <0|1>)"
describe_bit:
    push_all
    mov edi, message
    mov esi, [control_name]
    call append_string
    mov esi, s_bit
    call append_string
    mov eax, [bit]
    call append_dec
    mov esi, s_allowed
    call append_string
    mov eax, '0'
    call bit_allowed
    jz .digit
    mov eax, '1'
.digit:
    mov byte [edi], eax
    inc edi
    mov esi, s_close
    call append_string
    mov byte [edi], 0
    pop_all
    ret

bit_allowed:                    ; ZF clear if [allowed1] has bit [bit]; eax kept
    push eax
    push ecx
    mov eax, [allowed1]
    mov ecx, [bit]
    shr eax, ecx
    test eax, 1
    pop ecx
    pop eax
    ret

append_string:                  ; copy esi's string to edi (without its NUL); edi advances
    movzx eax, byte [esi]
    test eax, eax
    jz .end
    mov byte [edi], eax
    inc esi
    inc edi
    jmp append_string
.end:
    ret

append_dec:                     ; eax < 100 in decimal at edi; edi advances
    xor edx, edx
    mov ecx, 10
    div ecx
    test eax, eax
    jz .units
    add eax, '0'
    mov byte [edi], eax
    inc edi
.units:
    add edx, '0'
    mov byte [edi], edx
    inc edi
    ret

; VMCS1 with the minimal guest and every field a control can name valid:
; I/O and MSR bitmaps (empty), an EPTP whose tables (identity_ept, made once)
; map the guest's code and stack, the VMREAD and VMWRITE bitmaps, a preemption timer far away.
valid_vmcs:
    push eax
    push ebx
    mov eax, VMCS1
    mov ebx, guest
    call guest_setup
    vmw VMCS_IO_BITMAP_A, IO_BITMAP_A_PAGE
    vmw VMCS_IO_BITMAP_B, IO_BITMAP_B_PAGE
    vmw VMCS_MSR_BITMAP, MSR_BITMAP_PAGE
    vmw VMCS_EPT_POINTER, EPTP
    vmw VMCS_VMREAD_BITMAP, VMREAD_BITMAP_PAGE
    vmw VMCS_VMWRITE_BITMAP, VMWRITE_BITMAP_PAGE
    vmw VMCS_VMX_PREEMPTION_TIMER_VALUE, 1000
    pop ebx
    pop eax
    ret

; EPT_DIRECTORY maps the first 4 MiB one to one, read, write and execute.
identity_ept:
    push_all
    mov dword [EPT_DIRECTORY], EPT_TABLE | EPT_READ | EPT_WRITE | EPT_EXECUTE
    mov ecx, 1
.clear:
    mov dword [EPT_DIRECTORY + ecx*4], 0
    inc ecx
    cmp ecx, 1024
    jb .clear
    xor ecx, ecx
.page:
    mov eax, ecx
    shl eax, 12
    or eax, EPT_READ | EPT_WRITE | EPT_EXECUTE
    mov [EPT_TABLE + ecx*4], eax
    inc ecx
    cmp ecx, 1024
    jb .page
    pop_all
    ret

guest:
    vmcall
    hlt

s_pin:          db "pin-based controls", 0
s_proc:         db "primary processor-based controls", 0
s_proc2:        db "secondary processor-based controls", 0
s_exit:         db "VM-exit controls", 0
s_entry:        db "VM-entry controls", 0
s_bit:          db " bit ", 0
s_allowed:      db " (allowed-1 ", 0
s_close:        db "): VM entry agrees with the capability MSR", 0
s_entry_result: db "#   VM_EXIT_REASON (-1: the VM instruction failed): ", 0

allowed0:       dd 0
allowed1:       dd 0
control_field:  dd 0
control_name:   dd 0
bit:            dd 0
message:        times 128 db 0
