; nic-tx-past-ram.s - asks the NIC to transmit a packet from past its RAM (DMA from memory it was not given).
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, [ram_size]
    mov ecx, 64
    call nic_send
    expect_refused eax, NIC_DESC_ERROR
    ret
attack_end:
