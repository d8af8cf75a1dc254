; write-past-ram.s - writes the dword just past the guest's RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    mov dword [esi], 0x41414141
    ret
attack_end:
