; io-stream.s - bulk transmit over the NIC, as netperf TCP_STREAM measures
; it: keep the transmit ring full of PACKET_BYTES-byte packets to a peer
; that only counts them. Its figure is bandwidth: bytes sent per 1,000
; cycles of the region of interest.
;
; The peer is 'sink'; it answers nothing. The packets' bytes are whatever
; the transmit buffers hold (zeros): the sink does not look at them.
;
; The run: set up the interrupt table (interrupts.inc) and the NIC
; (nic.inc) with a ring of NIC_TX_SLOTS descriptors, mark the region of
; interest's beginning (workload.inc), then loop: reclaim the descriptors
; the NIC has sent, fill every free one with a packet, ring the doorbell
; once for all of them, and sleep (sti; hlt) until the NIC's
; transmit-completion interrupt. The region ends when the last of N
; packets is on the wire.
;
; N is the boot-info ITERATIONS field (--iterations), or 1000. The table
; of workloads (src/machine/workloads.ts) counts bytes as N * PACKET_BYTES.
; Registers: ebp counts the packets queued; edx those queued since the
; last doorbell.
; Expected output (the same at every depth and mode):
;   io-stream: 1000 packets of 1024 bytes sent

%define NIC_TX_SLOTS 32
%include "console.inc"
%include "workload.inc"
%include "interrupts.inc"
%include "nic.inc"

DEFAULT_PACKETS equ 1000
PACKET_BYTES equ 1024

_start:
    iteration_count packets, DEFAULT_PACKETS
    call interrupts_init
    call nic_init

    roi_begin
    xor ebp, ebp
.send:
    cli
    call nic_tx_reclaim
    xor edx, edx
.queue:
    cmp ebp, [packets]
    jae .queued
    call nic_tx_buffer
    jc .queued                  ; the ring is full
    mov ecx, PACKET_BYTES
    call nic_queue
    inc ebp
    inc edx
    jmp .queue
.queued:
    ; One doorbell for the whole batch: it is a port write, 2,000 cycles,
    ; longer than a packet takes on the wire.
    test edx, edx
    jz .check_done
    call nic_doorbell
.check_done:
    cmp ebp, [packets]
    jb .sleep
    call nic_tx_idle
    je .done
.sleep:
    sti
    hlt
    jmp .send
.done:
    roi_end

    puts result_msg
    mov eax, ebp
    call print_dec
    puts of_msg
    mov eax, PACKET_BYTES
    call print_dec
    puts sent_msg
    exit 0

result_msg: db "io-stream: ", 0
of_msg: db " packets of ", 0
sent_msg: db " bytes sent", 10, 0
unexpected_msg: db "io-stream: unexpected interrupt or exception", 10, 0

align 64                        ; written at run time: keep it off code lines
packets: dd 0
interrupt_table NIC_VECTOR + 1
nic_memory
