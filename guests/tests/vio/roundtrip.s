; roundtrip.s - the NIC and the block device, driven by interrupts: packets
; to the echo peer and back, and sectors written to the disk and read back.
; The same program runs bare (the physical devices), under L0 (L0's virtual
; devices) and under L0 and L1 (L1's virtual devices, backed by L0's), and
; prints the same at every depth.
;
; NIC: PACKETS packets of different lengths (64 + 200 * i bytes, byte k of
; packet i = i * 37 + k) go out in one doorbell; the echo peer returns each,
; into receive buffers given beforehand. The NIC's vector is NIC_IRQ, not
; the default, so the vector register must be honoured; its handler reads
; IRQ_STATUS, writes it back (clearing it) and keeps the bits in
; nic_events. The program waits (sti; hlt) until TX_HEAD and RX_HEAD have
; both reached PACKETS and both causes were seen, then checks every
; descriptor's status, every received length and every byte.
; Block: BLK_IRQ; the handler reads STATUS and keeps it. Two sectors of a
; pattern are written at sector 3 and read back into another buffer; then
; sector 0 (what the test put on the disk) is read and its dword sum printed.
; The vectors, handlers and waits are lib.inc's.
;
; Memory: the rings and buffers after the code, page-aligned; nothing
; outside the program's image is used but the stack (esp from the loader).
; Registers: the main program keeps nothing live across a wait; handlers
; save what they use.
;
; Expected output, at every depth:
;   tx 4 sent, rx 4 received, events 0x3
;   packet 0: 64 bytes echoed
;   ... packet 3: 664 bytes echoed
;   block write: status 0x2
;   block read back: status 0x2, 1024 bytes equal
;   sector 0: status 0x2, sum 0x........
;   done
; and exit status 0; a mismatch prints what differs and exits with 1.

%include "console.inc"
%include "lib.inc"

PACKETS      equ 4
RING_SLOTS   equ 8
BUFFER_BYTES equ 2048

_start:
    call devices_init

    ; ---- the NIC ----
    ; Receive: a buffer per descriptor, PACKETS of them given.
    mov eax, rx_ring
    out PORT_NIC_RX_RING, eax
    mov eax, RING_SLOTS
    out PORT_NIC_RX_SIZE, eax
    xor ecx, ecx
.rx_desc:
    mov edx, ecx
    shl edx, 4
    mov eax, ecx
    shl eax, 11                 ; BUFFER_BYTES each
    add eax, rx_buffers
    mov [rx_ring + edx + NIC_DESC_ADDRESS], eax
    mov dword [rx_ring + edx + NIC_DESC_LENGTH], BUFFER_BYTES
    mov dword [rx_ring + edx + NIC_DESC_STATUS], 0
    inc ecx
    cmp ecx, PACKETS
    jb .rx_desc
    mov eax, PACKETS
    out PORT_NIC_RX_TAIL, eax
    ; Transmit: packet i in tx_buffers + i * BUFFER_BYTES.
    mov eax, tx_ring
    out PORT_NIC_TX_RING, eax
    mov eax, RING_SLOTS
    out PORT_NIC_TX_SIZE, eax
    xor ecx, ecx
.tx_desc:
    call fill_packet
    inc ecx
    cmp ecx, PACKETS
    jb .tx_desc
    mov eax, PACKETS
    out PORT_NIC_TX_TAIL, eax
    mov ecx, PACKETS            ; wait for TX_HEAD and RX_HEAD PACKETS, both causes
    mov edx, NIC_IRQ_TX | NIC_IRQ_RX
    call nic_wait

    puts tx_msg
    in eax, PORT_NIC_TX_HEAD
    call print_dec
    puts rx_msg
    in eax, PORT_NIC_RX_HEAD
    call print_dec
    puts events_msg
    mov eax, [nic_events]
    call print_hex_short
    call print_newline

    xor ecx, ecx
.check_packet:
    call check_packet
    inc ecx
    cmp ecx, PACKETS
    jb .check_packet

    ; ---- the block device ----
    mov edi, block_out
    xor ecx, ecx
.pattern:
    lea eax, [ecx*4 + 0x5a000000]
    xor eax, ecx
    mov [edi + ecx*4], eax
    inc ecx
    cmp ecx, 256                ; two sectors of dwords
    jb .pattern
    mov eax, 3
    mov ecx, 2
    mov edx, block_out
    mov ebx, BLOCK_COMMAND_WRITE
    call block_request
    puts write_msg
    call print_hex_short
    call print_newline

    mov eax, 3
    mov ecx, 2
    mov edx, block_in
    mov ebx, BLOCK_COMMAND_READ
    call block_request
    puts read_back_msg
    call print_hex_short
    xor ecx, ecx
.compare:
    mov eax, [block_out + ecx*4]
    cmp eax, [block_in + ecx*4]
    jne .differs
    inc ecx
    cmp ecx, 256
    jb .compare
    puts equal_msg
    jmp .sector0
.differs:
    puts differ_msg
    exit 1
.sector0:
    xor eax, eax
    mov ecx, 1
    mov edx, block_in
    mov ebx, BLOCK_COMMAND_READ
    call block_request
    puts sector0_msg
    call print_hex_short
    puts sum_msg
    xor eax, eax
    xor ecx, ecx
.sum:
    add eax, [block_in + ecx*4]
    inc ecx
    cmp ecx, 128
    jb .sum
    call print_hex
    call print_newline
    puts done_msg
    exit 0

; fill_packet: packet ecx into its buffer and its transmit descriptor.
fill_packet:
    push eax
    push edx
    push edi
    push esi
    mov edi, ecx
    shl edi, 11
    add edi, tx_buffers
    mov esi, ecx
    imul esi, 200
    add esi, 64                 ; its length
    mov edx, ecx
    shl edx, 4
    mov [tx_ring + edx + NIC_DESC_ADDRESS], edi
    mov [tx_ring + edx + NIC_DESC_LENGTH], esi
    mov dword [tx_ring + edx + NIC_DESC_STATUS], 0
    mov eax, ecx
    imul eax, 37
.byte:
    mov byte [edi], eax
    inc eax
    inc edi
    dec esi
    jnz .byte
    pop esi
    pop edi
    pop edx
    pop eax
    ret

; check_packet: packet ecx was sent (done, no error) and came back in
; receive buffer ecx, whole; prints it, or what differs and exits.
check_packet:
    push eax
    push ebx
    push edx
    push esi
    push edi
    push r8
    mov ebx, ecx
    shl ebx, 4                  ; its descriptors
    cmp dword [tx_ring + ebx + NIC_DESC_STATUS], NIC_DESC_DONE
    jne .bad_tx
    cmp dword [rx_ring + ebx + NIC_DESC_STATUS], NIC_DESC_DONE
    jne .bad_rx
    mov edx, [rx_ring + ebx + NIC_DESC_LENGTH]
    cmp edx, [tx_ring + ebx + NIC_DESC_LENGTH]
    jne .bad_rx
    mov esi, [tx_ring + ebx + NIC_DESC_ADDRESS]
    mov edi, [rx_ring + ebx + NIC_DESC_ADDRESS]
.byte:
    movzx eax, byte [esi]
    movzx r8, byte [edi]
    cmp eax, r8
    jne .bad_rx
    inc esi
    inc edi
    dec edx
    jnz .byte
    puts packet_msg
    mov eax, ecx
    call print_dec
    puts colon_msg
    mov eax, [rx_ring + ebx + NIC_DESC_LENGTH]
    call print_dec
    puts echoed_msg
    pop r8
    pop edi
    pop esi
    pop edx
    pop ebx
    pop eax
    ret
.bad_tx:
    puts bad_tx_msg
    jmp .which
.bad_rx:
    puts bad_rx_msg
.which:
    mov eax, ecx
    call print_dec
    call print_newline
    exit 1

tx_msg:         db "tx ", 0
rx_msg:         db " sent, rx ", 0
events_msg:     db " received, events ", 0
packet_msg:     db "packet ", 0
colon_msg:      db ": ", 0
echoed_msg:     db " bytes echoed", 10, 0
bad_tx_msg:     db "transmit descriptor not done cleanly: ", 0
bad_rx_msg:     db "echo differs, packet ", 0
write_msg:      db "block write: status ", 0
read_back_msg:  db "block read back: status ", 0
equal_msg:      db ", 1024 bytes equal", 10, 0
differ_msg:     db ": differs from what was written", 10, 0
sector0_msg:    db "sector 0: status ", 0
sum_msg:        db ", sum 0x", 0
done_msg:       db "done", 10, 0

align 64                        ; written at run time: off the code lines
vio_memory
align 4096
tx_ring:        times RING_SLOTS * NIC_DESCRIPTOR_SIZE db 0
rx_ring:        times RING_SLOTS * NIC_DESCRIPTOR_SIZE db 0
align 4096
block_out:      times 1024 db 0
block_in:       times 1024 db 0
tx_buffers:     times PACKETS * BUFFER_BYTES db 0
rx_buffers:     times PACKETS * BUFFER_BYTES db 0
