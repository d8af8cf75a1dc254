; stack-wrap.s - pushes with esp at 0: the store wraps to the top of the 32-bit space.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    xor esp, esp
    pushf
    ret
attack_end:
