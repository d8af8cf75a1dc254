; nic-rx-past-ram.s - gives the NIC a receive buffer past its RAM, then has a packet sent back into it (DMA into memory it was not given).
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, [ram_size]
    call nic_echo_into
    expect_refused eax, NIC_DESC_ERROR
    ret
attack_end:
