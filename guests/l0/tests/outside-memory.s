; outside-memory.s - a guest reaching past the end of its memory.
;
; Guest-physical memory ends at RAM_SIZE (from the boot-info block); under
; L0, what lies beyond in host memory is L0's own (or nothing). The program
; makes one access at TARGET (default: RAM_SIZE, the first byte past its
; memory): a write, a read or an instruction fetch, chosen when assembling
; with -D-style defines READ, WRITE or FETCH. L0's EPT maps nothing there,
; so the access is an EPT violation and L0 stops the run:
;   L0: guest write at guest-physical 0x... outside its memory, at guest eip 0x...
; with status 0x76 (HV_STATUS_EPT_VIOLATION). Bare, the access is a #GP,
; and with no interrupt table a triple fault (status 125).
;
; Registers: eax the target address; ebx the boot-info block.
; Expected output: nothing of its own; "still running" would mean the
; access went through.

%include "console.inc"
%include "bootinfo.inc"

_start:
%ifdef TARGET
    mov eax, TARGET
%else
    mov eax, [ebx + BOOTINFO_RAM_SIZE]
%endif
access:
%ifdef WRITE
    mov dword [eax], 0x5a5a5a5a
%endif
%ifdef READ
    mov ecx, [eax]
%endif
%ifdef FETCH
    jmp eax
%endif
    puts still_running_msg
    exit 1

still_running_msg:
    db "still running", 10, 0
