// What each instruction does, written once per mnemonic, in the manner of
// v86's gen/x86_table.js and Bochs's ia_opcodes.def: the instruction table
// (table.ts) gives each form's opcode, operands and cost; this table gives
// the behaviour. The region compiler (src/jit/compiler.ts) emits code from
// it; the interpreter's hot switch implements the same rows by hand, and its
// out-of-line switch (executeRare) holds exactly the rows marked
// `interpreter`. test/jit.test.ts fails when the two tiers could disagree:
// a form missing here, a rare label that is not an interpreter row, or any
// compiled form whose result differs from the interpreter's on random state.

import { BY_OPCODE, INSTRUCTIONS, type InstructionForm } from './table.ts';

/** Lazy-flag operation kinds (src/cpu/flags.ts numbers them the same). */
export type AluOp = 'add' | 'adc' | 'sub' | 'sbb' | 'and' | 'or' | 'xor';
export type ShiftOp = 'shl' | 'shr' | 'sar' | 'rol' | 'ror';

export type Behaviour =
  /** dst = src; memory operands of the form's size, loads zero- or sign-extended. */
  | { kind: 'move'; extend: 'zero' | 'sign' }
  /** dst = effective address of src. */
  | { kind: 'lea' }
  /** dst OP= src with flags; `write` false for cmp and test. */
  | { kind: 'alu'; op: AluOp; write: boolean }
  | { kind: 'not' | 'neg' | 'inc' | 'dec' }
  | { kind: 'shift'; op: ShiftOp }
  /** CF cleared, set or complemented; the other flags kept. */
  | { kind: 'carry'; carry: 'clear' | 'set' | 'complement' }
  /** edx:eax = eax * src (unsigned or signed); or, with two operands, dst = dst * src. */
  | { kind: 'multiply'; signed: boolean }
  /** eax, edx = edx:eax / src, remainder; #DE on zero or overflow. */
  | { kind: 'divide'; signed: boolean }
  | { kind: 'xchg' }
  | { kind: 'cmpxchg' }
  | { kind: 'push' }
  | { kind: 'pop' }
  /** Control transfers end a block: call pushes the return address. */
  | { kind: 'jmp' }
  | { kind: 'call' }
  | { kind: 'ret' }
  /** Condition code cc (x86 numbering, as LazyFlags.condition). */
  | { kind: 'jcc'; cc: number }
  | { kind: 'nop' }
  /** Left to the interpreter: it exits to a hypervisor, touches devices or
   * interrupt state, or changes how the machine runs. A compiled block
   * ends before it. */
  | { kind: 'interpreter'; why: string };

const EXITS = 'may exit to the hypervisor or change the thread\'s state';
const DEVICES = 'port I/O: devices see the access at its cycle';
const INTERRUPTS = 'changes IF or the interrupt state';
const VMX = 'VMX instruction: may enter or exit a guest';

const BY_MNEMONIC: Record<string, Behaviour> = {
  nop: { kind: 'nop' },
  hlt: { kind: 'interpreter', why: EXITS },
  pause: { kind: 'interpreter', why: EXITS },
  ud2: { kind: 'interpreter', why: 'raises #UD' },
  cli: { kind: 'interpreter', why: INTERRUPTS },
  sti: { kind: 'interpreter', why: INTERRUPTS },
  clc: { kind: 'carry', carry: 'clear' },
  stc: { kind: 'carry', carry: 'set' },
  cmc: { kind: 'carry', carry: 'complement' },
  pushf: { kind: 'interpreter', why: 'reads IF' },
  popf: { kind: 'interpreter', why: INTERRUPTS },
  ret: { kind: 'ret' },
  iret: { kind: 'interpreter', why: INTERRUPTS },
  cpuid: { kind: 'interpreter', why: EXITS },
  rdtsc: { kind: 'interpreter', why: EXITS },
  rdmsr: { kind: 'interpreter', why: EXITS },
  wrmsr: { kind: 'interpreter', why: EXITS },
  monitor: { kind: 'interpreter', why: EXITS },
  mwait: { kind: 'interpreter', why: EXITS },
  int: { kind: 'interpreter', why: INTERRUPTS },
  lidt: { kind: 'interpreter', why: INTERRUPTS },
  mov: { kind: 'move', extend: 'zero' },
  movzx: { kind: 'move', extend: 'zero' },
  movsx: { kind: 'move', extend: 'sign' },
  lea: { kind: 'lea' },
  xchg: { kind: 'xchg' },
  cmpxchg: { kind: 'cmpxchg' },
  add: { kind: 'alu', op: 'add', write: true },
  adc: { kind: 'alu', op: 'adc', write: true },
  sub: { kind: 'alu', op: 'sub', write: true },
  sbb: { kind: 'alu', op: 'sbb', write: true },
  and: { kind: 'alu', op: 'and', write: true },
  or: { kind: 'alu', op: 'or', write: true },
  xor: { kind: 'alu', op: 'xor', write: true },
  cmp: { kind: 'alu', op: 'sub', write: false },
  test: { kind: 'alu', op: 'and', write: false },
  not: { kind: 'not' },
  neg: { kind: 'neg' },
  inc: { kind: 'inc' },
  dec: { kind: 'dec' },
  shl: { kind: 'shift', op: 'shl' },
  shr: { kind: 'shift', op: 'shr' },
  sar: { kind: 'shift', op: 'sar' },
  rol: { kind: 'shift', op: 'rol' },
  ror: { kind: 'shift', op: 'ror' },
  mul: { kind: 'multiply', signed: false },
  imul: { kind: 'multiply', signed: true },
  div: { kind: 'divide', signed: false },
  idiv: { kind: 'divide', signed: true },
  push: { kind: 'push' },
  pop: { kind: 'pop' },
  call: { kind: 'call' },
  jmp: { kind: 'jmp' },
  in: { kind: 'interpreter', why: DEVICES },
  out: { kind: 'interpreter', why: DEVICES },
  rdtreg: { kind: 'interpreter', why: 'reaches another hardware thread\'s registers' },
  wrtreg: { kind: 'interpreter', why: 'reaches another hardware thread\'s registers' },
};

// jcc: x86 condition-code numbering (10 and 11, parity, are not in the ISA).
const CONDITIONS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', '', '', 'l', 'ge', 'le', 'g'];
CONDITIONS.forEach((suffix, cc) => {
  if (suffix) BY_MNEMONIC[`j${suffix}`] = { kind: 'jcc', cc };
});
for (const mnemonic of ['vmxon', 'vmxoff', 'vmptrld', 'vmptrst', 'vmclear', 'vmread', 'vmwrite', 'vmlaunch', 'vmresume', 'vmcall', 'invept']) {
  BY_MNEMONIC[mnemonic] = { kind: 'interpreter', why: VMX };
}

export interface Semantics {
  readonly form: InstructionForm;
  readonly behaviour: Behaviour;
}

/** The behaviour of `form`; a mnemonic missing here is an error at load. */
export function behaviourOf(form: InstructionForm): Behaviour {
  const behaviour = BY_MNEMONIC[form.mnemonic];
  if (!behaviour) throw new Error(`no semantics for ${form.mnemonic}`);
  return behaviour;
}

/** Semantics per opcode byte; undefined where the opcode is #UD. */
export const SEMANTICS_BY_OPCODE: readonly (Semantics | undefined)[] = BY_OPCODE.map((form) =>
  form ? { form, behaviour: behaviourOf(form) } : undefined,
);

/** Opcodes the compiler leaves to the interpreter (its out-of-line switch). */
export const INTERPRETER_ONLY: ReadonlySet<number> = new Set(
  INSTRUCTIONS.filter((form) => behaviourOf(form).kind === 'interpreter').map((form) => form.opcode),
);

/** Whether the form transfers control (it ends a compiled block). */
export function endsBlock(behaviour: Behaviour): boolean {
  return behaviour.kind === 'jmp' || behaviour.kind === 'call' || behaviour.kind === 'ret' || behaviour.kind === 'jcc';
}
