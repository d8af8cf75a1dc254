; benign.s - no attack: the reference run. The containment tests compare
; the victims' memory after each attack with its state after this run, in
; the same mode and at the same depth.

%include "attack.inc"

attack:
    ret
attack_end:
