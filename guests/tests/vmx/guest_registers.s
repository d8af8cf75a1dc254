; guest_registers.s - the general registers across exits and entries
; (docs/vmx.md, "VM exits"): a VM exit switches only esp, so the hypervisor
; finds every other register as the guest left it, and the guest gets at
; vmlaunch and vmresume what the hypervisor left in them; GUEST_RSP is the
; guest's esp. The guest's interrupt table is the VMCS's at every entry
; and saved at every exit; after an exit the hypervisor's is HOST_IDTR_BASE.
; The hypervisor here is an ordinary one: it saves and loads its guest's
; registers itself (lib.inc's guest_run), asking for no extension. The
; guest sets every register before each exit (cpuid, out, vmcall, in) and
; stores what it got after each entry.
;
; Register n holds pattern(k, n) = k << 24 | n << 16 | 0xa5a5 at step k.

%include "lib.inc"

GUEST_ESP     equ GUEST_STACK_TOP - 0x100
STORED        equ SCRATCH               ; what the guest found, 16 dwords per entry
PORT_OUT      equ 0x90
PORT_IN       equ 0x91
IN_VALUE      equ 0x12345678
G_IDT_COUNT   equ 0x31
G_IDT2_COUNT  equ 0x20

PATTERN_LOW   equ 0xa5a5

; Every register but esp = pattern(%1, n).
%macro set_registers 1
    mov eax, (%1 << 24) | (REG_EAX << 16) | PATTERN_LOW
    mov ecx, (%1 << 24) | (REG_ECX << 16) | PATTERN_LOW
    mov edx, (%1 << 24) | (REG_EDX << 16) | PATTERN_LOW
    mov ebx, (%1 << 24) | (REG_EBX << 16) | PATTERN_LOW
    mov ebp, (%1 << 24) | (REG_EBP << 16) | PATTERN_LOW
    mov esi, (%1 << 24) | (REG_ESI << 16) | PATTERN_LOW
    mov edi, (%1 << 24) | (REG_EDI << 16) | PATTERN_LOW
    mov r8, (%1 << 24) | (REG_R8 << 16) | PATTERN_LOW
    mov r9, (%1 << 24) | (REG_R9 << 16) | PATTERN_LOW
    mov r10, (%1 << 24) | (REG_R10 << 16) | PATTERN_LOW
    mov r11, (%1 << 24) | (REG_R11 << 16) | PATTERN_LOW
    mov r12, (%1 << 24) | (REG_R12 << 16) | PATTERN_LOW
    mov r13, (%1 << 24) | (REG_R13 << 16) | PATTERN_LOW
    mov r14, (%1 << 24) | (REG_R14 << 16) | PATTERN_LOW
    mov r15, (%1 << 24) | (REG_R15 << 16) | PATTERN_LOW
%endmacro

; Every register but esp into the 16 dwords at %1, by register number.
%macro store_registers 1
    mov [%1 + 4*REG_EAX], eax
    mov [%1 + 4*REG_ECX], ecx
    mov [%1 + 4*REG_EDX], edx
    mov [%1 + 4*REG_EBX], ebx
    mov [%1 + 4*REG_EBP], ebp
    mov [%1 + 4*REG_ESI], esi
    mov [%1 + 4*REG_EDI], edi
    mov [%1 + 4*REG_R8], r8
    mov [%1 + 4*REG_R9], r9
    mov [%1 + 4*REG_R10], r10
    mov [%1 + 4*REG_R11], r11
    mov [%1 + 4*REG_R12], r12
    mov [%1 + 4*REG_R13], r13
    mov [%1 + 4*REG_R14], r14
    mov [%1 + 4*REG_R15], r15
%endmacro

; The registers at %1 (16 dwords) hold pattern(%2, n): one check.
%macro expect_registers 3
    push esi
    push eax
    mov esi, %1
    mov eax, %2
    call first_mismatch
    expect_eq eax, -1, %3
    pop eax
    pop esi
%endmacro

; The registers the guest gets at the next entry: pattern(%1, n).
%macro give_guest_pattern 1
    mov edi, guest_regs
    mov eax, %1
    call fill_pattern
%endmacro

_start:
    call test_init
    mov eax, VMCS1
    mov ebx, g_start
    call guest_setup
    vmw VMCS_CPU_BASED_VM_EXEC_CONTROL, PROC_UNCONDITIONAL_IO_EXITING

    ; vmlaunch, then a CPUID exit
    give_guest_pattern 1
    call guest_run
    expect_exit EXIT_REASON_CPUID, g_start.cpuid, "the guest runs to its cpuid"
    expect_registers STORED, 1, "the guest starts with the registers the hypervisor left at vmlaunch"
    expect_registers guest_regs, 2, "at a CPUID exit the hypervisor finds every register the guest set"
    expect_field VMCS_GUEST_RSP, GUEST_ESP, "and GUEST_RSP is the guest's esp"
    mov eax, [exit_host_esp]
    expect_eq eax, [guest_run_esp], "the hypervisor's esp is HOST_RSP"

    ; vmresume with new registers and an interrupt table, then an I/O exit.
    ; Until then the hypervisor runs on a table of its own, which the exit
    ; replaces with HOST_IDTR_BASE's.
    give_guest_pattern 3
    call guest_skip
    vmw VMCS_GUEST_IDTR_BASE, g_idt
    vmw VMCS_GUEST_IDTR_LIMIT, G_IDT_COUNT
    lidt [decoy_idt_descriptor]
    call guest_run
    mov dword [decoy_used], 0
    expect_exception 6, ud2, "after the exit ud2 raises #UD in the hypervisor"
    expect_eq [decoy_used], 0, "through HOST_IDTR_BASE's table, not the one it had before the entry"
    lidt [idt_descriptor]
    expect_exit EXIT_REASON_IO_INSTRUCTION, g_start.out, "the guest runs to its out"
    expect_registers STORED + 0x40, 3, "the guest resumes with the registers the hypervisor left at vmresume"
    expect_registers guest_regs, 4, "at an IO_INSTRUCTION exit the hypervisor finds every register the guest set"

    ; the guest's int 0x30 goes through the table written before vmresume
    give_guest_pattern 5
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_handler.vmcall, "int 0x30 reaches the handler of the table written before vmresume"
    expect_registers STORED + 0x80, 5, "the guest resumes with the registers the hypervisor left"
    expect_registers guest_regs, 6, "at a VMCALL exit the hypervisor finds every register the guest set"

    ; the handler returns, the guest loads a table of its own and reads a port
    give_guest_pattern 7
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_IO_INSTRUCTION, g_start.in, "the guest runs to its in"
    expect_registers STORED + 0xc0, 7, "the handler resumes with the registers the hypervisor left"
    expect_registers guest_regs, 8, "at the in's exit the hypervisor finds every register the guest set"
    expect_field VMCS_GUEST_IDTR_BASE, g_idt2, "GUEST_IDTR_BASE is the table the guest loaded"
    expect_field VMCS_GUEST_IDTR_LIMIT, G_IDT2_COUNT, "GUEST_IDTR_LIMIT its size"

    ; the in's value, in the register the instruction names
    vmr ecx, VMCS_VMX_INSTRUCTION_INFO
    shr ecx, INSN_INFO_REG1_SHIFT
    and ecx, 15
    expect_eq ecx, REG_EDX, "VMX_INSTRUCTION_INFO names edx"
    mov dword [guest_regs + 4*REG_EDX], IN_VALUE
    call guest_skip
    call guest_run
    expect_exit EXIT_REASON_VMCALL, g_start.last, "the guest runs to its last vmcall"
    expect_eq [STORED + 0x100], IN_VALUE, "the guest's in reads the value the hypervisor put in edx"
    done

; ---- helpers ------------------------------------------------------------------------

; fill_pattern: the 16 dwords at edi = pattern(eax, n), but esp's slot.
fill_pattern:
    push ecx
    push edx
    xor ecx, ecx
.next:
    cmp ecx, REG_ESP
    je .skip
    call pattern_of
    mov [edi + ecx*4], edx
.skip:
    inc ecx
    cmp ecx, 16
    jb .next
    pop edx
    pop ecx
    ret

; first_mismatch: eax = the first register number (not esp) whose dword at
; esi is not pattern(eax, n), or -1 if every one is.
first_mismatch:
    push ecx
    push edx
    xor ecx, ecx
.next:
    cmp ecx, REG_ESP
    je .skip
    call pattern_of
    cmp [esi + ecx*4], edx
    jne .found
.skip:
    inc ecx
    cmp ecx, 16
    jb .next
    mov ecx, -1
.found:
    mov eax, ecx
    pop edx
    pop ecx
    ret

; pattern_of: edx = pattern(eax, ecx).
pattern_of:
    push ecx
    mov edx, eax
    shl edx, 24
    shl ecx, 16
    or edx, ecx
    or edx, PATTERN_LOW
    pop ecx
    ret

; The hypervisor's table between the second entry and its exit: #UD marks
; that it was used, then goes on as lib.inc's table would.
decoy_ud:
    mov dword [decoy_used], 1
    jmp isr_entries + 6 * 8

; ---- the guest ----------------------------------------------------------------------

g_start:
    store_registers STORED
    mov esp, GUEST_ESP
    set_registers 2
.cpuid:
    cpuid
    store_registers STORED + 0x40
    set_registers 4
.out:
    out PORT_OUT, ebx
    store_registers STORED + 0x80
    int 0x30
    lidt [g_idt2_descriptor]
    set_registers 8
.in:
    in edx, PORT_IN
    mov [STORED + 0x100], edx
.last:
    vmcall
    jmp .last

g_handler:
    set_registers 6
.vmcall:
    vmcall
    store_registers STORED + 0xc0
    iret

align 4
decoy_used:
    dd 0
decoy_idt:
    dd isr_entries + 0 * 8, isr_entries + 1 * 8, isr_entries + 2 * 8
    dd isr_entries + 3 * 8, isr_entries + 4 * 8, isr_entries + 5 * 8
    dd decoy_ud
decoy_idt_descriptor:
    dd decoy_idt, 7
g_idt:
    times G_IDT_COUNT dd g_handler
g_idt2:
    times G_IDT2_COUNT dd g_handler
g_idt2_descriptor:
    dd g_idt2, G_IDT2_COUNT
