; compute.s - a CPU-bound workload: no I/O, no privileged instructions.
;
; It multiplies two 16x16 matrices of dwords N times (each round feeds the
; result, plus one, back as the next left operand, modulo 2^32: the plus one
; keeps the values from collapsing to 0 as factors of two pile up), then
; prints a checksum of the last product. Nothing in the loop traps, so a hypervisor
; should cost it almost nothing: compare its cycles at depths 0, 1 and 2.
;
; The region of interest (PORT_ROI) is the N rounds: its figure is matrix
; products per million cycles.
;
; N is the boot-info ITERATIONS field (--iterations), or 20.
; Registers in multiply: esi row, edi column, ecx the k index, eax/edx the
; product of two elements, ebp the running sum; ebx holds N at the top.

%include "console.inc"
%include "bootinfo.inc"

DEFAULT_ROUNDS equ 20
SIZE equ 16
ROW_BYTES equ SIZE * 4

_start:
    mov ebx, [ebx + BOOTINFO_ITERATIONS]
    test ebx, ebx
    jnz .have_count
    mov ebx, DEFAULT_ROUNDS
.have_count:
    call init_matrices
    mov eax, ROI_BEGIN
    out PORT_ROI, eax
.round:
    call multiply               ; c = a * b
    call copy_result            ; a = c
    dec ebx
    jnz .round
    mov eax, ROI_END
    out PORT_ROI, eax

    puts checksum_msg
    call checksum
    call print_hex
    call print_newline
    exit 0

; a[i][j] = i + j + 1, b[i][j] = i * j + 3 (values any reader can check by hand)
init_matrices:
    xor esi, esi
.row:
    xor edi, edi
.column:
    mov eax, esi
    imul eax, SIZE
    add eax, edi
    lea edx, [esi + edi + 1]
    mov [a + eax*4], edx
    mov edx, esi
    imul edx, edi
    add edx, 3
    mov [b + eax*4], edx
    inc edi
    cmp edi, SIZE
    jne .column
    inc esi
    cmp esi, SIZE
    jne .row
    ret

; c[i][j] = 1 + sum over k of a[i][k] * b[k][j], modulo 2^32
multiply:
    push ebx
    xor esi, esi
.row:
    xor edi, edi
.column:
    mov ebp, 1
    xor ecx, ecx
.term:
    mov eax, esi
    imul eax, SIZE
    add eax, ecx
    mov eax, [a + eax*4]
    mov edx, ecx
    imul edx, SIZE
    add edx, edi
    imul eax, [b + edx*4]
    add ebp, eax
    inc ecx
    cmp ecx, SIZE
    jne .term
    mov eax, esi
    imul eax, SIZE
    add eax, edi
    mov [c + eax*4], ebp
    inc edi
    cmp edi, SIZE
    jne .column
    inc esi
    cmp esi, SIZE
    jne .row
    pop ebx
    ret

copy_result:
    xor ecx, ecx
.next:
    mov eax, [c + ecx*4]
    mov [a + ecx*4], eax
    inc ecx
    cmp ecx, SIZE * SIZE
    jne .next
    ret

; eax = the sum of every element of c times its index plus one, modulo 2^32
; (weighted, so that equal elements do not cancel out)
checksum:
    xor eax, eax
    xor ecx, ecx
.next:
    lea edx, [ecx + 1]
    imul edx, [c + ecx*4]
    add eax, edx
    inc ecx
    cmp ecx, SIZE * SIZE
    jne .next
    ret

checksum_msg: db "compute checksum: ", 0
align 4096
a: times SIZE * SIZE dd 0
b: times SIZE * SIZE dd 0
c: times SIZE * SIZE dd 0
