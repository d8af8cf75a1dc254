; rmw-past-ram.s - a read-modify-write (inc) of the dword past the guest's RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov esi, [ram_size]
    inc dword [esi]
    ret
attack_end:
