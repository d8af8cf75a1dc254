; l1.s - the L1 hypervisor: runs one guest image under VMX, as KVM does when
; it is itself a guest (KVM running as L1, its guest being L2).
;
; The same image runs in two places:
;   - on the bare machine, as the outermost hypervisor (machine.loadProgram(
;     l1, [workload], {depth: 1})): its VMX instructions are the hardware's;
;   - as L0's guest (loadProgram(l0, [l1, workload], {depth: 2})): every
;     VMX instruction, every capability MSR and every cpuid here traps to L0,
;     which emulates VMX for it (vmcs12). What L1 costs at depth 2 is what
;     this file executes: each vmread and vmwrite of the exit path below is
;     one L1 -> L0 exit unless L0 shadows the field (VMCS shadowing).
; Nothing in L1 depends on which: it follows the boot contract of
; docs/boot.md and reads the capability MSRs like any hypervisor.
;
; Boot, in _start's order (KVM: hardware_setup/setup_vmcs_config, then
; vmx_vcpu_create/init_vmcs, then the first vcpu_enter_guest):
;   1. own stack and exception table; check the boot-info block (ebx)
;   2. check VMX: CPUID.1:ECX.VMX, IA32_VMX_BASIC (revision, region size),
;      IA32_VMX_MISC, IA32_VMX_EPT_VPID_CAP; the control MSRs are checked
;      as each control word is set (KVM's adjust_vmx_controls)
;   3. vmxon; vmclear and vmptrld the VMCS L1 runs its guest with (KVM's
;      vmcs01 for its own guest; under L0 this is L0's vmcs12)
;   4. plan memory, build the EPT, copy the guest in and write its block
;   5. the guest's CPUID table (KVM_SET_CPUID2: built once, looked up on
;      every CPUID exit, so an L2 cpuid costs no cpuid in L1)
;   6. fill the VMCS and the exit table; vmlaunch
; L1 writes no level tracepoint: those are the outermost hypervisor's
; instrumentation, and L1's guest is whatever level the statistics were told
; (on the bare machine the hardware's default, 1). It does declare the waits
; of a blocked vCPU (PORT_TRACE_BLOCK, kvm.inc's l1_wait_for_interrupt).
;
; Memory (L1's physical addresses; guests/l1/memory.inc):
;   0 ..                   L1's image: code, read-only data, then page-aligned
;                          the VMXON region, the VMCS, the tables and
;                          variables written at boot, l1_stack (grows down
;                          from l1_vcpu) and l1_vcpu (HOST_RSP points at it);
;                          then hw mode's code and the device model
;                          (devices.inc: code, state, two page-aligned
;                          shadow rings), up to l1_vio_end
;   next 4 KiB boundary    L1's boot-info block (ebx at start)
;   next 4 KiB boundaries  the modules; module 0 is the guest image
;   l1_ept_directory       the EPT directory, then one table per 4 MiB
;   GUEST_BASE .. RAM_SIZE the guest's memory: guest-physical 0 is
;                          [l1_guest_base]; the EPT maps exactly that,
;                          read/write/execute, nothing of L1's
; The guest gets a block in the same format at the first page after its
; image (DEPTH one less, its own RAM_SIZE, L1's modules 1.. as its modules
; 0..), esp at the top of its memory, eflags 2, no interrupt table.
;
; Devices: the guest gets the interface L1 got: serial (0x3F8, 0x3FD),
; debug exit (0xF4), timer (0x40-0x43). A guest in/out of one of those is
; done by L1 with the same in/out on its own devices (real ones on the bare
; machine, L0's virtual ones under L0): L1 is the guest's device model, as
; QEMU is KVM's. The NIC (0x600-0x60B) and the block device (0x620-0x627)
; L1 emulates on its own (devices.inc, guests/include/vio.inc: shadow rings,
; translated and checked descriptors). Any other port stops the run
; (HV_STATUS_BAD_PORT). Device interrupts reach L1 as EXTERNAL_INTERRUPT
; exits while the guest runs, or through L1's own interrupt table while L1
; waits for one (a halted guest, below); either way they become pending for
; the guest and are injected (L1's own device vectors first complete the
; model's requests).
;
; Exits: one handler per exit reason, with KVM's names (exits.inc); the
; common path around them mirrors KVM's vmx_vcpu_run, vmx_handle_exit and
; vcpu_enter_guest (kvm.inc). Guest GPRs are saved at every exit and
; loaded before every entry (the hardware switches only esp).
;
; VMCS accesses per exit (measured by test/l1.test.ts; each line says which
; KVM code reads or writes the field; "cached" means KVM's regs_avail cache
; for the exit: read at most once per exit):
;
;   every exit (vmx_vcpu_enter_exit):
;     R VM_EXIT_REASON               vmx->exit_reason = vmcs_read32(VM_EXIT_REASON)
;     R IDT_VECTORING_INFO_FIELD     vmx->idt_vectoring_info (then vmx_complete_interrupts
;                                    re-queues an event whose delivery the exit interrupted)
;   skipping an emulated instruction (kvm_skip_emulated_instruction):
;     R GUEST_RFLAGS                 kvm_skip_emulated_instruction reads rflags first (its TF
;                                    check; this machine has no TF), cached for the exit
;     R VM_EXIT_INSTRUCTION_LEN      skip_emulated_instruction
;     R GUEST_RIP                    kvm_rip_read, cached
;     R GUEST_INTERRUPTIBILITY_INFO  vmx_set_interrupt_shadow(vcpu, 0)
;     W GUEST_INTERRUPTIBILITY_INFO  vmx_set_interrupt_shadow: only if the sti shadow was set
;     W GUEST_RIP                    kvm_rip_write marks RIP dirty; vmx_vcpu_run writes it
;                                    before the entry
;   handle_cpuid, handle_vmcall, handle_rdmsr/wrmsr of the TSC:
;     the skip only (kvm_emulate_cpuid: KVM's CPUID table; kvm_emulate_hypercall)
;   handle_io:
;     R EXIT_QUALIFICATION           vmx_get_exit_qual: port, size, direction
;     R VMX_INSTRUCTION_INFO         this machine only: in/out take any data register (x86
;                                    uses eax, so KVM needs no such read)
;     (R/W GUEST_RSP when the data register is esp: kvm_register_read/write of RSP)
;     then the skip
;   handle_external_interrupt:
;     R VM_EXIT_INTR_INFO            handle_external_interrupt_irqoff: the vector (acknowledged
;                                    at the exit); it becomes pending: KVM_REQ_EVENT
;   handle_hlt (kvm_emulate_halt): the skip, then kvm_vcpu_halt/kvm_vcpu_block: L1 waits
;     for an interrupt itself (sti; hlt with its own interrupt table), checking
;     kvm_vcpu_has_events before it sleeps and after it wakes:
;     R GUEST_INTERRUPTIBILITY_INFO  per check: kvm_arch_interrupt_allowed -> vmx_interrupt_blocked
;                                    (rflags cached)
;     a guest that halts with IF clear can never wake: L1 halts with IF clear too, which
;     ends the run as the bare machine's hlt does
;   handle_interrupt_window:
;     W CPU_BASED_VM_EXEC_CONTROL    exec_controls_clearbit(INTR_WINDOW_EXITING) (written only
;                                    when the shadow copy changes, as KVM's controls_shadow)
;   before the entry, when an interrupt was requested (KVM_REQ_EVENT) and is pending
;   (kvm_check_and_inject_events):
;     R GUEST_RFLAGS                 vmx_interrupt_allowed -> vmx_interrupt_blocked (cached)
;     R GUEST_INTERRUPTIBILITY_INFO  the same, not cached
;     W VM_ENTRY_INTR_INFO_FIELD     vmx_inject_irq, if allowed
;     R GUEST_INTERRUPTIBILITY_INFO  WARN_ON(interrupt_allowed(vcpu, true) < 0) after injecting
;     W CPU_BASED_VM_EXEC_CONTROL    enable_irq_window, if one is still pending (only if changed)
;   handle_vmx_instruction, #GP for an MSR (kvm_queue_exception, vmx_inject_exception):
;     W VM_ENTRY_INTR_INFO_FIELD
;   handle_ept_violation: R EXIT_QUALIFICATION, GUEST_PHYSICAL_ADDRESS, GUEST_RIP; stop
;   handle_triple_fault: R GUEST_RIP; stop
;
; In all, per exit (what test/l1.test.ts measures, vmread / vmwrite):
;   CPUID, VMCALL, rdmsr/wrmsr of the TSC     6 / 1    (2 in an sti shadow)
;   IO_INSTRUCTION                            8 / 1    (2 in an sti shadow)
;   HLT, guest IF set, L1 waits for a tick   10 / 2    (3 after sti: the shadow is cleared)
;   HLT after sti, a tick already pending     9 / 3    no wait: one wake-up check
;   EXTERNAL_INTERRUPT, guest interruptible   6 / 1    inject
;   EXTERNAL_INTERRUPT, guest IF clear        4 / 1    open the window (0 if already open)
;   INTERRUPT_WINDOW                          5 / 2    close the window, inject (3: reopen
;                                                      it for the next pending vector;
;                                                      2 / 1 if nothing is left to inject)
;   VMX instruction (#UD), other MSR (#GP)    2 / 1
;   EPT_VIOLATION                             5 / 0    then the run ends
;
; Against a target of 6-10 vmread and 2-6 vmwrite per exit: the reads are in
; it for CPUID, VMCALL, I/O, HLT and an injected EXTERNAL_INTERRUPT; the
; writes are 1 for CPUID, VMCALL, I/O and EXTERNAL_INTERRUPT, because on this
; machine's fields KVM's code writes only GUEST_RIP (or the injected event)
; there. The other writes KVM makes per exit on real hardware are:
;   TPR_THRESHOLD                  vmx_update_cr8_intercept, whenever KVM_REQ_EVENT is
;                                  handled with an in-kernel LAPIC and no APICv (every
;                                  injection); this machine has no such field
;   GUEST/HOST_IA32_PERF_GLOBAL_CTRL  atomic_switch_perf_msrs, every entry while host perf
;                                  events are active; no such fields
;   VMX_PREEMPTION_TIMER_VALUE     vmx_update_hv_timer, every entry while the guest's LAPIC
;                                  timer is armed on the hv timer; the field exists, but
;                                  L1 forwards the guest's timer instead of emulating it
; L1 does not invent accesses to reach a target.
;
; Registers: during boot, routines say what they use. In the exit path
; ebp = the vCPU (l1_vcpu) and esp the host stack below it; r14/r15 are the
; VMCS macros' scratch; every other register is free, since the guest's
; values are in the vCPU's save area.
;
; Depth 3 (an L1 whose guest is a hypervisor): L1 does not emulate VMX for
; its guest (in this design that is L0's job), so it offers none: CPUID.1
; has VMX clear, the VMX capability MSRs raise #GP and VMX instructions #UD.
; A hypervisor guest (another L1, or L0) checks CPUID first and stops with
; its "no VMX" report and HV_STATUS_NO_VMX (0x70), through the debug-exit
; port that this L1 forwards: the run ends 'exited' with status 0x70.

%define HV_VMCS_ACCESSORS        ; vmcs_read/vmcs_write call hv_vmread/hv_vmwrite
%include "hypervisor.inc"
%include "kvm.inc"

; The controls L1 runs its guest with (KVM's vmcs_config, restricted to what
; this machine has): external interrupts and HLT exit; every in/out exits
; (KVM sets CPU_BASED_UNCOND_IO_EXITING); EPT; the exit acknowledges the
; interrupt (VM_EXIT_ACK_INTR_ON_EXIT). Interrupt-window exiting is turned on
; only while an interrupt waits for the guest.
L1_PIN_CONTROLS   equ PIN_EXTERNAL_INTERRUPT_EXITING
L1_PROC_CONTROLS  equ PROC_HLT_EXITING | PROC_UNCONDITIONAL_IO_EXITING | PROC_ACTIVATE_SECONDARY_CONTROLS
L1_PROC2_CONTROLS equ PROC2_ENABLE_EPT
L1_EXIT_CONTROLS  equ EXIT_CTL_ACK_INTERRUPT_ON_EXIT
L1_ENTRY_CONTROLS equ 0
L1_STACK_SIZE     equ 4096
L1_CPUID_LEAVES   equ 8         ; basic leaves L1 keeps for its guest (0..7)

_start:
    ; The loader left esp at the top of L1's memory, which is about to
    ; become the guest's: switch to L1's own stack before the first push.
    mov esp, l1_vcpu
    mov [l1_bootinfo], ebx
    call hv_host_idt_init
    call l1_check_bootinfo
    call l1_check_vmx
    call l1_enable_vmx
    call l1_plan_memory
    call l1_build_ept
    call l1_load_guest
    call l1_setup_cpuid
    call l1_setup_vmcs
    call l1_setup_vcpu
    jmp l1_boot_tail               ; hw.inc: l1_launch, or hw mode's

; l1_check_bootinfo: the block is one L1 understands, with a guest to run
; and at least this level of hypervisor to create.
l1_check_bootinfo:
    mov ebx, [l1_bootinfo]
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
    report l1_msg_bad_bootinfo
    hv_put_hex ebx
    call hv_print_newline
    fail HV_STATUS_BAD_BOOTINFO

; l1_check_vmx: VMX with 4 KiB regions and write-back EPT tables, as KVM's
; setup_vmcs_config checks (cpu_has_vmx, IA32_VMX_BASIC, IA32_VMX_MISC,
; IA32_VMX_EPT_VPID_CAP). CPUID first: on a CPU (or under a hypervisor)
; without VMX, the MSRs would raise #GP. Writes the revision identifier into
; the VMXON and VMCS regions.
l1_check_vmx:
    mov eax, 1
    xor ecx, ecx
    cpuid
    test ecx, X86_FEATURE_VMX
    jz .no_vmx
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff         ; bits 30:0: the revision identifier
    mov [l1_vmxon_region], eax
    mov [l1_vmcs_region], eax
    and edx, 0x1fff             ; bits 44:32: bytes of a region
    cmp edx, PAGE_SIZE
    ja .region_too_large
    mov ecx, MSR_IA32_VMX_MISC
    rdmsr
    mov [l1_vmx_misc], eax
    mov ecx, MSR_IA32_VMX_EPT_VPID_CAP
    rdmsr
    test eax, EPT_CAP_WRITE_BACK
    jz .no_ept
    ret
.no_vmx:
    report l1_msg_no_vmx
    fail HV_STATUS_NO_VMX
.region_too_large:
    report l1_msg_region_size
    hv_put_hex edx
    call hv_print_newline
    fail HV_STATUS_NO_VMX
.no_ept:
    report l1_msg_no_ept
    fail HV_STATUS_NO_VMX

; l1_enable_vmx: VMX root operation, with the VMCS clear and current.
l1_enable_vmx:
    vmxon [l1_vmxon_pointer]
    vmx_check
    vmclear [l1_vmcs_pointer]
    vmx_check
    vmptrld [l1_vmcs_pointer]
    vmx_check
    ret

; l1_setup_cpuid: the guest's CPUID table, built once (KVM: userspace's
; KVM_SET_CPUID2 from KVM_GET_SUPPORTED_CPUID; kvm_emulate_cpuid then only
; looks entries up). The basic leaves are L1's own (the hardware's, or what
; L0 shows L1), except leaf 1: VMX cleared (L1 does not emulate VMX for its
; guest) and the hypervisor-present bit set. Leaf 0x40000000 is L1's
; signature; every other leaf reads as zeros, as on this machine.
; Registers: eax ebx ecx edx (cpuid), esi the leaf, edi its entry.
l1_setup_cpuid:
    xor eax, eax
    xor ecx, ecx
    cpuid
    cmp eax, L1_CPUID_LEAVES - 1
    jbe .have_max
    mov eax, L1_CPUID_LEAVES - 1
.have_max:
    mov [l1_cpuid_max_leaf], eax
    xor esi, esi
    mov edi, l1_cpuid_table
.leaf:
    mov eax, esi
    xor ecx, ecx
    cpuid
    cmp esi, 1
    jne .store
    and ecx, ~X86_FEATURE_VMX
    or ecx, X86_FEATURE_HYPERVISOR
.store:
    mov [edi + CPUID_ENTRY_EAX], eax
    mov [edi + CPUID_ENTRY_EBX], ebx
    mov [edi + CPUID_ENTRY_ECX], ecx
    mov [edi + CPUID_ENTRY_EDX], edx
    add edi, CPUID_ENTRY_SIZE
    inc esi
    cmp esi, [l1_cpuid_max_leaf]
    jbe .leaf
    ret

; l1_setup_vmcs: fills the VMCS: controls, host state, the guest's first
; state (KVM's init_vmcs). Each control word is checked against its
; capability MSR first.
l1_setup_vmcs:
    mov eax, L1_PIN_CONTROLS
    mov ecx, MSR_IA32_VMX_PINBASED_CTLS
    call hv_adjust_controls
    vmcs_write VMCS_PIN_BASED_VM_EXEC_CONTROL, eax

    ; Interrupt-window exiting must be available too, though it starts off.
    mov eax, L1_PROC_CONTROLS | PROC_INTERRUPT_WINDOW_EXITING
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    call hv_adjust_controls
    and eax, ~PROC_INTERRUPT_WINDOW_EXITING
    mov [l1_vcpu + VCPU_PROC_CONTROLS], eax
    vmcs_write VMCS_CPU_BASED_VM_EXEC_CONTROL, eax

    mov eax, L1_PROC2_CONTROLS
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    call hv_adjust_controls
    vmcs_write VMCS_SECONDARY_VM_EXEC_CONTROL, eax

    mov eax, L1_EXIT_CONTROLS
    mov ecx, MSR_IA32_VMX_EXIT_CTLS
    call hv_adjust_controls
    vmcs_write VMCS_VM_EXIT_CONTROLS, eax

    mov eax, L1_ENTRY_CONTROLS
    mov ecx, MSR_IA32_VMX_ENTRY_CTLS
    call hv_adjust_controls
    vmcs_write VMCS_VM_ENTRY_CONTROLS, eax

    ; The guest's exceptions go to its own table.
    vmcs_write VMCS_EXCEPTION_BITMAP, 0
    mov eax, [l1_ept_directory]
    or eax, EPTP_FORMAT
    vmcs_write VMCS_EPT_POINTER, eax
    ; No shadow VMCS for L1's guest: the link pointer is all ones.
    vmcs_write VMCS_VMCS_LINK_POINTER, -1
    vmcs_write VMCS_VMCS_LINK_POINTER + 1, -1

    ; Host state: where every VM exit lands.
    vmcs_write VMCS_HOST_RIP, l1_vmexit
    vmcs_write VMCS_HOST_RSP, l1_vcpu
    vmcs_write VMCS_HOST_IDTR_BASE, hv_host_idt

    ; The guest starts as a bare program does: at its entry, esp at the
    ; top of its memory, interrupts off, no interrupt table.
    vmcs_write VMCS_GUEST_RIP, [l1_guest_entry]
    vmcs_write VMCS_GUEST_RSP, [l1_guest_size]
    vmcs_write VMCS_GUEST_RFLAGS, EFLAGS_FIXED
    vmcs_write VMCS_GUEST_IDTR_BASE, 0
    vmcs_write VMCS_GUEST_IDTR_LIMIT, 0
    vmcs_write VMCS_GUEST_INTERRUPTIBILITY_INFO, 0
    vmcs_write VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE
    ret

; l1_setup_vcpu: the exit handler table and the guest's first registers.
l1_setup_vcpu:
    mov edi, l1_exit_handlers
    mov esi, l1_exit_handler_list
    mov eax, handle_unexpected_exit
    call hv_exit_table_fill
    call l1_irq_idt_init
    ; Registers start at zero, but for ebx: the guest's boot-info block.
    mov eax, [l1_guest_bootinfo]
    mov [l1_vcpu + VCPU_EBX], eax
    ret

; hv_vmread: r14 = VMCS field r15; hv_vmwrite: VMCS field r15 = r14 (the
; vmcs_read/vmcs_write macros). The VMCS itself, until sw mode's channel
; takes them over (l1_sw_setup patches the first 8 bytes of each).
hv_vmread:
    vmread r14, r15
    vmx_check
    ret
hv_vmwrite:
    vmwrite r15, r14
    vmx_check
    ret

; l1_launch: the first VM entry. Every later one is the vmresume at the end
; of the exit path; control comes back to L1 only through l1_vmexit.
l1_launch:
    mov esp, l1_vcpu
    vcpu_load_guest_gprs
    vmlaunch
    call hv_vmx_insn_failed     ; reached only if vmlaunch failed

%include "memory.inc"
%include "exits.inc"

; ---- read-only data ----------------------------------------------------------

hv_name:
    db "L1", 0
l1_msg_bad_bootinfo:
    db "bad boot-info block (magic, version, no guest module or depth 0) at ", 0
l1_msg_no_vmx:
    db "this CPU has no VMX (CPUID.1:ECX bit 5 is clear)", 10, 0
l1_msg_region_size:
    db "VMXON and VMCS regions larger than 4 KiB: ", 0
l1_msg_no_ept:
    db "EPT with write-back tables is not supported", 10, 0

; ---- written at boot, then only read ------------------------------------------
; Page-aligned, away from code: the machine watches code lines for writes.

align 4096
l1_vmxon_region:
    times PAGE_SIZE db 0
l1_vmcs_region:
    times PAGE_SIZE db 0
; vmxon, vmclear and vmptrld take a 64-bit physical address in memory.
l1_vmxon_pointer:
    dd l1_vmxon_region, 0
l1_vmcs_pointer:
    dd l1_vmcs_region, 0
align 4
hv_host_idt:
    times 256 dd 0
l1_irq_idt:                     ; every vector: l1_irq_entry (kvm.inc)
    times 256 dd 0
l1_exit_handlers:
    times EXIT_REASON_COUNT dd 0
l1_cpuid_table:
    times L1_CPUID_LEAVES * CPUID_ENTRY_SIZE db 0
l1_cpuid_max_leaf:              ; the highest basic leaf in the table
    dd 0
l1_vmx_misc:                    ; IA32_VMX_MISC, low half
    dd 0
l1_bootinfo:                    ; L1's own boot-info block
    dd 0
l1_ept_directory:               ; page-aligned
    dd 0
l1_ept_tables:                  ; EPT tables reserved after the directory
    dd 0
l1_guest_base:                  ; L1-physical address of guest-physical 0
    dd 0
l1_guest_size:                  ; bytes of guest memory: the guest's RAM_SIZE
    dd 0
l1_guest_entry:                 ; the guest's first eip
    dd 0
l1_guest_bootinfo:              ; guest-physical address of the guest's block
    dd 0

; ---- written on every exit ---------------------------------------------------------

align 4096
l1_stack:
    times L1_STACK_SIZE db 0
l1_vcpu:                        ; HOST_RSP: the stack is below, the vCPU above
    times L1_VCPU_SIZE db 0
l1_end:

; ---- hw mode (hw.inc) ---------------------------------------------------------------
; After the end of what baseline uses, within the page after it: adding hw
; mode moves nothing of baseline's layout. (No align before it: the
; assembler binds a label followed by align to the aligned address.)

%include "hw.inc"
    hv_hw_routines
l1_hw_end:
%include "devices.inc"
l1_vio_end:
%include "sw.inc"
l1_sw_end:
