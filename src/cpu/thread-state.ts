// What a hardware thread is doing. The CPU, its VMX unit and the scheduler
// all read and set it; it lives apart so that none of them has to import
// another for four numbers.

export const STATE_RUNNING = 0;
export const STATE_HALTED = 1;
export const STATE_MWAIT = 2;
/** hw mode: a guest thread that exited, or a hypervisor thread whose guest runs. */
export const STATE_STALLED = 3;
