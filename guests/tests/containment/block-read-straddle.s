; block-read-straddle.s - a read of 8 sectors into a buffer 512 bytes before the end of its RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 8
    mov ecx, [ram_size]
    sub ecx, 512
    mov edx, BLOCK_COMMAND_READ
    call block_request
    expect_refused eax, BLOCK_STATUS_ERROR
    ret
attack_end:
