; l0.s - the L0 hypervisor: runs one guest image under VMX, as KVM does.
;
; L0 is the first program the machine boots at depth 1 and 2. It turns VMX
; on, gives its guest (module 0 of its boot-info block: a workload, or the
; L1 hypervisor) memory of its own behind EPT, writes the guest a boot-info
; block in the same format it got itself, and then runs it, handling every
; VM exit in software. The guest sees the machine it would see bare, only
; smaller: the same ports (serial console, debug exit, timer, forwarded;
; the NIC and block device, emulated on the physical ones by the device
; model of devices.inc), their interrupts, CPUID (with a hypervisor leaf),
; and a hypercall. Whether the
; guest sees VMX depends on what it is (boot-info DEPTH):
;   DEPTH 1   the guest is a workload: no VMX (CPUID says so, VMX
;             instructions raise #UD, the capability MSRs #GP), as on a CPU
;             without VMX
;   DEPTH 2+  the guest is a hypervisor (L1): L0 emulates VMX for it, as
;             KVM's nested VMX does, so that L1 can run a guest of its own
;             (L2); nested.inc says how
;
; Boot, in _start's order:
;   1. own stack and exception table; check the boot-info block (ebx)
;   2. check VMX: CPUID.1:ECX.VMX, IA32_VMX_BASIC (revision, region size),
;      EPT capabilities; the control MSRs are checked as each word is set
;   3. vmxon; vmclear and vmptrld vmcs01 (the VMCS L0 runs its guest with)
;   4. plan memory, build the EPT, copy the guest in and write its block
;   5. fill vmcs01 and the exit table; for a guest hypervisor, what nested
;      VMX needs (vmcs02, the shadow VMCS, vmcs01's bitmaps); tell the
;      statistics that the guest is level 1 (a tracepoint); vmlaunch
; From then on L0 runs only between a VM exit and the next vmresume
; (exits.inc).
;
; Host-physical memory (L0 runs in VMX root operation, EPT off: its
; addresses are physical):
;   0 ..                   L0's image: code, read-only data, then page-aligned
;                          l0_vmxon_region, l0_vmcs01_region, the tables and
;                          variables written at boot, l0_stack (grows down
;                          from l0_vcpu) and l0_vcpu (HOST_RSP points at it);
;                          then hw mode's and sw mode's code, and the device
;                          model (devices.inc: code, state, two page-aligned
;                          shadow rings), up to l0_vio_end; then sw mode's
;                          pages (the exit channel, thread 2's VMXON region,
;                          stack and save area) and hw mode's nested register
;                          moves (l0_hw_nested_switches)
;   next 4 KiB boundary    the machine's boot-info block (ebx at start)
;   next 4 KiB boundaries  the modules; module 0 is the guest image
;   l0_ept_directory       the first 4 KiB boundary after the last module:
;                          the EPT directory, then one EPT table per 4 MiB of
;                          RAM (enough for any guest), contiguous
;   l0_ept02_directory     only for a guest hypervisor: EPT02's directory and
;                          as many tables as EPT01 has, vmcs02, the shadow
;                          VMCS, the VMREAD and VMWRITE bitmaps, vmcs01's I/O
;                          bitmaps (nested_reserve_memory)
;   GUEST_BASE ..          [l0_guest_base]: the guest's memory, up to the top
;   RAM_SIZE               of RAM; guest-physical 0 is host GUEST_BASE
; Everything below GUEST_BASE is L0's; the EPT maps exactly
; [0, guest size) to [GUEST_BASE, RAM_SIZE), read/write/execute, so the
; guest can reach nothing of L0's: any other access is an EPT violation.
;
; Guest-physical memory (what the guest sees; its RAM_SIZE is
; RAM_SIZE - GUEST_BASE):
;   ORIGIN                 the guest image (module 0)
;   next 4 KiB boundary    the guest's boot-info block (guest ebx)
;   next 4 KiB boundaries  modules 1.. of L0's block (the guest's 0..)
;   top                    guest esp at entry; the other registers are 0,
;                          eflags 2 (IF clear), no interrupt table
;
; Exits (one handler each, KVM's names; exits.inc):
;   EXTERNAL_INTERRUPT  handle_external_interrupt  the vector (acknowledged at
;                       the exit) becomes pending for the guest; L0's own
;                       device vectors first complete the device model's
;                       requests (devices.inc)
;   INTERRUPT_WINDOW    handle_interrupt_window    the guest can take it now
;   HLT                 handle_hlt                 IF set: sleep in HLT state;
;                       IF clear: the guest can never wake, L0 halts too
;   CPUID               handle_cpuid               the real cpuid, minus VMX,
;                       plus the hypervisor bit and leaf 0x40000000
;   IO_INSTRUCTION      handle_io                  forwarded for the guest's
;                       devices; the NIC's and block device's go to the
;                       device model (devices.inc); any other port stops
;                       the run
;   VMCALL              handle_vmcall              hypercalls (HYPERCALL_*)
;   MSR_READ/MSR_WRITE  handle_rdmsr/handle_wrmsr  the TSC (and a guest
;                       hypervisor's VMX capability MSRs); else #GP
;   VMX instructions    handle_vmx_instruction     #UD: no VMX for the guest;
;                       for a guest hypervisor handle_vmxon, handle_vmptrld,
;                       ..., handle_vmresume (nested.inc)
;   EPT_VIOLATION       handle_ept_violation       report, stop
;   TRIPLE_FAULT        handle_triple_fault        report, stop (status 125)
;   INVALID_STATE       handle_invalid_guest_state report, stop
;   anything else       handle_unexpected_exit     report, stop
; Guest exceptions do not exit (EXCEPTION_BITMAP 0): the guest's own table
; handles them. Stop statuses: the HV_STATUS_* table in hypervisor.inc.
; While a guest hypervisor's guest (L2) runs, its exits come to
; l0_nested_vmexit instead (vmcs02's HOST_RIP; nested.inc).
;
; Registers: during boot, routines say what they use. In the exit path
; (exits.inc) ebp = the vCPU (l0_vcpu) and esp the host stack below it;
; r14/r15 are the VMCS macros' scratch; every other register is free, since
; the guest's values are in the vCPU's save area.

%include "hypervisor.inc"

; The controls L0 runs its guest with. Interrupt-window exiting is not
; among them: it is turned on only while an interrupt waits for the guest.
L0_PIN_CONTROLS   equ PIN_EXTERNAL_INTERRUPT_EXITING
L0_PROC_CONTROLS  equ PROC_HLT_EXITING | PROC_UNCONDITIONAL_IO_EXITING | PROC_ACTIVATE_SECONDARY_CONTROLS
L0_PROC2_CONTROLS equ PROC2_ENABLE_EPT
L0_EXIT_CONTROLS  equ EXIT_CTL_ACK_INTERRUPT_ON_EXIT
L0_ENTRY_CONTROLS equ 0
L0_STACK_SIZE     equ 4096

_start:
    ; The machine left esp at the top of RAM, which is about to become the
    ; guest's memory: switch to L0's own stack before the first push.
    mov esp, l0_vcpu
    mov [l0_bootinfo], ebx
    call hv_host_idt_init
    call l0_check_bootinfo
    call l0_check_vmx
    call l0_enable_vmx
    call l0_plan_memory
    call l0_build_ept
    call l0_load_guest
    call l0_setup_vmcs
    call l0_setup_vcpu
    call nested_vmx_setup
    jmp l0_boot_tail               ; hw.inc: l0_launch, or hw mode's

; l0_check_bootinfo: the block the machine gave L0 is one it understands,
; with a guest to run and at least this level of hypervisor to create.
l0_check_bootinfo:
    mov ebx, [l0_bootinfo]
    cmp dword [ebx + BOOTINFO_MAGIC], BOOTINFO_MAGIC_VALUE
    jne .bad
    cmp dword [ebx + BOOTINFO_VERSION], BOOTINFO_VERSION_VALUE
    jne .bad
    mov eax, [ebx + BOOTINFO_MODULE_COUNT]
    cmp eax, 1
    jb .bad
    cmp eax, BOOTINFO_MAX_MODULES
    ja .bad
    cmp dword [ebx + BOOTINFO_DEPTH], 1
    jb .bad
    ret
.bad:
    report l0_msg_bad_bootinfo
    hv_put_hex ebx
    call hv_print_newline
    fail HV_STATUS_BAD_BOOTINFO

; l0_check_vmx: the CPU has VMX with 4 KiB regions and write-back EPT
; tables. Writes the revision identifier into the VMXON and VMCS regions.
l0_check_vmx:
    mov eax, 1
    xor ecx, ecx
    cpuid
    test ecx, X86_FEATURE_VMX
    jz .no_vmx
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff         ; bits 30:0: the revision identifier
    mov [l0_vmxon_region], eax
    mov [l0_vmcs01_region], eax
    and edx, 0x1fff             ; bits 44:32: bytes of a region
    cmp edx, PAGE_SIZE
    ja .region_too_large
    mov ecx, MSR_IA32_VMX_EPT_VPID_CAP
    rdmsr
    test eax, EPT_CAP_WRITE_BACK
    jz .no_ept
    ret
.no_vmx:
    report l0_msg_no_vmx
    fail HV_STATUS_NO_VMX
.region_too_large:
    report l0_msg_region_size
    hv_put_hex edx
    call hv_print_newline
    fail HV_STATUS_NO_VMX
.no_ept:
    report l0_msg_no_ept
    fail HV_STATUS_NO_VMX

; l0_enable_vmx: VMX root operation, with vmcs01 clear and current.
l0_enable_vmx:
    vmxon [l0_vmxon_pointer]
    vmx_check
    vmclear [l0_vmcs01_pointer]
    vmx_check
    vmptrld [l0_vmcs01_pointer]
    vmx_check
    ret

; l0_setup_vmcs: fills vmcs01: controls, host state, the guest's first state.
; Each control word is checked against its capability MSR first.
l0_setup_vmcs:
    mov eax, L0_PIN_CONTROLS
    mov ecx, MSR_IA32_VMX_PINBASED_CTLS
    call hv_adjust_controls
    vmcs_write VMCS_PIN_BASED_VM_EXEC_CONTROL, eax

    ; Interrupt-window exiting must be available too, though it starts off.
    mov eax, L0_PROC_CONTROLS | PROC_INTERRUPT_WINDOW_EXITING
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    call hv_adjust_controls
    and eax, ~PROC_INTERRUPT_WINDOW_EXITING
    mov [l0_vcpu + VCPU_PROC_CONTROLS], eax
    vmcs_write VMCS_CPU_BASED_VM_EXEC_CONTROL, eax

    mov eax, L0_PROC2_CONTROLS
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    call hv_adjust_controls
    vmcs_write VMCS_SECONDARY_VM_EXEC_CONTROL, eax

    mov eax, L0_EXIT_CONTROLS
    mov ecx, MSR_IA32_VMX_EXIT_CTLS
    call hv_adjust_controls
    vmcs_write VMCS_VM_EXIT_CONTROLS, eax

    mov eax, L0_ENTRY_CONTROLS
    mov ecx, MSR_IA32_VMX_ENTRY_CTLS
    call hv_adjust_controls
    vmcs_write VMCS_VM_ENTRY_CONTROLS, eax

    ; The guest's exceptions go to its own table.
    vmcs_write VMCS_EXCEPTION_BITMAP, 0
    mov eax, [l0_ept_directory]
    or eax, EPTP_FORMAT
    vmcs_write VMCS_EPT_POINTER, eax
    ; No shadow VMCS: the link pointer is all ones, both halves (writing
    ; the full encoding clears the high half).
    vmcs_write VMCS_VMCS_LINK_POINTER, -1
    vmcs_write VMCS_VMCS_LINK_POINTER + 1, -1

    ; Host state: where every VM exit lands.
    vmcs_write VMCS_HOST_RIP, l0_vmexit
    vmcs_write VMCS_HOST_RSP, l0_vcpu
    vmcs_write VMCS_HOST_IDTR_BASE, hv_host_idt

    ; The guest starts as a bare program does: at its entry, esp at the
    ; top of its memory, interrupts off, no interrupt table.
    vmcs_write VMCS_GUEST_RIP, [l0_guest_entry]
    vmcs_write VMCS_GUEST_RSP, [l0_guest_size]
    vmcs_write VMCS_GUEST_RFLAGS, EFLAGS_FIXED
    vmcs_write VMCS_GUEST_IDTR_BASE, 0
    vmcs_write VMCS_GUEST_IDTR_LIMIT, 0
    vmcs_write VMCS_GUEST_INTERRUPTIBILITY_INFO, 0
    vmcs_write VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE
    ret

; l0_setup_vcpu: the exit handler table and the guest's first registers.
l0_setup_vcpu:
    mov edi, l0_exit_handlers
    mov esi, l0_exit_handler_list
    mov eax, handle_unexpected_exit
    call hv_exit_table_fill
    ; Registers start at zero, but for ebx: the guest's boot-info block.
    mov eax, [l0_guest_bootinfo]
    mov [l0_vcpu + VCPU_EBX], eax
    ret

; l0_launch: the first VM entry. Every later one is the vmresume at the end
; of the exit path; control comes back to L0 only through l0_vmexit.
l0_launch:
    ; Tell the statistics which level the guest is: the hardware sees one
    ; level of VMX, only L0 knows its guest is L1. (A tracepoint: no cycles.)
    mov eax, 1
    out PORT_TRACE_LEVEL, eax
    mov esp, l0_vcpu
    vcpu_load_guest_gprs
    vmlaunch
    call hv_vmx_insn_failed     ; reached only if vmlaunch failed

%include "memory.inc"
%include "exits.inc"
%include "nested.inc"

; ---- read-only data ----------------------------------------------------------

hv_name:
    db "L0", 0
l0_msg_bad_bootinfo:
    db "bad boot-info block (magic, version, no guest module or depth 0) at ", 0
l0_msg_no_vmx:
    db "this CPU has no VMX (CPUID.1:ECX bit 5 is clear)", 10, 0
l0_msg_region_size:
    db "VMXON and VMCS regions larger than 4 KiB: ", 0
l0_msg_no_ept:
    db "EPT with write-back tables is not supported", 10, 0
align 4
    vmcs12_tables               ; vmcs12_encodings and the shadowed-field lists
    vmcs12_copy_lists           ; what prepare_vmcs02, sync_vmcs02_to_vmcs12 and load_vmcs12_host_state copy

; ---- written at boot, then only read ------------------------------------------
; Page-aligned, away from code: the machine watches code lines for writes.

align 4096
l0_vmxon_region:
    times PAGE_SIZE db 0
l0_vmcs01_region:
    times PAGE_SIZE db 0
; vmxon, vmclear and vmptrld take a 64-bit physical address in memory.
l0_vmxon_pointer:
    dd l0_vmxon_region, 0
l0_vmcs01_pointer:
    dd l0_vmcs01_region, 0
align 4
hv_host_idt:
    times 256 dd 0
l0_exit_handlers:
    times EXIT_REASON_COUNT dd 0
l0_exit_handlers_hw:            ; hw mode's (hw.inc)
    times EXIT_REASON_COUNT dd 0
l0_hw_mode:                     ; 1: boot-info MODE is MODE_HW (hw.inc)
    dd 0
l0_bootinfo:                    ; L0's own boot-info block (host-physical)
    dd 0
l0_ept_directory:               ; host-physical, page-aligned
    dd 0
l0_ept_tables:                  ; EPT tables reserved after the directory
    dd 0
l0_guest_base:                  ; host-physical address of guest-physical 0
    dd 0
l0_guest_size:                  ; bytes of guest memory: the guest's RAM_SIZE
    dd 0
l0_guest_entry:                 ; the guest's first eip
    dd 0
l0_guest_bootinfo:              ; guest-physical address of the guest's block
    dd 0
l0_cpuid1_ecx_mask:             ; what CPUID leaf 1 ECX keeps: no VMX unless the
    dd ~X86_FEATURE_VMX         ; guest is a hypervisor (nested_reserve_memory)
; Nested VMX (nested.inc); all zero and unused at DEPTH 1.
l0_nested_enabled:              ; 1: the guest is a hypervisor (DEPTH >= 2)
    dd 0
l0_nested_shadowing:            ; nonzero: VMCS shadowing for it (BOOT_FLAG_SHADOWING)
    dd 0
l0_ept02_directory:             ; host-physical, page-aligned
    dd 0
l0_ept02_pool:                  ; EPT02's tables, [l0_ept_tables] of them, contiguous
    dd 0
l0_vmread_bitmap:               ; vmcs01's VMREAD and VMWRITE bitmaps (shadowing)
    dd 0
l0_vmwrite_bitmap:
    dd 0
l0_io_bitmap_a:                 ; vmcs01's I/O bitmaps for a guest hypervisor
    dd 0
l0_io_bitmap_b:
    dd 0
align 8
l0_vmcs02_pointer:              ; vmptrld operands, as l0_vmcs01_pointer
    dd 0, 0
l0_shadow_vmcs_pointer:
    dd 0, 0
l0_invept_descriptor:           ; invept all contexts: the EPTP is not looked at
    dd 0, 0, 0, 0
l0_nested_exit_handlers:        ; L2's exits (l0_nested_vmexit)
    times EXIT_REASON_COUNT dd 0
l0_nested_exit_handlers_hw:     ; L2's exits in hw mode (l0_nested_vmexit_hw; hw.inc)
    times EXIT_REASON_COUNT dd 0
l0_vmcs12_field_by_key:         ; nested_field_key -> vmcs12 field index + 1
    times 1024 db 0
l0_vmcs12_field_shadow:         ; per vmcs12 field: FIELD_SHADOW_*
    times VMCS12_FIELD_COUNT db 0
align 4
l0_shadow_copy_count:           ; entries of l0_shadow_copy_list
    dd 0
l0_shadow_copy_read_write:      ; where its read-write fields start, and how many
    dd 0
l0_shadow_copy_read_write_count:
    dd 0
l0_shadow_copy_list:            ; (encoding, vmcs12 offset) per shadowed field half
    times 16 * (VMCS12_SHADOW_READ_COUNT + VMCS12_SHADOW_READ_WRITE_COUNT) db 0

; ---- written on every exit ---------------------------------------------------------

align 4096
l0_stack:
    times L0_STACK_SIZE db 0
l0_vcpu:                        ; HOST_RSP: the stack is below, the vCPU above
    times VCPU_SIZE db 0
l0_nested:                      ; nested VMX's state (NESTED_*; nested.inc)
    times NESTED_SIZE db 0
l0_end:

; ---- hw mode (hw.inc) ---------------------------------------------------------------
; After the end of what baseline uses, within the page the boot-info block
; would start at anyway: adding hw mode moves nothing of baseline's layout.
; Code only: written once at boot (the patches), never on an exit.
; (No align here: the assembler binds a label followed by align to the
; aligned address, which would move l0_end.)

%include "hw.inc"
    hv_hw_routines
l0_hw_end:
%include "sw.inc"
l0_sw_end:
%include "devices.inc"
l0_vio_end:

; ---- sw mode's pages (sw.inc) --------------------------------------------------------
; Last, so that they move nothing else.

align 4096
l0_sw_channel_page:             ; the exit channel (guests/include/channel.inc)
    times PAGE_SIZE db 0
l0_sw_vmxon2_region:            ; thread 2's VMXON region
    times PAGE_SIZE db 0
l0_sw_stack2:                   ; thread 2's stack, below its save area
    times L0_STACK_SIZE db 0
l0_sw_vcpu2:                    ; thread 2's HOST_RSP: L2's registers at its exits
    times VCPU_SIZE db 0

; ---- hw mode's nested register moves (hw.inc) ---------------------------------------
; Code, last of all for the same reason: what hw mode needs to give a guest
; hypervisor that asks for ordinary VMX its registers. Off the lines sw
; mode's save area is written on.

align 64
l0_hw_nested_switches:
    nested_hw_vmcs_switches
    hv_hw_gpr_move_routines

