; sort.s - recursive quicksort of 32 dwords, then a check that it worked.
;
; Prints the table before and after sorting (8 numbers per line), then checks
; that every element is <= the next. Exit status 0 when sorted, 1 if not.
; Values are compared unsigned, so 0xFFFFFFFF (4294967295) sorts last.
;
; quicksort is a real recursive procedure: each call partitions its range,
; then calls itself on the two halves. Return addresses and the saved
; registers of every active call live on the stack; the depth is at most
; the number of elements (32), well within the stack at the top of RAM.
;
; Memory:    array  ARRAY_LEN dwords, sorted in place
; Registers: quicksort takes eax = lo, edx = hi (signed element indexes,
;            inclusive; hi < lo is an empty range) and preserves every
;            register. print_array and check_sorted are described where
;            they stand.
; Expected output: "before:", the table as written (4 lines), "after:", the
; table sorted (4 lines), "sorted"; exit status 0.

%include "console.inc"

PER_LINE equ 8

_start:
    puts before_msg
    call print_array
    mov eax, 0
    mov edx, ARRAY_LEN - 1
    call quicksort
    puts after_msg
    call print_array
    call check_sorted
    jne .unsorted
    puts sorted_msg
    exit 0
.unsorted:
    puts unsorted_msg
    exit 1

; quicksort: sort array[eax..edx] in place. Lomuto partition around the
; last element: everything below the pivot is moved to the front, then the
; pivot goes right after those, to the place it has in the sorted result.
quicksort:
    cmp eax, edx
    jge .leaf                   ; zero or one element: already sorted
    push eax
    push ebx
    push ecx
    push edx
    push esi
    push edi
    push r8
    mov edi, edx                ; hi
    mov esi, [array + edx*4]    ; the pivot
    mov ebx, eax                ; i: where the next element < pivot goes
    mov ecx, eax                ; j: the element being looked at
.scan:
    cmp ecx, edi
    jge .place_pivot
    mov r8, [array + ecx*4]
    cmp r8, esi
    jae .keep                   ; unsigned >= pivot: stays on the right
    ; Swap array[i] and array[j]; r8 already holds array[j].
    mov edx, [array + ebx*4]
    mov [array + ebx*4], r8
    mov [array + ecx*4], edx
    inc ebx
.keep:
    inc ecx
    jmp .scan
.place_pivot:
    mov edx, [array + ebx*4]
    mov [array + ebx*4], esi
    mov [array + edi*4], edx
    ; ebx is now the pivot's final index. Because quicksort preserves
    ; registers, ebx and edi (hi) are still valid after the first call.
    lea edx, [ebx - 1]
    call quicksort              ; array[lo .. p-1]; eax still holds lo
    lea eax, [ebx + 1]
    mov edx, edi
    call quicksort              ; array[p+1 .. hi]
    pop r8
    pop edi
    pop esi
    pop edx
    pop ecx
    pop ebx
    pop eax
.leaf:
    ret

; print_array: print the table, PER_LINE numbers to a line separated by
; spaces. Preserves every register.
print_array:
    push eax
    push ecx
    xor ecx, ecx
.element:
    mov eax, [array + ecx*4]
    call print_dec
    inc ecx
    ; After every PER_LINE-th number (PER_LINE a power of two) end the line.
    test ecx, PER_LINE - 1
    jz .end_line
    mov eax, ' '
    call print_char
    jmp .element
.end_line:
    call print_newline
    cmp ecx, ARRAY_LEN
    jb .element
    pop ecx
    pop eax
    ret

; check_sorted: ZF = 1 when array[k] <= array[k+1] (unsigned) for every k,
; ZF = 0 at the first pair out of order. Preserves every register.
check_sorted:
    push eax
    push ecx
    mov ecx, 1
.pair:
    cmp ecx, ARRAY_LEN
    jae .ok
    mov eax, [array + ecx*4 - 4]
    cmp eax, [array + ecx*4]
    ja .bad
    inc ecx
    jmp .pair
.ok:
    xor eax, eax                ; sets ZF
    jmp .out
.bad:
    or eax, 1                   ; clears ZF: eax | 1 is never zero
.out:
    pop ecx                     ; pop leaves the flags alone
    pop eax
    ret

before_msg:
    db "before:", 10, 0
after_msg:
    db "after:", 10, 0
sorted_msg:
    db "sorted", 10, 0
unsorted_msg:
    db "NOT SORTED", 10, 0

; The table to sort: duplicates, 0 and the largest unsigned value included.
; test/examples.test.ts reads these dd lines to compute the expected output.
align 64                        ; written at run time: keep it off code lines
array:
    dd 503, 87, 512, 61, 908, 170, 897, 275
    dd 653, 426, 154, 509, 612, 677, 765, 703
    dd 0, 4294967295, 87, 1000000, 42, 7, 503, 65536
    dd 31337, 2, 999, 128, 64, 4096, 1, 3
ARRAY_LEN equ ($ - array) / 4
