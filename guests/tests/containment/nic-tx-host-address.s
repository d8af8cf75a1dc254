; nic-tx-host-address.s - a transmit buffer at a huge length from its own memory: the hypervisor's memory would follow.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, 0x1000
    mov ecx, 0x7ffff000
    call nic_send
    expect_refused eax, NIC_DESC_ERROR
    ret
attack_end:
