; monitor-past-ram.s - arms monitor on an address past its RAM (a probe of host memory).
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, [ram_size]
    add eax, 0x100000
    xor ecx, ecx
    xor edx, edx
    monitor
    ret
attack_end:
