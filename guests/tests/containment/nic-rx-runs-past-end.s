; nic-rx-runs-past-end.s - a receive buffer 16 bytes before the end of its RAM for a 64-byte packet: the device would write past the end.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov eax, [ram_size]
    sub eax, 16
    call nic_echo_into
    expect_refused eax, NIC_DESC_ERROR
    ret
attack_end:
