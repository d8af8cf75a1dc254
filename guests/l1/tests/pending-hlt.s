; pending-hlt.s - sti; hlt with an interrupt already pending.
;
; With IF clear the timer fires once (the program polls the tick count to
; know); then sti; hlt. Bare, the hlt runs in the sti shadow and the pending
; interrupt wakes it at once: the handler runs, returns after the hlt.
; Under a hypervisor the tick is an EXTERNAL_INTERRUPT exit that finds IF
; clear (an interrupt window opens); the hlt exits in the sti shadow before
; the window does, and the hypervisor injects the pending tick at the HLT
; exit instead of letting the guest sleep.
;
; Expected output: "tick", "done" on two lines; exit status 0.

%include "console.inc"

TIMER_IRQ   equ 0x20
IDT_ENTRIES equ TIMER_IRQ + 1

_start:
    xor ecx, ecx
.fill:
    mov dword [idt + ecx*4], unexpected
    inc ecx
    cmp ecx, IDT_ENTRIES
    jb .fill
    mov dword [idt + TIMER_IRQ*4], tick
    lidt [idt_descriptor]
    mov eax, 3000
    out PORT_TIMER_PERIOD, eax
    mov eax, TIMER_IRQ
    out PORT_TIMER_VECTOR, eax
    mov eax, TIMER_MODE_ONE_SHOT
    out PORT_TIMER_CONTROL, eax
.wait:
    in eax, PORT_TIMER_TICKS
    test eax, eax
    jz .wait
    sti
    hlt
    puts done_msg
    exit 0

tick:
    puts tick_msg
    iret

unexpected:
    puts unexpected_msg
    exit 1

tick_msg:       db "tick", 10, 0
done_msg:       db "done", 10, 0
unexpected_msg: db "unexpected interrupt or exception", 10, 0

align 64
idt_descriptor:
    dd idt, IDT_ENTRIES
idt:
    times IDT_ENTRIES dd 0
