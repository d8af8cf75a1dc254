; registers.s - the device registers, polled with interrupts off: defaults,
; write-only ports reading 0, the masks and bounds the devices apply, a
; block command ignored while busy, status bits cleared by writing 1s, and a
; packet dropped for want of a receive buffer. The values must be the
; physical devices' at every depth: a hypervisor's device model keeps the
; same register semantics.
;
; Registers: eax the value being printed; the rest scratch.
;
; Expected output at every depth (exit status 0):
;   nic vector 0x22, block vector 0x21
;   tx ring reads 0x0
;   vector 0x1ab reads 0xab
;   target 99 reads 0x0
;   sectors 0x100
;   block done 0x2, cleared 0x0
;   tx head 0x1, status 0x1, drops 0x1

%include "console.inc"
%include "format.inc"

BUSY_SECTORS equ 128            ; 64 KiB: blockLatency + 64 * blockCyclesPerKiB, about 75,000 cycles

_start:
    mov esp, stack_top
    puts nic_vector_msg
    in eax, PORT_NIC_IRQ_VECTOR
    call print_hex_short
    puts block_vector_msg
    in eax, PORT_BLOCK_VECTOR
    call print_hex_short
    call print_newline

    mov eax, tx_ring
    out PORT_NIC_TX_RING, eax
    puts tx_ring_msg
    in eax, PORT_NIC_TX_RING
    call print_hex_short
    call print_newline

    mov eax, 0x1ab
    out PORT_NIC_IRQ_VECTOR, eax
    puts vector_msg
    in eax, PORT_NIC_IRQ_VECTOR
    call print_hex_short
    call print_newline

    mov eax, 99
    out PORT_NIC_IRQ_TARGET, eax
    puts target_msg
    in eax, PORT_NIC_IRQ_TARGET
    call print_hex_short
    call print_newline

    puts sectors_msg
    in eax, PORT_BLOCK_SECTORS
    call print_hex_short
    call print_newline

    ; A read of BUSY_SECTORS sectors (long enough to be still in flight
    ; when the next command comes, even at depth 2), then a write command
    ; while it is busy: ignored (the disk keeps its contents, which the test
    ; checks).
    xor eax, eax
    out PORT_BLOCK_SECTOR, eax
    mov eax, BUSY_SECTORS
    out PORT_BLOCK_COUNT, eax
    mov eax, block_buffer
    out PORT_BLOCK_BUFFER, eax
    mov eax, BLOCK_COMMAND_READ
    out PORT_BLOCK_COMMAND, eax
    mov eax, BLOCK_COMMAND_WRITE
    out PORT_BLOCK_COMMAND, eax
.block_poll:
    pause
    in eax, PORT_BLOCK_STATUS
    test eax, BLOCK_STATUS_BUSY
    jnz .block_poll
    puts block_msg
    call print_hex_short
    mov eax, BLOCK_STATUS_DONE | BLOCK_STATUS_ERROR
    out PORT_BLOCK_STATUS, eax
    puts cleared_msg
    in eax, PORT_BLOCK_STATUS
    call print_hex_short
    call print_newline

    ; One packet, no receive buffer: the echo is dropped.
    mov dword [tx_ring + NIC_DESC_ADDRESS], packet
    mov dword [tx_ring + NIC_DESC_LENGTH], 32
    mov eax, 0                  ; clamped to 1, then 2 (both reset the indices)
    out PORT_NIC_TX_SIZE, eax
    mov eax, 2
    out PORT_NIC_TX_SIZE, eax
    mov eax, 1
    out PORT_NIC_TX_TAIL, eax
.drop_poll:
    pause
    in eax, PORT_NIC_RX_DROPS
    test eax, eax
    jz .drop_poll
    puts tx_head_msg
    in eax, PORT_NIC_TX_HEAD
    call print_hex_short
    puts status_msg
    mov eax, [tx_ring + NIC_DESC_STATUS]
    call print_hex_short
    puts drops_msg
    in eax, PORT_NIC_RX_DROPS
    call print_hex_short
    call print_newline
    exit 0

nic_vector_msg:   db "nic vector ", 0
block_vector_msg: db ", block vector ", 0
tx_ring_msg:      db "tx ring reads ", 0
vector_msg:       db "vector 0x1ab reads ", 0
target_msg:       db "target 99 reads ", 0
sectors_msg:      db "sectors ", 0
block_msg:        db "block done ", 0
cleared_msg:      db ", cleared ", 0
tx_head_msg:      db "tx head ", 0
status_msg:       db ", status ", 0
drops_msg:        db ", drops ", 0

align 4096
tx_ring:          times 2 * NIC_DESCRIPTOR_SIZE db 0
packet:           times 32 db 0x77
block_buffer:     times BUSY_SECTORS * BLOCK_SECTOR_SIZE db 0
stack:            times 1024 db 0
stack_top:
