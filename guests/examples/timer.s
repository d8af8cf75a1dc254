; timer.s - interrupt-driven timer: five ticks, then exit.
;
; Builds an interrupt table, points the CPU at it with lidt, programs the
; timer to raise vector 0x20 every 100000 cycles, and then does nothing but
; wait for interrupts. Each interrupt runs timer_handler, which counts the
; tick and prints "tick N"; at the fifth it stops the timer and ends the run.
;
; Interrupt delivery: the CPU pushes eflags, then the return eip,
; clears IF and jumps to table[vector]; iret pops eip, then eflags, which
; sets IF again. A handler therefore runs with interrupts off, and must
; leave every register as it found it: the interrupted code did not expect
; to be interrupted and has live values everywhere.
;
; Memory:
;   idt             IDT_ENTRIES dwords, handler addresses indexed by vector
;   idt_descriptor  {base: dd, count: dd}, the operand of lidt
;   ticks           interrupts handled so far
; A lesson in cost: port I/O is slow (2000 cycles per `out` in the cost
; model), so printing "tick N" and a newline takes about 14000 cycles. The
; period is well above that, so the CPU spends most of its time asleep in
; hlt. With a period below it, the next tick would already be pending when
; iret turns interrupts back on, the handler would run back to back, and
; ticks arriving while one is pending would merge with it (the controller
; keeps one pending bit per vector).
;
; Registers: the main program keeps nothing live; handlers save what they use.
; Expected output: "tick 1" .. "tick 5" on five lines, then
; "timer stopped"; exit status 0.

%include "console.inc"

TIMER_IRQ    equ 0x20           ; vectors below 0x20 belong to exceptions
PERIOD       equ 100000
TICKS_WANTED equ 5
IDT_ENTRIES  equ TIMER_IRQ + 1  ; the table must reach the highest vector used

_start:
    ; Every entry gets a handler, so that an exception (#DE 0, #UD 6,
    ; #GP 13) is reported instead of escalating to a triple fault.
    xor ecx, ecx
.fill:
    mov dword [idt + ecx*4], unexpected_interrupt
    inc ecx
    cmp ecx, IDT_ENTRIES
    jb .fill
    mov dword [idt + TIMER_IRQ*4], timer_handler
    lidt [idt_descriptor]

    ; Period and vector first: counting starts when the control port is
    ; written, so the timer must be fully set up by then.
    mov eax, PERIOD
    out PORT_TIMER_PERIOD, eax
    mov eax, TIMER_IRQ
    out PORT_TIMER_VECTOR, eax
    mov eax, TIMER_MODE_PERIODIC
    out PORT_TIMER_CONTROL, eax

.idle:
    ; Interrupts go on only now, with the table and timer ready. When IF
    ; was clear, sti takes effect after the next instruction, so nothing can
    ; slip in between sti and hlt: a kernel checks for work with interrupts
    ; off, then does sti; hlt and cannot sleep through the wake-up. When an
    ; iret brings us back here, IF is already set and sti changes nothing;
    ; there is nothing to check, so we just sleep again. The run ends in
    ; the handler.
    sti
    hlt
    jmp .idle

timer_handler:
    push eax
    push esi
    mov eax, [ticks]
    inc eax
    mov [ticks], eax
    puts tick_msg
    call print_dec
    call print_newline
    cmp eax, TICKS_WANTED
    jb .done
    ; Stop the source before leaving, as a driver would before shutdown.
    mov eax, TIMER_MODE_STOP
    out PORT_TIMER_CONTROL, eax
    puts stopped_msg
    exit 0
.done:
    pop esi
    pop eax
    iret                        ; also restores the interrupted code's flags

unexpected_interrupt:
    ; The table does not say which vector brought us here, only that one
    ; we did not plan for arrived. Give up with a nonzero status.
    puts unexpected_msg
    exit 1

tick_msg:
    db "tick ", 0
stopped_msg:
    db "timer stopped", 10, 0
unexpected_msg:
    db "unexpected interrupt or exception", 10, 0

align 64                        ; written at run time: keep it off code lines
idt_descriptor:
    dd idt, IDT_ENTRIES
ticks:
    dd 0
align 4
idt:
    times IDT_ENTRIES dd 0
