; block-write-from-past-ram.s - asks the disk to write a sector from a buffer past its RAM (reading memory it was not given).
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 1
    mov ecx, [ram_size]
    mov edx, BLOCK_COMMAND_WRITE
    call block_request
    expect_refused eax, BLOCK_STATUS_ERROR
    ret
attack_end:
