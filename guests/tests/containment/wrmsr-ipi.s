; wrmsr-ipi.s - sends an inter-processor interrupt (x2APIC ICR, 0x830) to another hardware thread.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    expect_fault .after
    mov ecx, 0x830
    mov eax, 0x30
    mov edx, 0
    wrmsr
.after:
    ret
attack_end:
