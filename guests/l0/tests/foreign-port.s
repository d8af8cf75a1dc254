; foreign-port.s - a guest using a port of a device it was not given.
;
; L0 gives its guest the serial console, the debug-exit port and the timer
; (docs/machine.md); every other port belongs to nobody the guest may
; touch, L0's tracepoints included. The program does one `out PORT, eax`
; (or, with IN defined, one `in eax, PORT`); PORT defaults to 0x80. L0
; stops the run:
;   L0: guest out port 0x80: not a device this guest was given, at guest eip 0x...
; with status 0x75 (HV_STATUS_BAD_PORT). Bare, a port nobody claims reads
; all ones and ignores writes, and the program goes on.
;
; Registers: eax the value written.
; Expected output at depth 0: "still running"; exit status 1.

%include "console.inc"

%ifndef PORT
%define PORT 0x80
%endif

_start:
    mov eax, 0x12345678
access:
%ifdef IN
    in eax, PORT
%else
    out PORT, eax
%endif
    puts still_running_msg
    exit 1

still_running_msg:
    db "still running", 10, 0
