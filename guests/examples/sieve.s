; sieve.s - Sieve of Eratosthenes: the primes up to 1000.
;
; Prints how many primes there are up to LIMIT (168 for 1000) and the last
; ten of them, in increasing order.
;
; Memory:
;   composite  one byte per number 0..LIMIT; nonzero once the number is
;              known to have a smaller factor. Starts all zero.
;   primes     the primes found, as dwords, in increasing order.
; Registers (sieving):  ecx  the candidate p;  eax  a multiple of p
; Registers (counting): ecx  the number tested;  ebx  primes found so far
; Expected output:
;   primes up to 1000: 168
;   last 10: 937 941 947 953 967 971 977 983 991 997
; and exit status 0.

%include "console.inc"

LIMIT     equ 1000
SHOW_LAST equ 10

_start:
    mov ecx, 2
.sieve:
    ; Any composite n <= LIMIT has a factor p with p*p <= n, so once p*p
    ; passes LIMIT every composite has already been struck out.
    mov eax, ecx
    imul eax, ecx
    cmp eax, LIMIT
    ja .collect
    movzx edx, byte [composite + ecx]
    test edx, edx
    jnz .next_candidate         ; multiples of a composite are struck already
    ; Smaller multiples of p (k*p with k < p) were struck by k's factors,
    ; so striking starts at p*p, which is already in eax.
.strike:
    mov byte [composite + eax], 1
    add eax, ecx
    cmp eax, LIMIT
    jbe .strike
.next_candidate:
    inc ecx
    jmp .sieve

.collect:
    ; Whatever is still unmarked from 2 up is prime; store them in order.
    xor ebx, ebx
    mov ecx, 2
.test:
    movzx edx, byte [composite + ecx]
    test edx, edx
    jnz .not_prime
    mov [primes + ebx*4], ecx
    inc ebx
.not_prime:
    inc ecx
    cmp ecx, LIMIT
    jbe .test

    puts count_msg
    mov eax, ebx
    call print_dec
    call print_newline

    puts last_msg
    ; The last SHOW_LAST primes are primes[count - SHOW_LAST .. count - 1].
    mov ecx, ebx
    sub ecx, SHOW_LAST
.show:
    mov eax, [primes + ecx*4]
    call print_dec
    inc ecx
    cmp ecx, ebx
    jae .shown
    mov eax, ' '                ; a separator between numbers, not after the last
    call print_char
    jmp .show
.shown:
    call print_newline
    exit 0

count_msg:
    db "primes up to 1000: ", 0
last_msg:
    db "last 10: ", 0

; Data written at run time goes in its own 64-byte lines, away from code:
; storing into a line that holds decoded instructions makes the emulator
; throw those decodings away.
align 64
composite:
    times LIMIT + 1 db 0
align 64
primes:
    times LIMIT dd 0            ; far more room than the 168 primes need
