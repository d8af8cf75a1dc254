; crc32.s - CRC-32 of a message, table-driven.
;
; The CRC used by zlib, PNG and Ethernet (IEEE 802.3): reflected, polynomial
; 0xEDB88320, initial value 0xFFFFFFFF, final complement. A 256-entry table
; holds the effect of 8 shift steps for every byte value, so the main loop
; handles a whole byte per iteration instead of one bit.
;
; Memory:
;   crc_table  256 dwords, built at run time by build_table
;   message    the input bytes (NUL-terminated only so that it can be printed;
;              the CRC covers MESSAGE_LEN bytes, NUL excluded)
; Registers: crc32 takes esi = address, ecx = length, returns eax = CRC.
; Expected output:
;   message: The quick brown fox jumps over the lazy dog
;   crc32:   414fa339
; and exit status 0.

%include "console.inc"

POLY equ 0xEDB88320

_start:
    call build_table
    mov esi, message
    mov ecx, MESSAGE_LEN
    call crc32

    puts message_label
    puts message
    call print_newline
    puts crc_label
    call print_hex
    call print_newline
    exit 0

; build_table: crc_table[n] = n run through 8 steps of bitwise CRC division.
; Clobbers eax, ecx, edx.
build_table:
    xor ecx, ecx                ; n
.entry:
    mov eax, ecx
    mov edx, 8
.bit:
    ; Reflected CRC: the low bit is the next one out. shr leaves it in CF;
    ; when it was 1 the polynomial divides out, i.e. is xored in.
    shr eax, 1
    jnc .no_poly
    xor eax, POLY
.no_poly:
    dec edx                     ; dec leaves CF alone, but nothing needs it now
    jnz .bit
    mov [crc_table + ecx*4], eax
    inc ecx
    cmp ecx, 256
    jb .entry
    ret

; crc32: eax = CRC-32 of the ecx bytes at esi. Clobbers ecx, edx, esi.
crc32:
    mov eax, 0xFFFFFFFF
    test ecx, ecx
    jz .done
.byte:
    ; The table index is the low byte of crc xor the next input byte; the
    ; crc's other 24 bits shift down and meet the table entry.
    movzx edx, byte [esi]
    xor edx, eax
    and edx, 0xff
    shr eax, 8
    xor eax, [crc_table + edx*4]
    inc esi
    dec ecx
    jnz .byte
.done:
    not eax
    ret

message_label:
    db "message: ", 0
crc_label:
    db "crc32:   ", 0
message:
    db "The quick brown fox jumps over the lazy dog", 0
MESSAGE_LEN equ $ - message - 1

align 64                        ; written at run time: keep it off code lines
crc_table:
    times 256 dd 0
