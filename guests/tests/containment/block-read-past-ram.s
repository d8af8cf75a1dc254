; block-read-past-ram.s - asks the disk to read a sector into a buffer past its RAM.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 1
    mov ecx, [ram_size]
    mov edx, BLOCK_COMMAND_READ
    call block_request
    expect_refused eax, BLOCK_STATUS_ERROR
    ret
attack_end:
