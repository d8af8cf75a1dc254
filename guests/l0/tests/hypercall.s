; hypercall.s - the hypercall interface of an smtnest hypervisor (vmcall).
;
; The number goes in eax, the result comes back in eax (see
; guests/include/hypervisor.inc: HYPERCALL_NOP = 0 returns 0; an unknown
; number returns -1). Makes one unknown call and then ROUNDS no-op calls,
; the smallest round trip to the hypervisor there is: each is one VMCALL
; exit. Only meaningful under a hypervisor: on the bare machine vmcall
; outside VMX operation raises #UD.
;
; Registers: eax the hypercall number and result; ecx rounds left.
; Expected output:
;   hypercall 7: 0xffffffff
;   hypercall 0: 0 after 100 rounds
; and exit status 0 (1 if a no-op call returned anything but 0).

%include "console.inc"

ROUNDS equ 100

_start:
    mov eax, 7                  ; no such hypercall
    vmcall
    puts unknown_msg
    call print_hex
    call print_newline

    mov ecx, ROUNDS
.round:
    xor eax, eax                ; HYPERCALL_NOP
    vmcall
    test eax, eax
    jnz .bad
    dec ecx
    jnz .round
    puts nop_msg
    call print_dec
    puts rounds_msg
    mov eax, ROUNDS
    call print_dec
    puts rounds_end_msg
    exit 0
.bad:
    exit 1

unknown_msg:
    db "hypercall 7: 0x", 0
nop_msg:
    db "hypercall 0: ", 0
rounds_msg:
    db " after ", 0
rounds_end_msg:
    db " rounds", 10, 0
