// Exceptions: #DE, #UD and #GP delivered through the interrupt table with
// the faulting instruction's eip pushed and every register as it was before
// the instruction (faults are precise); triple faults when delivery is
// impossible; and self-modifying code (the decode cache follows writes).

import { describe, expect, it } from 'vitest';
import { REGISTER_NAMES } from '../src/isa/table.ts';
import { hex, runAsm, type AsmRun } from './reference/harness.ts';
import { exceptionFrame, FAULT_HANDLERS, faultTaken } from './reference/programs.ts';

const RAM = 0x10000; // the harness's default 64 KiB
const FLAGS_IN = 0x8c3; // CF ZF SF OF set, IF clear: the frame must show exactly these

/** A distinctive value for every register but esp. */
const INITIAL: Record<string, number> = Object.fromEntries(
  REGISTER_NAMES.filter((r) => r !== 'esp').map((r, i) => [r, (0x10203 * (i + 1) + 0x1000) >>> 0]),
);

/**
 * Runs `faulting` (one instruction, labelled `faulting`) after setting every
 * register (INITIAL, with `regs` overriding) and the flags, and checks that
 * `vector` was delivered with a precise frame: pushed eip = the instruction,
 * pushed eflags = the flags before, registers untouched, esp 8 lower.
 */
function expectPreciseFault(vector: '#DE' | '#UD' | '#GP', faulting: string, regs: Record<string, number> = {}, data = ''): AsmRun {
  const values = { ...INITIAL, ...regs };
  const esp = regs.esp ?? RAM;
  const source = `
_start:
    lidt [fault_idtr]
${Object.entries(values)
  .filter(([r]) => r !== 'esp')
  .map(([r, v]) => `    mov ${r}, ${hex(v)}`)
  .join('\n')}
    mov esp, ${hex(esp)}
    push ${hex(FLAGS_IN)}
    popf
faulting:
    ${faulting}
    mov eax, 0xbad
    out 0xf4, eax
${FAULT_HANDLERS}
${data}
`;
  const run = runAsm(source);
  expect(faultTaken(run), faulting).toBe(vector);
  const frame = exceptionFrame(run);
  expect(hex(frame.eip), `${faulting}: pushed eip`).toBe(hex(run.sym('faulting')));
  expect(hex(frame.eflags), `${faulting}: pushed eflags`).toBe(hex(FLAGS_IN));
  expect(hex(run.reg('esp')), `${faulting}: esp`).toBe(hex(esp - 8));
  for (const [r, v] of Object.entries(values)) {
    if (r !== 'esp') expect(hex(run.reg(r)), `${faulting}: ${r} unchanged`).toBe(hex(v));
  }
  // In the handler IF is clear.
  expect(run.eflags & 0x200).toBe(0);
  return run;
}

describe('#DE', () => {
  it('div by zero', () => {
    expectPreciseFault('#DE', 'div ebx', { ebx: 0, edx: 0, eax: 10 });
  });
  it('div m by zero', () => {
    expectPreciseFault('#DE', 'div dword [zero]', { edx: 0, eax: 10 }, 'zero: dd 0');
  });
  it('div quotient overflow (edx >= divisor)', () => {
    expectPreciseFault('#DE', 'div ecx', { edx: 5, eax: 0, ecx: 5 });
    expectPreciseFault('#DE', 'div ecx', { edx: 0xffffffff, eax: 0xffffffff, ecx: 0xffffffff });
  });
  it('idiv -2^31 / -1', () => {
    expectPreciseFault('#DE', 'idiv ecx', { edx: 0xffffffff, eax: 0x80000000, ecx: 0xffffffff });
  });
  it('idiv by zero and idiv quotient overflow', () => {
    expectPreciseFault('#DE', 'idiv ebx', { ebx: 0, edx: 0, eax: 1 });
    // 2^31 / 1 does not fit a signed quotient.
    expectPreciseFault('#DE', 'idiv ebx', { ebx: 1, edx: 0, eax: 0x80000000 });
    // -2^32 / 2 = -2^31 fits; -2^32 / 1 does not.
    expectPreciseFault('#DE', 'idiv dword [one]', { edx: 0xffffffff, eax: 0 }, 'one: dd 1');
  });
  it('a quotient of exactly -2^31 is not an overflow', () => {
    const run = runAsm(`
_start:
    mov edx, 0xffffffff
    mov eax, 0
    mov ecx, 2
    idiv ecx
    out 0xf4, edx
`);
    expect(run.result.status, run.result.reason).toBe('exited');
    expect(hex(run.reg('eax'))).toBe('0x80000000');
    expect(run.reg('edx')).toBe(0);
  });
});

describe('#UD', () => {
  it('ud2', () => {
    expectPreciseFault('#UD', 'ud2');
  });
  it('an unassigned opcode (dd 0xff) and opcode 0', () => {
    expectPreciseFault('#UD', 'dd 0xff');
    expectPreciseFault('#UD', 'dd 0');
  });
  it('reserved header bits set', () => {
    expectPreciseFault('#UD', 'dd 0x10000001'); // nop with bit 28
    expectPreciseFault('#UD', 'dd 0x80000001'); // nop with bit 31
    expectPreciseFault('#UD', 'dd 0x00000101'); // nop with a register field
    expectPreciseFault('#UD', 'dd 0x00010040'); // add r,r with a memory base field
    expectPreciseFault('#UD', 'dd 0x0000f074'); // inc r with a second register field
  });
});

describe('#UD for malformed memory operands', () => {
  it('a base or index register number above 16', () => {
    // mov r,m (0x22) with base 17, index none (16): bits 16-20 = 17, 21-25 = 16.
    expectPreciseFault('#UD', `dd ${hex(0x22 | (17 << 16) | (16 << 21))}, 0`);
    // index 31
    expectPreciseFault('#UD', `dd ${hex(0x22 | (16 << 16) | (31 << 21))}, 0`);
  });
});

describe('#GP', () => {
  it('loads and stores beyond RAM', () => {
    expectPreciseFault('#GP', 'mov eax, [ebx]', { ebx: RAM });
    expectPreciseFault('#GP', 'mov [ebx], eax', { ebx: RAM - 2 }); // a dword across the end
    expectPreciseFault('#GP', 'movzx eax, byte [ebx]', { ebx: RAM });
    expectPreciseFault('#GP', 'movsx eax, word [ebx]', { ebx: RAM - 1 });
    expectPreciseFault('#GP', 'mov byte [ebx + ecx*4 + 8], eax', { ebx: RAM - 8, ecx: 0 });
    expectPreciseFault('#GP', 'add [ebx], eax', { ebx: 0xfffffffc });
    expectPreciseFault('#GP', 'inc dword [ebx - 4]', { ebx: 2 }); // wraps below 0
    expectPreciseFault('#GP', 'xchg eax, [ebx]', { ebx: 0x80000000 });
    expectPreciseFault('#GP', 'cmpxchg [ebx], ecx', { ebx: RAM });
    expectPreciseFault('#GP', 'pop dword [ebx]', { ebx: RAM, esp: RAM - 0x100 });
    expectPreciseFault('#GP', 'push dword [ebx]', { ebx: RAM + 0x1000 });
    expectPreciseFault('#GP', 'lidt [ebx]', { ebx: RAM - 4 });
  });

  it('the last byte, word and dword of RAM are accessible', () => {
    const run = runAsm(`
_start:
    mov ebx, ${hex(RAM - 4)}
    mov dword [ebx], 0x11223344
    movzx eax, byte [ebx + 3]
    movzx ecx, word [ebx + 2]
    mov edx, [ebx]
    out 0xf4, eax
`);
    expect(run.result.status, run.result.reason).toBe('exited');
    expect(hex(run.reg('eax'))).toBe('0x11');
    expect(hex(run.reg('ecx'))).toBe('0x1122');
    expect(hex(run.reg('edx'))).toBe('0x11223344');
  });

  it('stack reads beyond RAM: pop, ret, iret, popf', () => {
    // esp 2 bytes below the end: the dword at esp crosses it, while the
    // exception frame still fits below.
    for (const insn of ['pop eax', 'ret', 'popf', 'pop dword [0x100]']) {
      expectPreciseFault('#GP', insn, { esp: RAM - 2 });
    }
    // iret whose eip is readable but whose eflags word is not.
    expectPreciseFault('#GP', 'iret', { esp: RAM - 4 });
    expectPreciseFault('#GP', 'mov eax, [esp + 0x100]', { esp: RAM - 0x80 });
  });

  it('jump to a misaligned address: the fetch faults, with the misaligned eip pushed', () => {
    const run = runAsm(`
_start:
    lidt [fault_idtr]
    mov eax, target + 2
jump:
    jmp eax
target:
    nop
    nop
${FAULT_HANDLERS}
`);
    expect(faultTaken(run)).toBe('#GP');
    // The documented behaviour of this emulator: the jump completes and the
    // fetch at the target faults, so the frame holds the target.
    expect(hex(exceptionFrame(run).eip)).toBe(hex(run.sym('target') + 2));
    expect(run.reg('esp')).toBe(RAM - 8);
  });

  it('execution beyond RAM: a jump there, and running off the end', () => {
    const jump = runAsm(`
_start:
    lidt [fault_idtr]
    mov eax, ${hex(RAM)}
    jmp eax
${FAULT_HANDLERS}
`);
    expect(faultTaken(jump)).toBe('#GP');
    expect(hex(exceptionFrame(jump).eip)).toBe(hex(RAM));

    // Copy a nop into the last word of RAM and jump to it: the next fetch is at RAM.
    const offEnd = runAsm(`
_start:
    lidt [fault_idtr]
    mov esp, 0x8000
    mov eax, [template]
    mov [${hex(RAM - 4)}], eax
    mov eax, ${hex(RAM - 4)}
    jmp eax
template:
    nop
${FAULT_HANDLERS}
`);
    expect(faultTaken(offEnd)).toBe('#GP');
    expect(hex(exceptionFrame(offEnd).eip)).toBe(hex(RAM));

    // An 8-byte instruction whose header is the last word of RAM.
    const straddle = runAsm(`
_start:
    lidt [fault_idtr]
    mov esp, 0x8000
    mov eax, [template]
    mov [${hex(RAM - 4)}], eax
    mov eax, ${hex(RAM - 4)}
    jmp eax
template:
    mov ecx, 0x12345678
${FAULT_HANDLERS}
`);
    expect(faultTaken(straddle)).toBe('#GP');
    expect(hex(exceptionFrame(straddle).eip)).toBe(hex(RAM - 4));
    expect(straddle.reg('ecx')).not.toBe(0x12345678);
  });

  it('an instruction that crosses a 4 KiB page raises #GP at its first word', () => {
    // Copy one instruction so that it ends past a page boundary, and jump to it.
    for (const [template, at, crosses] of [
      ['mov ecx, 0x12345678', 0x1ffc, true], // 8 bytes from the page's last word
      ['mov dword [0x100], 0x12345678', 0x1ff8, true], // 12 bytes, 4 past the end
      ['mov ecx, 0x12345678', 0x1ff8, false], // 8 bytes ending exactly at the boundary
    ] as const) {
      const run = runAsm(`
_start:
    lidt [fault_idtr]
    mov esi, template
    mov edi, ${hex(at)}
    mov ecx, 3
.copy:
    mov eax, [esi]
    mov [edi], eax
    add esi, 4
    add edi, 4
    dec ecx
    jne .copy
    mov dword [edi], 0x000000a3   ; then jmp rel 0 (to the next word)...
    mov dword [edi + 4], 0
    mov dword [edi + 8], 0x00000002 ; ...and hlt
    mov ecx, 0
    mov eax, ${hex(at)}
    jmp eax
template:
    ${template}
    nop
    nop
${FAULT_HANDLERS}
`);
      if (crosses) {
        expect(faultTaken(run), template).toBe('#GP');
        expect(hex(exceptionFrame(run).eip), template).toBe(hex(at));
        expect(run.reg('ecx')).toBe(0);
      } else {
        expect(run.result.status, run.result.reason).toBe('halted');
        expect(hex(run.reg('ecx'))).toBe('0x12345678');
      }
    }
  });

  it('int with a vector beyond the table', () => {
    expectPreciseFault('#GP', 'int 20');
    expectPreciseFault('#GP', 'int 255');
  });

  it('rdmsr and wrmsr of an unknown MSR', () => {
    expectPreciseFault('#GP', 'rdmsr', { ecx: 0x1234 });
    expectPreciseFault('#GP', 'wrmsr', { ecx: 0xc0000080 });
  });
});

