; block-count-overflow.s - a sector count whose byte length overflows 32 bits, from a buffer in its RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 0x00800001
    mov ecx, 0x10000
    mov edx, BLOCK_COMMAND_READ
    call block_request
    expect_refused eax, BLOCK_STATUS_ERROR
    ret
attack_end:
