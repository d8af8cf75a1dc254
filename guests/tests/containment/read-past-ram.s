; read-past-ram.s - reads the dword just past the guest's RAM: memory its hypervisor never gave it.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    mov eax, [esi]
    ret
attack_end:
