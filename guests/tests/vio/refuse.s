; refuse.s - descriptors and block requests that name memory outside the
; program's own, next to good ones. Bare, the physical devices refuse them
; (outside RAM); under a hypervisor, its device model must (outside the
; guest's memory, which the hypervisor's RAM continues on both sides: a
; translation that did not check would reach the hypervisor's memory just
; below the guest's, or past it). Either way a refused descriptor completes
; done with the error bit and nothing moves, so the output is the same at
; every depth.
;
; The program's memory is [0, RAM_SIZE) (boot-info RAM_SIZE). Phase 1, one
; transmit ring and one receive ring:
;   tx 0  buffer at RAM_SIZE, 64 bytes               outside
;   tx 1  buffer at RAM_SIZE - 32, 64 bytes          straddling the end
;   tx 2  buffer at 0xFFFFFFC0, 128 bytes            wrapping around 4 GiB
;   tx 3-5  good 16-byte packets (byte k of packet i = i * 16 + k)
;   rx 0  buffer at RAM_SIZE + 0x1000                outside
;   rx 1  buffer at 0xFFFFF000                       outside (just below 0
;                                                    once wrapped)
;   rx 2  a good buffer
; The echo peer returns the three good packets: the first into rx 0 and the
; second into rx 1 (both refused), the third into rx 2.
; Phase 2: a transmit ring at RAM_SIZE (descriptor 0 outside), one
; descriptor given; then a receive ring at RAM_SIZE - 8 (descriptor 0
; straddling the end) and one good packet sent from the first ring again:
; both complete (the heads move) with no status anywhere.
; Phase 3: block reads of one sector into RAM_SIZE - 256 (straddling) and
; 0xFFFFFF00 (wrapping), then a good one.
;
; Memory: its own stack (the top of memory stays untouched), the rings and
; buffers after the code. Registers: nothing live across a wait. The
; vectors, handlers and waits are lib.inc's.
;
; Expected output at every depth (exit status 0):
;   tx status: 0x3 0x3 0x3 0x1 0x1 0x1
;   rx status: 0x3 0x3 0x1, length 16
;   tx ring outside: head 1
;   rx ring outside: head 1
;   block straddling: 0x6
;   block wrapping: 0x6
;   block good: 0x2
; (Refused: 3 transmit and 2 receive descriptors, the descriptor of each
; ring outside, 2 block requests: 9.)

%include "console.inc"
%include "bootinfo.inc"
%include "lib.inc"

RING_SLOTS   equ 8
GOOD_BYTES   equ 16

_start:
    mov esp, stack_top
    mov eax, [ebx + BOOTINFO_RAM_SIZE]
    mov [ram_size], eax
    call devices_init

    ; ---- phase 1 ----
    mov r8, [ram_size]
    lea eax, [r8 + 0x1000]
    mov [rx_ring + 0*16 + NIC_DESC_ADDRESS], eax
    mov dword [rx_ring + 1*16 + NIC_DESC_ADDRESS], 0xfffff000
    mov dword [rx_ring + 2*16 + NIC_DESC_ADDRESS], rx_buffer
    mov dword [rx_ring + 0*16 + NIC_DESC_LENGTH], 2048
    mov dword [rx_ring + 1*16 + NIC_DESC_LENGTH], 2048
    mov dword [rx_ring + 2*16 + NIC_DESC_LENGTH], 2048
    mov eax, rx_ring
    out PORT_NIC_RX_RING, eax
    mov eax, RING_SLOTS
    out PORT_NIC_RX_SIZE, eax
    mov eax, 3
    out PORT_NIC_RX_TAIL, eax

    mov [tx_ring + 0*16 + NIC_DESC_ADDRESS], r8
    mov dword [tx_ring + 0*16 + NIC_DESC_LENGTH], 64
    lea eax, [r8 - 32]
    mov [tx_ring + 1*16 + NIC_DESC_ADDRESS], eax
    mov dword [tx_ring + 1*16 + NIC_DESC_LENGTH], 64
    mov dword [tx_ring + 2*16 + NIC_DESC_ADDRESS], 0xffffffc0
    mov dword [tx_ring + 2*16 + NIC_DESC_LENGTH], 128
    mov ecx, 3
.good:
    call fill_good_packet
    inc ecx
    cmp ecx, 6
    jb .good
    mov eax, tx_ring
    out PORT_NIC_TX_RING, eax
    mov eax, RING_SLOTS
    out PORT_NIC_TX_SIZE, eax
    mov eax, 6
    out PORT_NIC_TX_TAIL, eax
    mov eax, 6                  ; wait for TX_HEAD 6, RX_HEAD 3, both causes
    mov ecx, 3
    mov edx, NIC_IRQ_TX | NIC_IRQ_RX
    call nic_wait

    puts tx_msg
    xor ecx, ecx
.tx_status:
    mov eax, ecx
    shl eax, 4
    mov eax, [tx_ring + eax + NIC_DESC_STATUS]
    call print_space_hex
    inc ecx
    cmp ecx, 6
    jb .tx_status
    call print_newline
    puts rx_msg
    xor ecx, ecx
.rx_status:
    mov eax, ecx
    shl eax, 4
    mov eax, [rx_ring + eax + NIC_DESC_STATUS]
    call print_space_hex
    inc ecx
    cmp ecx, 3
    jb .rx_status
    puts length_msg
    mov eax, [rx_ring + 2*16 + NIC_DESC_LENGTH]
    call print_dec
    call print_newline

    ; ---- phase 2: rings outside ----
    mov eax, [ram_size]
    out PORT_NIC_TX_RING, eax
    mov eax, 2
    out PORT_NIC_TX_SIZE, eax   ; both indices start over
    mov eax, 1
    out PORT_NIC_TX_TAIL, eax
    mov eax, 1
    mov ecx, -1                 ; RX_HEAD: not waited for
    mov edx, NIC_IRQ_TX
    call nic_wait
    puts tx_ring_msg
    in eax, PORT_NIC_TX_HEAD
    call print_dec
    call print_newline

    mov eax, [ram_size]
    sub eax, 8
    out PORT_NIC_RX_RING, eax
    mov eax, 2
    out PORT_NIC_RX_SIZE, eax
    mov eax, 1
    out PORT_NIC_RX_TAIL, eax
    mov eax, tx_ring
    out PORT_NIC_TX_RING, eax
    mov eax, RING_SLOTS
    out PORT_NIC_TX_SIZE, eax
    mov ecx, 0
    call fill_good_packet
    mov eax, 1
    out PORT_NIC_TX_TAIL, eax
    mov eax, 1
    mov ecx, 1
    mov edx, NIC_IRQ_TX | NIC_IRQ_RX
    call nic_wait
    puts rx_ring_msg
    in eax, PORT_NIC_RX_HEAD
    call print_dec
    call print_newline

    ; ---- phase 3: block requests ----
    mov edx, [ram_size]
    sub edx, 256
    call read_sector0
    puts straddling_msg
    call print_space_hex
    call print_newline
    mov edx, 0xffffff00
    call read_sector0
    puts wrapping_msg
    call print_space_hex
    call print_newline
    mov edx, block_buffer
    call read_sector0
    puts block_good_msg
    call print_space_hex
    call print_newline
    exit 0

; fill_good_packet: a 16-byte packet in good buffer ecx (byte k = ecx * 16
; + k), and transmit descriptor ecx for it.
fill_good_packet:
    push eax
    push edx
    push edi
    mov edi, ecx
    shl edi, 4
    lea eax, [tx_buffers + edi]
    mov [tx_ring + edi + NIC_DESC_ADDRESS], eax
    mov dword [tx_ring + edi + NIC_DESC_LENGTH], GOOD_BYTES
    mov dword [tx_ring + edi + NIC_DESC_STATUS], 0
    mov edx, edi                ; the first byte's value
.byte:
    mov byte [eax], edx
    inc eax
    inc edx
    test edx, GOOD_BYTES - 1
    jnz .byte
    pop edi
    pop edx
    pop eax
    ret

; read_sector0: reads sector 0 into the buffer at edx; eax = the status.
read_sector0:
    push ebx
    push ecx
    xor eax, eax
    mov ecx, 1
    mov ebx, BLOCK_COMMAND_READ
    call block_request
    pop ecx
    pop ebx
    ret

; print_space_hex: a space, then eax as print_hex_short prints it.
print_space_hex:
    push eax
    mov eax, ' '
    call print_char
    pop eax
    call print_hex_short
    ret

tx_msg:          db "tx status:", 0
rx_msg:          db "rx status:", 0
length_msg:      db ", length ", 0
tx_ring_msg:     db "tx ring outside: head ", 0
rx_ring_msg:     db "rx ring outside: head ", 0
straddling_msg:  db "block straddling:", 0
wrapping_msg:    db "block wrapping:", 0
block_good_msg:  db "block good:", 0

align 64                        ; written at run time: off the code lines
ram_size:       dd 0
vio_memory
align 4096
tx_ring:        times RING_SLOTS * NIC_DESCRIPTOR_SIZE db 0
rx_ring:        times RING_SLOTS * NIC_DESCRIPTOR_SIZE db 0
tx_buffers:     times RING_SLOTS * GOOD_BYTES db 0
rx_buffer:      times 2048 db 0
block_buffer:   times 512 db 0
stack:          times 1024 db 0
stack_top:
