; busy-ticks.s - timer interrupts that arrive while the program computes with
; interrupts on, and, at the end, ones that arrive while they are off.
;
; Part 1: with IF set the program counts in a loop; each tick interrupts it
; (under a hypervisor: an EXTERNAL_INTERRUPT exit whose vector is injected
; straight back: the guest can take it). After TICKS_WANTED ticks the timer
; stops.
; Part 2: with IF clear the timer fires once with vector HIGH_IRQ, then, on
; a second one-shot, LOW_IRQ (the program polls the tick count to know).
; Then sti and one instruction in its shadow: the interrupts arrive after
; that instruction, highest vector first, the second when the first
; handler's iret sets IF again. Under a hypervisor: two EXTERNAL_INTERRUPT
; exits that find IF clear (an interrupt window is opened), then one
; INTERRUPT_WINDOW exit per vector.
;
; PERIOD leaves room for a tick's round trip at depth 2 without VMCS
; shadowing (about 23,000 cycles: L2 -> L0 -> L1, whose 6 vmread and 1
; vmwrite each trap to L0, and back): with a period shorter than that, the
; next tick is already pending whenever the guest is entered, and the
; guest never runs an instruction (a livelock, as it would be on hardware).
;
; Registers: ecx counts loop rounds; ebx is 1 in the sti shadow and 2 after;
; the handlers save what they use.
; Expected output:
;   3 ticks while busy
;   vector 0x30 after the shadow: 1
;   vector 0x21
; and exit status 0.

%include "console.inc"

TICK_IRQ     equ 0x20
LOW_IRQ      equ 0x21
HIGH_IRQ     equ 0x30
PERIOD       equ 200000
TICKS_WANTED equ 3
IDT_ENTRIES  equ HIGH_IRQ + 1

_start:
    xor ecx, ecx
.fill:
    mov dword [idt + ecx*4], unexpected
    inc ecx
    cmp ecx, IDT_ENTRIES
    jb .fill
    mov dword [idt + TICK_IRQ*4], tick
    mov dword [idt + HIGH_IRQ*4], high_handler
    mov dword [idt + LOW_IRQ*4], low_handler
    lidt [idt_descriptor]

    ; Part 1: ticks while busy.
    mov eax, PERIOD
    out PORT_TIMER_PERIOD, eax
    mov eax, TICK_IRQ
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
    puts busy_msg

    ; Part 2: two vectors held off by IF, taken after the sti shadow.
    mov eax, 3000
    out PORT_TIMER_PERIOD, eax
    mov eax, HIGH_IRQ
    call fire_once
    mov eax, LOW_IRQ
    call fire_once
    xor ebx, ebx
    sti
    mov ebx, 1                  ; in the shadow: no interrupt before this
    mov ebx, 2
    cmp dword [low_seen], 1
    jne unexpected
    exit 0

; fire_once: one one-shot interrupt with vector eax, waited for with IF
; clear (the tick count rises when it is raised).
fire_once:
    push ecx
    out PORT_TIMER_VECTOR, eax
    in ecx, PORT_TIMER_TICKS
    mov eax, TIMER_MODE_ONE_SHOT
    out PORT_TIMER_CONTROL, eax
.wait:
    in eax, PORT_TIMER_TICKS
    cmp eax, ecx
    je .wait
    pop ecx
    ret

tick:
    inc dword [ticks]
    iret

high_handler:
    push eax
    puts high_msg
    mov eax, ebx
    call print_dec
    call print_newline
    pop eax
    iret

low_handler:
    puts low_msg
    mov dword [low_seen], 1
    iret

unexpected:
    puts unexpected_msg
    exit 1

busy_msg:       db " ticks while busy", 10, 0
high_msg:       db "vector 0x30 after the shadow: ", 0
low_msg:        db "vector 0x21", 10, 0
unexpected_msg: db "unexpected interrupt or exception", 10, 0

align 64
ticks:
    dd 0
low_seen:
    dd 0
idt_descriptor:
    dd idt, IDT_ENTRIES
idt:
    times IDT_ENTRIES dd 0
