; fibonacci.s - print the first 20 Fibonacci numbers, one per line.
;
; The sequence starts F(0) = 0, F(1) = 1, and each term is the sum of the
; two before it: 0 1 1 2 3 5 ... 4181. Iterative: only the last two terms
; are kept, in registers; nothing is stored in memory.
;
; Registers:
;   eax  F(n), the term printed this round
;   ebx  F(n+1)
;   ecx  terms still to print
;   edx  scratch for F(n+2)
; Expected output: the 20 numbers, one per line; exit status 0.

%include "console.inc"

COUNT equ 20

_start:
    xor eax, eax                ; F(0)
    mov ebx, 1                  ; F(1)
    mov ecx, COUNT
.next:
    ; print_dec and print_newline preserve all registers, so the pair of
    ; terms can stay in eax and ebx across the calls.
    call print_dec
    call print_newline
    ; Slide the window one term along: (a, b) becomes (b, a + b).
    mov edx, eax
    add edx, ebx
    mov eax, ebx
    mov ebx, edx
    dec ecx
    jnz .next
    exit 0
