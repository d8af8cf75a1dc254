; touch-every-page.s - writes the first dword of every page of its RAM above its image: no page of it is anyone else's.
; docs/security.md says what contains it.

%include "attack.inc"

attack:
    mov edi, [ram_size]
    mov ecx, attack_end
    add ecx, 0xfff
    and ecx, ~0xfff
.page:
    sub edi, 0x1000
    cmp edi, ecx
    jb .done
    mov [edi], edi
    cmp [edi], edi
    jne .done
    jmp .page
.done:
    ret
attack_end:
