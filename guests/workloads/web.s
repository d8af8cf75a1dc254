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
; The run: set up the interrupt table, the NIC (nic.inc) and read the
; directory (disk.inc); announce READY and wait for the first request: the
; region of interest begins when it comes. Serve N requests, sleeping (sti;
; hlt) until the NIC's or the disk's interrupt. Then wait for one more
; request, which the client sends only once it has the last response: the
; region ends there, so that it holds N whole transactions, and that
; request is not answered.
;
; N is the boot-info ITERATIONS field (--iterations), or 200.
; Registers in serve: esi the request (ecx bytes), then the name in it;
; ebx the response being built in its transmit buffer; edi a directory
; entry, then where the response's next byte goes.
; Expected output (the same at every depth and mode; the counts follow
; from the client's seeded generator):
;   web: 200 requests: 173 files sent (163575 bytes), 27 not found

%include "console.inc"
%include "bootinfo.inc"
%include "nic.inc"
%include "disk.inc"

DEFAULT_REQUESTS equ 200
IDT_ENTRIES equ NIC_VECTOR + 1

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
    mov ecx, [ebx + BOOTINFO_ITERATIONS]
    test ecx, ecx
    jnz .have_count
    mov ecx, DEFAULT_REQUESTS
.have_count:
    mov [requests], ecx
    call setup_interrupts
    call nic_init
    xor eax, eax
    mov ecx, 1
    mov edi, directory
    call disk_read
    jc .no_disk

    call nic_tx_buffer
    mov esi, ready_msg
    mov ecx, READY_BYTES
    call copy_bytes
    call nic_send
    call nic_wait_receive
    mov eax, ROI_BEGIN
    out PORT_ROI, eax
    xor ebp, ebp
.serve:
    call serve
    call nic_rx_release
    inc ebp
    cmp ebp, [requests]
    jae .served
    call nic_wait_receive
    jmp .serve
.served:
    call nic_wait_receive       ; the client has the last response
    mov eax, ROI_END
    out PORT_ROI, eax

    cmp dword [errors], 0
    jne .errors
    puts result_msg
    mov eax, ebp
    call print_dec
    puts requests_msg
    mov eax, [files]
    call print_dec
    puts files_msg
    mov eax, [file_bytes]
    call print_dec
    puts bytes_msg
    mov eax, [not_found]
    call print_dec
    puts not_found_msg
    exit 0
.errors:
    puts result_msg
    mov eax, [errors]
    call print_dec
    puts errors_msg
    exit 1
.no_disk:
    puts no_disk_msg
    exit 1

; serve: answers the request at esi (ecx bytes).
serve:
    ; One request at a time: the last response was sent before this
    ; request came, so reclaiming always frees its slot.
    call nic_tx_reclaim
    call nic_tx_buffer
    mov ebx, edi
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
    jmp .send

.not_found:
    inc dword [not_found]
    mov dword [ebx], '404' | (10 << 24)   ; "404\n"
    jmp .status_only
.bad_request:
    inc dword [errors]
    mov dword [ebx], '400' | (10 << 24)   ; "400\n"
    jmp .status_only
.server_error:
    inc dword [errors]
    mov dword [ebx], '500' | (10 << 24)   ; "500\n"
.status_only:
    mov ecx, 4                  ; three digits and the newline
.send:
    call nic_send
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

; Every vector gets a handler, so that an exception is reported instead of
; escalating to a triple fault; the NIC and the disk get their drivers'.
setup_interrupts:
    xor ecx, ecx
.fill:
    mov dword [idt + ecx*4], unexpected_interrupt
    inc ecx
    cmp ecx, IDT_ENTRIES
    jb .fill
    mov dword [idt + NIC_VECTOR*4], nic_interrupt
    mov dword [idt + DISK_VECTOR*4], disk_interrupt
    lidt [idt_descriptor]
    ret

unexpected_interrupt:
    puts unexpected_msg
    exit 1

ready_msg: db "READY", 10
READY_BYTES equ $ - ready_msg
result_msg: db "web: ", 0
requests_msg: db " requests: ", 0
files_msg: db " files sent (", 0
bytes_msg: db " bytes), ", 0
not_found_msg: db " not found", 10, 0
errors_msg: db " requests malformed or failed", 10, 0
no_disk_msg: db "web: cannot read the directory from the disk", 10, 0
unexpected_msg: db "web: unexpected interrupt or exception", 10, 0

align 64                        ; written at run time: keep it off code lines
requests: dd 0
files: dd 0
file_bytes: dd 0
not_found: dd 0
errors: dd 0
idt_descriptor: dd idt, IDT_ENTRIES
idt: times IDT_ENTRIES dd 0
disk_memory
align 4096
directory: times BLOCK_SECTOR_SIZE db 0
file_buffer: times FILE_MAX db 0
nic_memory
