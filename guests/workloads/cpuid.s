; cpuid.s - the CPUID microbenchmark: N executions of cpuid.
;
; Bare, cpuid is a 100-cycle instruction. Under a hypervisor every cpuid
; traps (CPUID always exits on VMX), so this workload measures one exit
; round trip per iteration: at depth 1 an L1 -> L0 exit, at depth 2 an
; L2 -> L0 exit that L0 reflects to L1, and everything L1's handler costs.
; The statistics (--json) show the count and cycles per exit reason.
;
; N is the boot-info ITERATIONS field (--iterations), or 1000.
; The console output is the same at every depth: the iteration count.
;
; Registers: ebx points at the boot-info block on entry; ecx counts down
; the iterations (saved around cpuid, which writes eax ebx ecx edx).

%include "console.inc"
%include "bootinfo.inc"

DEFAULT_ITERATIONS equ 1000

_start:
    mov ecx, [ebx + BOOTINFO_ITERATIONS]
    test ecx, ecx
    jnz .have_count
    mov ecx, DEFAULT_ITERATIONS
.have_count:
    mov [iterations], ecx
.loop:
    mov esi, ecx                ; cpuid clobbers ecx
    xor eax, eax                ; leaf 0
    cpuid
    mov ecx, esi
    dec ecx
    jnz .loop

    puts done_msg
    mov eax, [iterations]
    call print_dec
    call print_newline
    exit 0

done_msg: db "cpuid iterations: ", 0
align 4
iterations: dd 0
