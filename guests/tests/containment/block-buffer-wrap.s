; block-buffer-wrap.s - a buffer at the top of the 32-bit space, wrapping to address 0.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 1
    mov ecx, 0xffffff00
    mov edx, BLOCK_COMMAND_READ
    call block_request
    expect_refused eax, BLOCK_STATUS_ERROR
    ret
attack_end:
