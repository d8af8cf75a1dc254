; write-low-memory.s - writes over guest-physical 0-64 KiB, where its hypervisor's image lives in host-physical memory: it reaches only its own pages.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov edi, 0x40000
    mov ecx, 0x10000 / 4
.next:
    sub edi, 4
    cmp edi, 0x30000
    jb .done
    mov dword [edi], 0x41414141
    jmp .next
.done:
    xor edi, edi
.low:
    cmp edi, 0x1000
    jae .end
    mov dword [edi + 0x20000], 0x41414141
    add edi, 4
    jmp .low
.end:
    ret
attack_end:
