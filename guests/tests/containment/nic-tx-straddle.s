; nic-tx-straddle.s - a transmit buffer that starts in its RAM and runs past the end.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, [ram_size]
    sub eax, 32
    mov ecx, 64
    call nic_send
    expect_refused eax, NIC_DESC_ERROR
    ret
attack_end:
