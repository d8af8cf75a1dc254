; busy-timer.s - timer interrupts that arrive while the program computes.
;
; The examples' timer.s sleeps in hlt between ticks, so under L0 every tick
; wakes a halted guest. Here the program never halts: with interrupts on it
; counts in a loop, and each tick interrupts the loop. Under L0 each tick is
; an EXTERNAL_INTERRUPT exit whose vector L0 injects straight back (the
; guest has IF set and no sti shadow). The handler counts ticks; after
; TICKS_WANTED the loop stops the timer and reports.
;
; Registers: ecx counts loop rounds (not printed: how many fit between
; ticks depends on the level); the handler uses eax and saves it.
; Expected output: "3 ticks while busy"; exit status 0.

%include "console.inc"

TIMER_IRQ    equ 0x20
PERIOD       equ 20000
TICKS_WANTED equ 3
IDT_ENTRIES  equ TIMER_IRQ + 1

_start:
    xor ecx, ecx
.fill:
    mov dword [idt + ecx*4], unexpected
    inc ecx
    cmp ecx, IDT_ENTRIES
    jb .fill
    mov dword [idt + TIMER_IRQ*4], tick
    lidt [idt_descriptor]
    mov eax, PERIOD
    out PORT_TIMER_PERIOD, eax
    mov eax, TIMER_IRQ
    out PORT_TIMER_VECTOR, eax
    mov eax, TIMER_MODE_PERIODIC
    out PORT_TIMER_CONTROL, eax
    sti
    xor ecx, ecx
.busy:
    inc ecx
    cmp dword [ticks], TICKS_WANTED
    jb .busy
    cli
    mov eax, TIMER_MODE_STOP
    out PORT_TIMER_CONTROL, eax
    mov eax, [ticks]
    call print_dec
    puts done_msg
    exit 0

tick:
    inc dword [ticks]
    iret

unexpected:
    puts unexpected_msg
    exit 1

done_msg:
    db " ticks while busy", 10, 0
unexpected_msg:
    db "unexpected interrupt or exception", 10, 0

align 64
ticks:
    dd 0
idt_descriptor:
    dd idt, IDT_ENTRIES
idt:
    times IDT_ENTRIES dd 0
