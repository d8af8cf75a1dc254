; hello.s - the smallest complete program: print a greeting, then exit.
;
; Shows the shape every example shares: include the console library,
; start at `_start` (the loader jumps there with esp at the top of RAM and
; interrupts off), and end the run through the debug-exit port; a program
; that just stops would leave the machine to decide what that means.
;
; Registers: esi points at the string being printed (see guests/include/console.inc).
; Expected output: "Hello from smtnest!" and a newline; exit status 0.

%include "console.inc"

_start:
    puts greeting
    call print_newline
    exit 0

greeting:
    db "Hello from smtnest!", 0
