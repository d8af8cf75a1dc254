; interrupt-window.s - an interrupt that arrives while interrupts are off is
; taken exactly where the bare machine would take it: after the instruction
; that follows the sti (the sti shadow).
;
; The timer fires once while IF is clear; the program waits until the
; timer's tick count says it has, then executes sti and one more
; instruction (in the shadow), and the interrupt must arrive right after
; that one. Bare, the interrupt controller holds the vector pending; under
; L0, the interrupt exits to L0, which keeps it pending for the guest, turns
; on interrupt-window exiting and injects it at the INTERRUPT_WINDOW exit
; that follows the shadow.
;
; Registers: ebx is set to 1 in the shadow and to 2 after it; the handler
; reports which it saw and where the interrupt returned to.
; Expected output:
;   interrupt after the shadow: yes
;   ebx in the handler: 1
; and exit status 0.

%include "console.inc"

TIMER_IRQ equ 0x20

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
    in eax, PORT_TIMER_TICKS    ; the interrupt is raised, and held off by IF
    test eax, eax
    jz .wait
    xor ebx, ebx
    sti
    mov ebx, 1                  ; runs in the sti shadow
after_shadow:
    mov ebx, 2
    puts missed_msg             ; the interrupt should have come before this
    exit 1

tick:
    puts where_msg
    cmp dword [esp], after_shadow
    jne .elsewhere
    puts yes_msg
    jmp .registers
.elsewhere:
    puts no_msg
.registers:
    puts ebx_msg
    mov eax, ebx
    call print_dec
    call print_newline
    exit 0

unexpected:
    puts unexpected_msg
    exit 1

where_msg:
    db "interrupt after the shadow: ", 0
yes_msg:
    db "yes", 10, 0
no_msg:
    db "no", 10, 0
ebx_msg:
    db "ebx in the handler: ", 0
missed_msg:
    db "interrupt missed", 10, 0
unexpected_msg:
    db "unexpected interrupt or exception", 10, 0

IDT_ENTRIES equ TIMER_IRQ + 1
align 64
idt_descriptor:
    dd idt, IDT_ENTRIES
idt:
    times IDT_ENTRIES dd 0
