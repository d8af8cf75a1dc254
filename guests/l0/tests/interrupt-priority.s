; interrupt-priority.s - two interrupts pending at once are delivered
; highest vector first, one per opening of the interrupt window.
;
; With IF clear, the timer fires once with vector 0x30, then, reprogrammed,
; once with vector 0x21 (the program polls the tick count to know). Then
; sti: the bare machine's controller delivers 0x30, and 0x21 when the first
; handler's iret sets IF again. Under L0 both interrupts exit to L0, which
; keeps both pending for the guest (one bit per vector) and injects them in
; the same order, each at an INTERRUPT_WINDOW exit.
;
; Registers: eax scratch; the handlers print and return.
; Expected output:
;   vector 0x30
;   vector 0x21
;   done
; and exit status 0.

%include "console.inc"

HIGH_IRQ equ 0x30
LOW_IRQ  equ 0x21

_start:
    xor ecx, ecx
.fill:
    mov dword [idt + ecx*4], unexpected
    inc ecx
    cmp ecx, IDT_ENTRIES
    jb .fill
    mov dword [idt + HIGH_IRQ*4], high_handler
    mov dword [idt + LOW_IRQ*4], low_handler
    lidt [idt_descriptor]

    mov eax, 2000
    out PORT_TIMER_PERIOD, eax
    mov eax, HIGH_IRQ
    mov ebx, 1
    call fire_once
    mov eax, LOW_IRQ
    mov ebx, 2
    call fire_once
    sti
    nop                         ; the sti shadow
    puts done_msg
    exit 0

; fire_once: a one-shot tick with vector eax; returns once the timer has
; raised ebx interrupts in all.
fire_once:
    out PORT_TIMER_VECTOR, eax
    mov eax, TIMER_MODE_ONE_SHOT
    out PORT_TIMER_CONTROL, eax
.wait:
    in eax, PORT_TIMER_TICKS
    cmp eax, ebx
    jb .wait
    ret

high_handler:
    puts high_msg
    iret

low_handler:
    puts low_msg
    iret

unexpected:
    puts unexpected_msg
    exit 1

high_msg:
    db "vector 0x30", 10, 0
low_msg:
    db "vector 0x21", 10, 0
done_msg:
    db "done", 10, 0
unexpected_msg:
    db "unexpected interrupt or exception", 10, 0

IDT_ENTRIES equ HIGH_IRQ + 1
align 64
idt_descriptor:
    dd idt, IDT_ENTRIES
idt:
    times IDT_ENTRIES dd 0
