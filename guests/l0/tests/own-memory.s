; own-memory.s - a guest writing all over its own memory reaches only that.
;
; Fills every dword from the end of its image up to 256 bytes below the top
; of its memory (the stack lives there) with PATTERN, then reads it all back.
; Under L0 guest-physical 0 is host-physical GUEST_BASE: the low addresses
; the program writes are the same numbers as L0's own code and data in host
; memory, but EPT sends every write into the guest's part of RAM, and L0
; keeps running undisturbed.
;
; Registers: edi the address written or checked; ecx the end; edx the count.
; Expected output: "filled and checked" and exit status 0.

%include "console.inc"
%include "bootinfo.inc"

PATTERN equ 0xa5a5a5a5

_start:
    mov ecx, [ebx + BOOTINFO_RAM_SIZE]
    sub ecx, 256
    mov edi, image_end
.fill:
    mov dword [edi], PATTERN
    add edi, 4
    cmp edi, ecx
    jb .fill
    mov edi, image_end
.check:
    cmp dword [edi], PATTERN
    jne .bad
    add edi, 4
    cmp edi, ecx
    jb .check
    puts done_msg
    exit 0
.bad:
    puts bad_msg
    exit 1

done_msg:
    db "filled and checked", 10, 0
bad_msg:
    db "memory did not keep what was written", 10, 0
align 4
image_end:
