; unbalanced-stack.s - a workload with a bug to find with `smtnest debug`.
;
; sum_words pops one register more than it pushed: the extra pop takes the
; return address, and its ret then reads the next one from the top of the
; stack, which is the top of the program's memory (esp starts there). That
; read lies past guest-physical memory. Bare, it is a #GP, and with no
; interrupt table a triple fault (status 125). Under a hypervisor no EPT
; maps the address: the read is an EPT violation, and the hypervisor that
; owns the memory stops the run (status 0x76, HV_STATUS_EPT_VIOLATION).
; docs/writing-guests.md finds the bug with the debugger.
;
; Expected output: "summing" and nothing more.

%include "console.inc"

TABLE_WORDS equ 4

_start:
    puts summing_msg
    mov esi, table
    mov ecx, TABLE_WORDS
    call sum_words
    call print_hex
    call print_newline
    exit 0

; sum_words: eax = the sum of the ecx dwords at esi (ecx > 0); keeps esi and ecx.
sum_words:
    push esi
    push ecx
    xor eax, eax
.next:
    add eax, [esi]
    add esi, 4
    dec ecx
    jnz .next
    pop ecx
    pop esi
    pop edx                     ; the bug: a pop without its push
    ret

summing_msg:
    db "summing", 10, 0

align 4
table:
    dd 1, 2, 3, 4
