; kv.s - a key-value server, as memcached is one: GETs and SETs from a
; client over the NIC, the values in a hash table in memory. Its figure is
; throughput: requests served per million cycles of the region of interest.
;
; The peer is the 'kv' client (src/devices/kv-client.ts), a closed loop as
; memtier with one connection runs it: one request outstanding; the next
; request answers the last response. Protocol (binary, little-endian dwords):
;   the server's first packet: "READY\n" (the client then sends its first request)
;   request:  op (KV_GET 1, KV_SET 2), key, value length, the value's bytes
;             (a GET has length 0)
;   response: status (KV_OK 0: hit or stored; KV_MISS 1; KV_ERROR 2: a
;             malformed request or a full table), length, the value's bytes
;             (only a hit carries any)
; The client asks for keys 0..127, three GETs to one SET, values of 16 to
; KV_MAX_VALUE bytes; it checks every answer against its own copy.
;
; The table: KV_SLOTS slots of SLOT_BYTES, open addressing. A key's home is
; its Fibonacci hash (key * 2^32/golden ratio, top bits); a lookup probes
; from there to the next slots until it finds the key or an empty slot.
; Nothing is ever deleted, so an empty slot ends every search.
;
; The run: set up the interrupt table (interrupts.inc) and the NIC
; (nic.inc), then serve N requests as every closed-loop server does
; (server.inc): announce READY, answer each request with serve, the region
; of interest around the N transactions. Print the tallies.
;
; N is the boot-info ITERATIONS field (--iterations), or 300.
; Registers in serve: esi the request (ecx bytes), ebx the response being
; built in its transmit buffer, edi a table slot, edx the value length.
; Expected output (the same at every depth and mode; the counts follow
; from the client's seeded generator):
;   kv: 300 requests: 218 GET (58 hits), 82 SET

%include "console.inc"
%include "format.inc"
%include "workload.inc"
%include "interrupts.inc"
%include "nic.inc"
%include "server.inc"

DEFAULT_REQUESTS equ 300

KV_GET equ 1
KV_SET equ 2
KV_OK equ 0
KV_MISS equ 1
KV_ERROR equ 2
KV_MAX_VALUE equ 96

REQ_OP equ 0                    ; request layout
REQ_KEY equ 4
REQ_LENGTH equ 8
REQ_VALUE equ 12
RESP_STATUS equ 0               ; response layout
RESP_LENGTH equ 4
RESP_VALUE equ 8

KV_SLOTS equ 256                ; a power of two, twice the client's keys
HASH_SHIFT equ 24               ; 32 - log2(KV_SLOTS): the hash's top bits pick the slot
GOLDEN equ 0x9E3779B9           ; 2^32 / the golden ratio
SLOT_KEY equ 0                  ; slot layout
SLOT_USED equ 4
SLOT_LENGTH equ 8
SLOT_VALUE equ 16
SLOT_BYTES equ 128              ; SLOT_VALUE + KV_MAX_VALUE, rounded up

_start:
    iteration_count requests, DEFAULT_REQUESTS
    call interrupts_init
    call nic_init
    mov ecx, [requests]
    mov esi, failures_format
    call server_run
    putf result_format, requests
    exit 0

; serve: answers the request at esi (ecx bytes) in the buffer at ebx; ecx =
; the response's length, CF set for a KV_ERROR.
serve:
    cmp ecx, REQ_VALUE
    jb .error
    mov edx, [esi + REQ_LENGTH]
    lea eax, [edx + REQ_VALUE]
    cmp eax, ecx
    jne .error                  ; the length must account for every byte
    mov eax, [esi + REQ_KEY]
    cmp dword [esi + REQ_OP], KV_GET
    je .get
    cmp dword [esi + REQ_OP], KV_SET
    je .set
    jmp .error

.get:
    test edx, edx
    jnz .error
    inc dword [gets]
    call find_slot
    jc .miss                    ; a full table without the key
    cmp dword [edi + SLOT_USED], 0
    je .miss
    inc dword [hits]
    mov ecx, [edi + SLOT_LENGTH]
    mov dword [ebx + RESP_STATUS], KV_OK
    mov [ebx + RESP_LENGTH], ecx
    lea esi, [edi + SLOT_VALUE]
    lea edi, [ebx + RESP_VALUE]
    call copy_bytes
    add ecx, RESP_VALUE
    clc
    ret
.miss:
    mov dword [ebx + RESP_STATUS], KV_MISS
    jmp .no_value

.set:
    cmp edx, KV_MAX_VALUE
    ja .error
    call find_slot
    jc .error                   ; the table is full
    inc dword [sets]
    mov [edi + SLOT_KEY], eax
    mov dword [edi + SLOT_USED], 1
    mov [edi + SLOT_LENGTH], edx
    mov ecx, edx
    add esi, REQ_VALUE
    add edi, SLOT_VALUE
    call copy_bytes
    mov dword [ebx + RESP_STATUS], KV_OK
.no_value:
    mov dword [ebx + RESP_LENGTH], 0
    mov ecx, RESP_VALUE
    clc
    ret

.error:
    mov dword [ebx + RESP_STATUS], KV_ERROR
    mov dword [ebx + RESP_LENGTH], 0
    mov ecx, RESP_VALUE
    stc
    ret

; find_slot: edi = the slot holding key eax, or else the empty slot where
; it belongs; CF set when there is neither (the table is full).
find_slot:
    push ecx
    push edx
    mov edx, eax
    imul edx, GOLDEN
    shr edx, HASH_SHIFT
    mov ecx, KV_SLOTS           ; probes left
.probe:
    mov edi, edx
    imul edi, SLOT_BYTES
    add edi, kv_table
    cmp dword [edi + SLOT_USED], 0
    je .found
    cmp [edi + SLOT_KEY], eax
    je .found
    inc edx
    and edx, KV_SLOTS - 1       ; wrap around the end of the table
    dec ecx
    jnz .probe
    pop edx
    pop ecx
    stc
    ret
.found:
    pop edx
    pop ecx
    clc
    ret

result_format: db "kv: % requests: % GET (% hits), % SET", 10, 0
failures_format: db "kv: % requests malformed or refused", 10, 0
unexpected_msg: db "kv: unexpected interrupt or exception", 10, 0

align 64                        ; written at run time: keep it off code lines
requests: dd 0                  ; result_format's fields, in its order
gets: dd 0
hits: dd 0
sets: dd 0
interrupt_table NIC_VECTOR + 1
align 4096
kv_table: times KV_SLOTS * SLOT_BYTES db 0
server_memory
nic_memory