describe('delivery', () => {
  it('iret from a #GP handler retries the instruction, which can then succeed', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    mov ebx, ${hex(RAM)}
load:
    mov eax, [ebx]
    out 0xf4, eax
gp:
    mov ebx, value          ; repair the address and return to the load
    iret
idtr: dd idt, 14
idt: times 13 dd 0
    dd gp
value: dd 0x5a
`);
    expect(run.result.status, run.result.reason).toBe('exited');
    expect(run.result.exitCode).toBe(0x5a);
    expect(run.machine.cpu.vectorCounts[13]).toBe(1);
    expect(run.reg('esp')).toBe(RAM);
  });

  it('a fault in a handler is delivered on top of the first frame', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    push 0x0a81             ; OF SF CF and IF
    popf
first:
    ud2
ud_handler:
    mov ecx, 0
second:
    div ecx
de_handler:
    hlt
idtr: dd idt, 7
idt: dd de_handler, 0, 0, 0, 0, 0, ud_handler
`);
    expect(run.result.status, run.result.reason).toBe('halted');
    expect(run.machine.cpu.eip - 4).toBe(run.sym('de_handler'));
    const esp = run.reg('esp');
    expect(esp).toBe(RAM - 16);
    expect(run.word(esp)).toBe(run.sym('second'));
    expect(hex(run.word(esp + 4))).toBe('0x883'); // IF cleared by the first delivery
    expect(run.word(esp + 8)).toBe(run.sym('first'));
    expect(hex(run.word(esp + 12))).toBe('0xa83');
  });

  it('the handler address comes from base + 4 * vector', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    int 3
    out 0xf4, eax
h0: mov eax, 0x10
    out 0xf4, eax
h3: mov eax, 0x13
    out 0xf4, eax
idtr: dd idt, 4
idt: dd h0, h0, h0, h3
`);
    expect(run.result.exitCode).toBe(0x13);
  });
});

describe('triple faults', () => {
  function expectTripleFault(run: AsmRun, vectorName: string): void {
    expect(run.result.status, run.result.reason).toBe('triple-fault');
    expect(run.result.exitCode).toBe(125);
    expect(run.result.reason).toContain(vectorName);
  }

  it('an exception with no interrupt table', () => {
    expectTripleFault(runAsm('_start:\n    ud2\n'), '#UD');
    expectTripleFault(runAsm('_start:\n    mov ecx, 0\n    div ecx\n'), '#DE');
    expectTripleFault(runAsm(`_start:\n    mov eax, [${hex(RAM)}]\n`), '#GP');
  });

  it('an exception beyond the table count', () => {
    // Count 13 holds vectors 0-12: #GP (13) has no entry.
    const run = runAsm(`
_start:
    lidt [idtr]
    mov eax, [${hex(RAM)}]
idtr: dd idt, 13
idt: times 13 dd 0
`);
    expectTripleFault(run, '#GP');
  });

  it('int beyond the table when #GP has no entry either', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    int 5
idtr: dd idt, 2
idt: dd 0, 0
`);
    expectTripleFault(run, '#GP');
  });

  it('a table entry beyond RAM', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    ud2
idtr: dd ${hex(RAM - 8)}, 14
`);
    expectTripleFault(run, '#UD');
  });

  it('an unusable stack: esp below 8, or beyond RAM', () => {
    for (const esp of [4, 0, RAM + 8, 0x80000000]) {
      const run = runAsm(`
_start:
    lidt [fault_idtr]
    mov esp, ${hex(esp)}
    ud2
${FAULT_HANDLERS}
`);
      expectTripleFault(run, '#UD');
    }
  });

  it('an external interrupt that cannot be delivered: unusable stack, or no table entry', () => {
    for (const [esp, count] of [
      [4, 0x21],
      [RAM, 0x20],
    ]) {
      const run = runAsm(`
_start:
    lidt [idtr]
    mov eax, 100
    out 0x40, eax           ; timer period
    mov eax, 2
    out 0x42, eax           ; one-shot, vector 0x20
    mov esp, ${hex(esp)}
    sti
.spin:
    jmp .spin
handler:
    iret
idtr: dd idt, ${hex(count)}
idt: times 0x21 dd handler
`);
      expect(run.result.status, run.result.reason).toBe('triple-fault');
      expect(run.result.reason).toMatch(/vector (32|0x20)\b/);
    }
  });

  it('push with esp beyond RAM: the #GP cannot push its frame either', () => {
    const run = runAsm(`
_start:
    lidt [fault_idtr]
    mov esp, ${hex(RAM + 4)}
    push eax
${FAULT_HANDLERS}
`);
    expectTripleFault(run, '#GP');
  });
});

describe('self-modifying code', () => {
  it('a routine copied to another address and called; then replaced and called again', () => {
    const run = runAsm(`
_start:
    mov esi, routine_a
    mov ecx, (routine_a_end - routine_a) / 4
    call copy
    mov eax, 0x8000
    call eax
    mov ebp, eax                ; 1
    mov esi, routine_b
    mov ecx, (routine_b_end - routine_b) / 4
    call copy
    mov eax, 0x8000
    call eax
    out 0xf4, eax
copy:                           ; copies ecx dwords from esi to 0x8000
    mov edi, 0x8000
.next:
    mov edx, [esi]
    mov [edi], edx
    add esi, 4
    add edi, 4
    dec ecx
    jne .next
    ret
routine_a:
    mov eax, 1
    ret
routine_a_end:
routine_b:
    mov eax, 2
    add eax, 5
    ret
routine_b_end:
`);
    expect(run.result.status, run.result.reason).toBe('exited');
    expect(run.reg('ebp')).toBe(1);
    expect(run.result.exitCode).toBe(7);
  });

  it('an instruction patched in place (dword store of a header word) after it ran once', () => {
    const run = runAsm(`
_start:
    mov ecx, 2
    mov eax, 10
again:
patch_me:
    inc eax
    dec ecx
    je done
    mov ebx, [template]
    mov [patch_me], ebx
    jmp again
done:
    out 0xf4, eax
template:
    dec eax
`);
    // First pass: inc (11); second pass: the patched dec (10). A stale decode would give 12.
    expect(run.result.exitCode).toBe(10);
  });

  it('patched with a byte store, and with a word store', () => {
    for (const store of ['mov byte [patch_me], ebx', 'mov word [patch_me], ebx']) {
      const run = runAsm(`
_start:
    mov ecx, 2
    mov eax, 10
    movzx ebx, byte [template]  ; the opcode of dec r
again:
patch_me:
    inc eax
    dec ecx
    je done
    ${store}
    jmp again
done:
    out 0xf4, eax
template:
    dec eax
`);
      expect(run.result.exitCode, store).toBe(10);
    }
  });

  it('an unaligned store that reaches into the next 64-byte line patches the header there', () => {
    const run = runAsm(`
_start:
    mov ecx, 2
    mov eax, 10
    jmp again
align 64
    times 15 dd 0
again:
    nop                         ; the last word of a line
patch_me:                       ; the first word of the next
    inc eax
    dec ecx
    je done
    movzx ebx, byte [template]
    shl ebx, 16
    mov [patch_me - 2], ebx     ; bytes: 00 00 | 76 00: the nop stays, inc becomes dec
    jmp again
done:
    out 0xf4, eax
template:
    dec eax
`);
    expect(run.sym('patch_me') % 64).toBe(0);
    expect(run.result.exitCode).toBe(10);
  });

  it('an immediate word in the next line, patched after the instruction ran', () => {
    const run = runAsm(`
_start:
    mov ecx, 2
    jmp again
align 64
    times 15 dd 0
again:
load:
    mov eax, 5                  ; header at the end of one line, immediate in the next
    dec ecx
    je done
    mov dword [load + 4], 7
    jmp again
done:
    out 0xf4, eax
`);
    expect(run.sym('load') % 64).toBe(60);
    expect(run.result.exitCode).toBe(7);
  });

  it('an instruction overwritten with an invalid word raises #UD the next time', () => {
    const run = runAsm(`
_start:
    lidt [fault_idtr]
    mov ecx, 2
again:
patch_me:
    nop
    dec ecx
    je done
    mov dword [patch_me], 0xff
    jmp again
done:
    out 0xf4, eax
${FAULT_HANDLERS}
`);
    expect(faultTaken(run)).toBe('#UD');
    expect(exceptionFrame(run).eip).toBe(run.sym('patch_me'));
  });

  it('code overwritten by an exception frame pushed onto it runs as the new words', () => {
    const run = runAsm(`
_start:
    lidt [idtr]
    mov eax, 0
    call slot                   ; decodes slot: nop, nop, inc eax, ret
    push 0x2                    ; eflags = 2: as an instruction word, hlt
    popf
    mov esp, slot + 8           ; the #UD frame lands on the two nops
    ud2
handler:
    mov esp, 0x8000             ; (no store into slot's line here)
    mov ebx, slot + 4
    call ebx                    ; the pushed eflags word: hlt, with IF clear
    out 0xf4, eax
slot:
    nop
    nop
    inc eax
    ret
idtr: dd idt, 7
idt: times 6 dd 0
    dd handler
`);
    expect(run.word('slot', 4)).toBe(2);
    // A stale decode of the nop would run on to inc eax and exit with 2.
    expect(run.result.status, run.result.reason).toBe('halted');
    expect(run.machine.cpu.eip).toBe(run.sym('slot') + 8);
    expect(run.reg('eax')).toBe(1);
  });
});
