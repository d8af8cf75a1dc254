; io-rr.s - request/response over the NIC, as netperf TCP_RR measures it:
; send a small request, wait for the answer, check it, repeat. Its figure
; is latency: the cycles of one round trip, from the region of interest
; over the transactions.
;
; The peer is 'echo': it answers every packet with the same bytes. Each
; request is REQUEST_BYTES bytes: the transaction's number, then a pattern
; that depends on it (dword k = number + k * 0x01010101), so that an echo
; of an earlier request, or a damaged one, cannot pass the check.
;
; The run: set up the interrupt table (interrupts.inc) and the NIC
; (nic.inc), mark the region of interest's beginning, do N transactions,
; mark its end (workload.inc), print the count. One request is in flight
; at a time: the program sleeps (sti; hlt) until the NIC's interrupt says
; a packet has come.
;
; N is the boot-info ITERATIONS field (--iterations), or 300.
; Registers: ebp counts the transactions done; edi points at the request
; in its transmit buffer, esi at the echo in its receive buffer.
; Expected output (the same at every depth and mode):
;   io-rr: 300 transactions, all echoed intact
; or, should an echo differ from its request, "io-rr: echo N differs from
; its request" and exit status 1.

%include "console.inc"
%include "workload.inc"
%include "interrupts.inc"
%include "nic.inc"

DEFAULT_TRANSACTIONS equ 300
REQUEST_BYTES equ 64

_start:
    iteration_count transactions, DEFAULT_TRANSACTIONS
    call interrupts_init
    call nic_init

    roi_begin
    xor ebp, ebp
.transaction:
    ; With one request in flight, its slot was sent before its echo came
    ; back, so reclaiming always frees one.
    call nic_tx_reclaim
    call nic_tx_buffer
    call fill_request
    mov ecx, REQUEST_BYTES
    call nic_send
    call nic_wait_receive
    call check_echo
    jc .differs
    call nic_rx_release
    inc ebp
    cmp ebp, [transactions]
    jb .transaction
    roi_end

    puts result_msg
    mov eax, ebp
    call print_dec
    puts intact_msg
    exit 0
.differs:
    puts echo_msg
    lea eax, [ebp + 1]
    call print_dec
    puts differs_msg
    exit 1

; Request number ebp into the buffer at edi: dword k = ebp + k * 0x01010101.
fill_request:
    push eax
    push ecx
    mov eax, ebp
    xor ecx, ecx
.dword:
    mov [edi + ecx*4], eax
    add eax, 0x01010101
    inc ecx
    cmp ecx, REQUEST_BYTES / 4
    jb .dword
    pop ecx
    pop eax
    ret

; CF clear when the packet at esi (ecx bytes) is the request at edi.
check_echo:
    push eax
    push edx
    cmp ecx, REQUEST_BYTES
    jne .differs
    xor edx, edx
.dword:
    mov eax, [esi + edx*4]
    cmp eax, [edi + edx*4]
    jne .differs
    inc edx
    cmp edx, REQUEST_BYTES / 4
    jb .dword
    pop edx
    pop eax
    clc
    ret
.differs:
    pop edx
    pop eax
    stc
    ret

result_msg: db "io-rr: ", 0
intact_msg: db " transactions, all echoed intact", 10, 0
echo_msg: db "io-rr: echo ", 0
differs_msg: db " differs from its request", 10, 0
unexpected_msg: db "io-rr: unexpected interrupt or exception", 10, 0

align 64                        ; written at run time: keep it off code lines
transactions: dd 0
interrupt_table NIC_VECTOR + 1
nic_memory
