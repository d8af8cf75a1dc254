; vmcall.s - the VMCALL microbenchmark: N hypercalls.
;
; vmcall always exits to the hypervisor, which handles hypercall 0 (a
; no-op returning 0 in eax) and resumes the guest: one exit round trip per
; iteration, like cpuid.s but with the cheapest possible handler.
;
; On bare metal there is no hypervisor and vmcall would raise #UD, so the
; workload asks CPUID leaf 1 (ECX bit 31, "hypervisor present") first and,
; without one, calls a local stand-in that returns 0 the same way. The
; console output is the same at every depth.
;
; N is the boot-info ITERATIONS field (--iterations), or 1000.
; Registers: ebx points at the boot-info block on entry; ecx counts down;
; edi holds the address of the hypercall routine chosen at start.

%include "console.inc"
%include "bootinfo.inc"

DEFAULT_ITERATIONS equ 1000
CPUID_1_ECX_HYPERVISOR equ 1 << 31
HYPERCALL_NOP equ 0

_start:
    mov ecx, [ebx + BOOTINFO_ITERATIONS]
    test ecx, ecx
    jnz .have_count
    mov ecx, DEFAULT_ITERATIONS
.have_count:
    mov [iterations], ecx

    mov esi, ecx
    mov eax, 1
    cpuid
    mov edi, hypercall_vmcall
    test ecx, CPUID_1_ECX_HYPERVISOR
    jnz .chosen
    mov edi, hypercall_bare
.chosen:
    mov ecx, esi

.loop:
    mov eax, HYPERCALL_NOP
    call edi
    test eax, eax
    jnz .failed
    dec ecx
    jnz .loop

    puts done_msg
    mov eax, [iterations]
    call print_dec
    call print_newline
    exit 0

.failed:
    puts failed_msg
    exit 1

; Hypercall eax; the result comes back in eax.
hypercall_vmcall:
    vmcall
    ret

; What a hypervisor would answer for HYPERCALL_NOP.
hypercall_bare:
    xor eax, eax
    ret

done_msg: db "vmcall iterations: ", 0
failed_msg: db "hypercall failed", 10, 0
align 4
iterations: dd 0
