; nic-tx-wrap.s - a transmit buffer whose end wraps around 4 GiB into low memory.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 0xffffffc0
    mov ecx, 0x100
    call nic_send
    expect_refused eax, NIC_DESC_ERROR
    ret
attack_end:
