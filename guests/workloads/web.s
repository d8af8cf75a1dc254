; web.s - a static web server: files by name for a client over the NIC,
; each read from the block device when it is asked for (no cache, so every
; request waits for the disk: the server is storage-bound). Its figure is
; throughput: requests served per million cycles of the region of interest.
;
; The peer is the 'web' client (src/devices/web-client.ts), a closed loop as
; wrk with one connection runs it: one request outstanding; the next
; request answers the last response. Protocol (text):
;   the server's first packet: "READY\n" (the client then sends its first request)
;   request:  "GET /<name>\n"
;   response: "200 <length>\n" and the file's bytes; "404\n" when there is
;             no such file; "400\n" for a request it cannot parse; "500\n"
;             when the disk fails it or the file is too large for a packet
; The client asks for the site's files and for a few names that are not
; there, and checks every answer against the disk image it was built from.
;
; The disk (src/devices/web-client.ts builds it): sector 0 is the
; directory, ENTRIES entries of ENTRY_BYTES: the name (NUL-padded, at most
; NAME_MAX bytes), the file's first sector (dd) and its length (dd); the
; first entry with an empty name ends it. Each file starts on a sector.
;
; The run: set up the interrupt table (interrupts.inc), the NIC (nic.inc)
; and the disk, and read the directory (disk.inc); then serve N requests as
; every closed-loop server does (server.inc): announce READY, answer each
; request with serve, the region of interest around the N transactions.
; While a file is read, the program sleeps (sti; hlt) until the disk's
; interrupt. Print the tallies.
;
; N is the boot-info ITERATIONS field (--iterations), or 200.
; Registers in serve: esi the request (ecx bytes), then the name in it;
; ebx the response being built in its transmit buffer; edi a directory
; entry, then where the response's next byte goes.
; Expected output (the same at every depth and mode; the counts follow
; from the client's seeded generator):
;   web: 200 requests: 173 files sent (163575 bytes), 27 not found

%include "console.inc"
%include "format.inc"
%include "workload.inc"
%include "interrupts.inc"
%include "nic.inc"
%include "disk.inc"
%include "server.inc"

DEFAULT_REQUESTS equ 200

PREFIX_BYTES equ 5              ; "GET /"
ENTRY_BYTES equ 32              ; directory entry layout
ENTRY_NAME equ 0
NAME_BYTES equ 24
NAME_MAX equ NAME_BYTES - 1     ; the name field keeps a NUL at its end
ENTRY_SECTOR equ 24
ENTRY_LENGTH equ 28
ENTRIES equ BLOCK_SECTOR_SIZE / ENTRY_BYTES
FILE_SECTORS equ 3              ; the largest file: with its header, one packet
FILE_MAX equ FILE_SECTORS * BLOCK_SECTOR_SIZE

_start:
    iteration_count requests, DEFAULT_REQUESTS
    call interrupts_init
    call nic_init
    call disk_init
    xor eax, eax
    mov ecx, 1
    mov edi, directory
    call disk_read
    jc .no_disk
    mov ecx, [requests]
    mov esi, failures_format
    call server_run
    putf result_format, requests
    exit 0
.no_disk:
    puts no_disk_msg
    exit 1

; serve: answers the request at esi (ecx bytes) in the buffer at ebx; ecx =
; the response's length, CF set for a 400 or a 500.
serve:
    ; "GET /" + 1 to NAME_MAX bytes of name + "\n"
    cmp ecx, PREFIX_BYTES + 2
    jb .bad_request
    cmp ecx, PREFIX_BYTES + NAME_MAX + 1
    ja .bad_request
    cmp dword [esi], 'GET '
    jne .bad_request
    movzx eax, byte [esi + 4]
    cmp eax, '/'
    jne .bad_request
    movzx eax, byte [esi + ecx - 1]
    cmp eax, 10
    jne .bad_request
    add esi, PREFIX_BYTES
    sub ecx, PREFIX_BYTES + 1   ; the name's length
    call find_file
    jc .not_found

    mov ecx, [edi + ENTRY_LENGTH]
    cmp ecx, FILE_MAX
    ja .server_error
    mov eax, [edi + ENTRY_SECTOR]
    add ecx, BLOCK_SECTOR_SIZE - 1
    shr ecx, 9                  ; / BLOCK_SECTOR_SIZE: whole sectors
    push edi
    mov edi, file_buffer
    call disk_read
    pop edi
    jc .server_error
    ; "200 <length>\n", then the file
    mov ecx, [edi + ENTRY_LENGTH]
    inc dword [files]
    add [file_bytes], ecx
    mov edi, ebx
    mov dword [edi], '200 '
    add edi, 4
    mov eax, ecx
    call store_dec
    mov byte [edi], 10
    inc edi
    mov esi, file_buffer
    call copy_bytes
    add edi, ecx
    mov ecx, edi
    sub ecx, ebx
    clc
    ret

.not_found:
    inc dword [not_found]
    mov dword [ebx], '404' | (10 << 24)   ; "404\n"
    mov ecx, 4                  ; three digits and the newline
    clc
    ret
.bad_request:
    mov dword [ebx], '400' | (10 << 24)   ; "400\n"
    jmp .not_served
.server_error:
    mov dword [ebx], '500' | (10 << 24)   ; "500\n"
.not_served:
    mov ecx, 4
    stc
    ret

; find_file: edi = the directory entry named by the ecx bytes at esi; CF
; set when there is none.
find_file:
    push eax
    push edx
    mov edi, directory
    mov edx, ENTRIES
.entry:
    movzx eax, byte [edi + ENTRY_NAME]
    test eax, eax
    jz .none                    ; an empty name ends the directory
    call same_name
    je .found
    add edi, ENTRY_BYTES
    dec edx
    jnz .entry
.none:
    pop edx
    pop eax
    stc
    ret
.found:
    pop edx
    pop eax
    clc
    ret

; same_name: ZF set when the ecx bytes at esi are the whole name of the
; entry at edi (its next byte is the NUL that pads it).
same_name:
    push eax
    push ebx
    push edx
    xor edx, edx
.byte:
    movzx eax, byte [esi + edx]
    movzx ebx, byte [edi + ENTRY_NAME + edx]
    cmp eax, ebx
    jne .done
    inc edx
    cmp edx, ecx
    jb .byte
    movzx eax, byte [edi + ENTRY_NAME + edx]
    test eax, eax
.done:
    pop edx
    pop ebx
    pop eax
    ret

; store_dec: writes eax in decimal at edi; edi ends after the last digit.
store_dec:
    push eax
    push ecx
    push edx
    push esi
    mov esi, 10
    xor ecx, ecx                ; digits pushed so far
.divide:
    xor edx, edx
    div esi
    push edx
    inc ecx
    test eax, eax
    jnz .divide
.emit:
    pop eax
    add eax, '0'
    mov byte [edi], eax
    inc edi
    dec ecx
    jnz .emit
    pop esi
    pop edx
    pop ecx
    pop eax
    ret

result_format: db "web: % requests: % files sent (% bytes), % not found", 10, 0
failures_format: db "web: % requests malformed or failed", 10, 0
no_disk_msg: db "web: cannot read the directory from the disk", 10, 0
unexpected_msg: db "web: unexpected interrupt or exception", 10, 0

align 64                        ; written at run time: keep it off code lines
requests: dd 0                  ; result_format's fields, in its order
files: dd 0
file_bytes: dd 0
not_found: dd 0
interrupt_table NIC_VECTOR + 1  ; DISK_VECTOR is below NIC_VECTOR
disk_memory
align 4096
directory: times BLOCK_SECTOR_SIZE db 0
file_buffer: times FILE_MAX db 0
server_memory
nic_memory
