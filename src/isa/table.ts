// The instruction table: the one list from which the assembler, the decoder,
// the disassembler, the per-instruction cycle costs, the interpreter's
// dispatch check and docs/isa.md are all derived.
//
// Every row is one *form* of a mnemonic (operand kinds fixed), with its own
// opcode byte. Opcodes are explicit so that the interpreter can switch on
// literal case labels (V8 compiles only those into a jump table);
// test/isa-dispatch.test.ts checks every label against this table.

/** Operand kinds of a form. */
export type OperandKind =
  | 'r' // a 32-bit general register
  | 'i' // a 32-bit immediate
  | 'm' // a dword memory operand
  | 'm8' // a byte memory operand
  | 'm16' // a word memory operand
  | 'rel' // a branch target (encoded relative to the next instruction)
  | 'port' // an immediate I/O port, 0..0xFFFF
  | 'v8'; // an immediate interrupt vector, 0..255

/** Where a cycle cost comes from; docs/cost-model.md prints these. */
export const COST_SOURCES = {
  agner:
    'Agner Fog, "Instruction tables" (2022), Intel Skylake column: latency, or reciprocal throughput where latency is not defined',
  intelLoad:
    'Intel 64 and IA-32 Optimization Reference Manual, Skylake: 4-5 cycle L1 data-cache load-to-use latency (we charge 4 for the load plus the operation)',
  agnerSerializing:
    'Agner Fog, "Instruction tables" (2022), Intel Skylake: CPUID 100-250 cycles, RDTSC about 25, RDMSR/WRMSR 100 or more, MONITOR/MWAIT serializing (we take the low end of each range)',
  intelPause:
    'Intel 64 and IA-32 Optimization Reference Manual, Skylake server section: PAUSE latency grew to about 140 cycles',
  threadRegister:
    'a read or write of another thread\'s architectural register in the shared physical register file: a register move (Agner Fog, Skylake: 1 cycle) plus the lookup in the other thread\'s rename map; 3 cycles is our estimate, no published figure exists for this proposed instruction',
  kvmVmread:
    'KVM commit 7952d769c29c "KVM: nVMX: Sync rarely accessed guest fields only when needed" (2019): skipping 30+ VMREADs saves about 200 cycles per nested VM exit, about 7 cycles per VMREAD',
  kvmVmwrite:
    'KVM commit 5a8781607e67 "KVM: nVMX: Cache host_rsp on a per-VMCS basis" (2019): two VMWRITEs cost about 55 cycles, 27 each',
  vmxIssue:
    'no published per-instruction figure (KVM commit 7952d769c29c says only that switching VMCS pointers is expensive): the other VMX instructions are charged a VMWRITE\'s 27 cycles of issue; the transitions of vmlaunch, vmresume and vmcall come from the cost model',
  portIo:
    'in and out cost nothing of their own: all of port I/O is the latency of the device accessed, which each device declares (docs/machine.md)',
} as const;
export type CostSource = keyof typeof COST_SOURCES;

/** Flags an instruction writes, as documentation: C Z S O for the arithmetic
 * flags, I for IF, '*' where the SDM leaves some undefined (see docs/isa.md). */
export interface InstructionForm {
  readonly opcode: number;
  readonly mnemonic: string;
  readonly operands: readonly OperandKind[];
  readonly cycles: number;
  readonly costSource: CostSource;
  readonly flags: string;
  readonly summary: string;
  /** Other spellings the assembler accepts (jz for je, ...). */
  readonly aliases: readonly string[];
  /** Two-operand forms whose operands may be written in either order (xchg, test). */
  readonly commutative: boolean;
}

interface Family {
  mnemonic: string;
  aliases?: string[];
  flags: string;
  summary: string;
  commutative?: boolean;
  costSource?: CostSource;
  forms: [opcode: number, operands: string, cycles: number, costSource?: CostSource][];
}

// Cost convention: register forms cost the Skylake latency of the operation;
// a memory source adds 4 cycles (L1 hit); a read-modify-write adds 4 for the
// load and 1 for the store.
const ALU = (base: number): Family['forms'] => [
  [base, 'r,r', 1],
  [base + 1, 'r,i', 1],
  [base + 2, 'r,m', 5, 'intelLoad'],
  [base + 3, 'm,r', 6, 'intelLoad'],
  [base + 4, 'm,i', 6, 'intelLoad'],
];
const UNARY = (base: number): Family['forms'] => [
  [base, 'r', 1],
  [base + 1, 'm', 6, 'intelLoad'],
];
const SHIFT = (base: number): Family['forms'] => [
  [base, 'r,i', 1],
  [base + 1, 'r,r', 2],
  [base + 2, 'm,i', 6, 'intelLoad'],
];

const FAMILIES: Family[] = [
  { mnemonic: 'nop', flags: '', summary: 'do nothing', forms: [[0x01, '', 1]] },
  {
    mnemonic: 'hlt',
    flags: '',
    summary: 'stop this hardware thread until an interrupt (with IF clear: for good)',
    forms: [[0x02, '', 1]],
  },
  { mnemonic: 'pause', flags: '', summary: 'spin-wait hint', forms: [[0x03, '', 140, 'intelPause']] },
  { mnemonic: 'ud2', flags: '', summary: 'raise #UD', forms: [[0x04, '', 1]] },
  { mnemonic: 'cli', flags: 'I', summary: 'clear IF: mask external interrupts', forms: [[0x05, '', 1]] },
  {
    mnemonic: 'sti',
    flags: 'I',
    summary: 'set IF; interrupts are taken after the next instruction',
    forms: [[0x06, '', 1]],
  },
  { mnemonic: 'clc', flags: 'C', summary: 'CF = 0', forms: [[0x07, '', 1]] },
  { mnemonic: 'stc', flags: 'C', summary: 'CF = 1', forms: [[0x08, '', 1]] },
  { mnemonic: 'cmc', flags: 'C', summary: 'CF = !CF', forms: [[0x09, '', 1]] },
  { mnemonic: 'pushf', flags: '', summary: 'push eflags', forms: [[0x0a, '', 1]] },
  { mnemonic: 'popf', flags: 'CZSOI', summary: 'pop eflags (CF ZF SF OF IF)', forms: [[0x0b, '', 9]] },
  { mnemonic: 'ret', flags: '', summary: 'pop eip', forms: [[0x0c, '', 2]] },
  {
    mnemonic: 'iret',
    flags: 'CZSOI',
    summary: 'pop eip, then eflags: return from an interrupt handler',
    forms: [[0x0d, '', 20]],
  },
  {
    mnemonic: 'cpuid',
    flags: '',
    summary: 'processor identification: leaf in eax, results in eax ebx ecx edx',
    forms: [[0x0e, '', 100, 'agnerSerializing']],
  },
  {
    mnemonic: 'rdtsc',
    flags: '',
    summary: "edx:eax = this hardware thread's cycle count",
    forms: [[0x0f, '', 25, 'agnerSerializing']],
  },
  {
    mnemonic: 'rdmsr',
    flags: '',
    summary: 'edx:eax = MSR[ecx]; #GP for an unknown MSR',
    forms: [[0x10, '', 100, 'agnerSerializing']],
  },
  {
    mnemonic: 'wrmsr',
    flags: '',
    summary: 'MSR[ecx] = edx:eax; #GP for an unknown or read-only MSR',
    forms: [[0x11, '', 100, 'agnerSerializing']],
  },
  {
    mnemonic: 'monitor',
    flags: '',
    summary: 'arm address monitoring of the 64-byte line holding eax',
    forms: [[0x12, '', 25, 'agnerSerializing']],
  },
  {
    mnemonic: 'mwait',
    flags: '',
    summary: 'sleep until the monitored line is written or an interrupt arrives',
    forms: [[0x13, '', 25, 'agnerSerializing']],
  },
  {
    mnemonic: 'int',
    flags: 'I',
    summary: 'software interrupt through the interrupt table',
    forms: [[0x14, 'v8', 20]],
  },
  {
    mnemonic: 'lidt',
    flags: '',
    summary: 'load the interrupt table descriptor {base: dd, count: dd} from memory',
    forms: [[0x15, 'm', 6, 'intelLoad']],
  },
  {
    mnemonic: 'mov',
    flags: '',
    summary: 'dst = src (byte and word stores keep the low bits)',
    forms: [
      [0x20, 'r,r', 1],
      [0x21, 'r,i', 1],
      [0x22, 'r,m', 5, 'intelLoad'],
      [0x23, 'm,r', 1],
      [0x24, 'm,i', 1],
      [0x25, 'm8,r', 1],
      [0x26, 'm8,i', 1],
      [0x27, 'm16,r', 1],
      [0x28, 'm16,i', 1],
    ],
  },
  {
    mnemonic: 'movzx',
    flags: '',
    summary: 'load a byte or word, zero-extended',
    forms: [
      [0x29, 'r,m8', 5, 'intelLoad'],
      [0x2a, 'r,m16', 5, 'intelLoad'],
    ],
  },
  {
    mnemonic: 'movsx',
    flags: '',
    summary: 'load a byte or word, sign-extended',
    forms: [
      [0x2b, 'r,m8', 5, 'intelLoad'],
      [0x2c, 'r,m16', 5, 'intelLoad'],
    ],
  },
  { mnemonic: 'lea', flags: '', summary: 'dst = effective address of src', forms: [[0x2d, 'r,m', 1]] },
  {
    mnemonic: 'xchg',
    flags: '',
    summary: 'swap; atomic with memory',
    commutative: true,
    forms: [
      [0x2e, 'r,r', 2],
      [0x2f, 'r,m', 18, 'agner'],
    ],
  },
  {
    mnemonic: 'cmpxchg',
    flags: 'CZSO',
    summary: 'if eax == dst: ZF=1, dst = src; else ZF=0, eax = dst (flags as cmp eax, dst); atomic',
    forms: [
      [0x31, 'm,r', 18, 'agner'],
      [0x32, 'r,r', 5],
    ],
  },
  { mnemonic: 'add', flags: 'CZSO', summary: 'dst += src', forms: ALU(0x40) },
  { mnemonic: 'adc', flags: 'CZSO', summary: 'dst += src + CF', forms: ALU(0x45) },
  { mnemonic: 'sub', flags: 'CZSO', summary: 'dst -= src', forms: ALU(0x4a) },
  { mnemonic: 'sbb', flags: 'CZSO', summary: 'dst -= src + CF', forms: ALU(0x4f) },
  { mnemonic: 'and', flags: 'CZSO', summary: 'dst &= src; CF = OF = 0', forms: ALU(0x54) },
  { mnemonic: 'or', flags: 'CZSO', summary: 'dst |= src; CF = OF = 0', forms: ALU(0x59) },
  { mnemonic: 'xor', flags: 'CZSO', summary: 'dst ^= src; CF = OF = 0', forms: ALU(0x5e) },
  { mnemonic: 'cmp', flags: 'CZSO', summary: 'flags of dst - src', forms: ALU(0x63) },
  {
    mnemonic: 'test',
    flags: 'CZSO',
    summary: 'flags of dst & src; CF = OF = 0',
    commutative: true,
    forms: [
      [0x68, 'r,r', 1],
      [0x69, 'r,i', 1],
      [0x6a, 'm,r', 5, 'intelLoad'],
      [0x6b, 'm,i', 5, 'intelLoad'],
    ],
  },
  { mnemonic: 'not', flags: '', summary: 'dst = ~dst', forms: UNARY(0x70) },
  { mnemonic: 'neg', flags: 'CZSO', summary: 'dst = -dst; CF = (dst != 0)', forms: UNARY(0x72) },
  { mnemonic: 'inc', flags: 'ZSO', summary: 'dst += 1; CF unchanged', forms: UNARY(0x74) },
  { mnemonic: 'dec', flags: 'ZSO', summary: 'dst -= 1; CF unchanged', forms: UNARY(0x76) },
  {
    mnemonic: 'shl',
    aliases: ['sal'],
    flags: 'CZSO*',
    summary: 'shift left; count masked to 5 bits; count 0 changes nothing',
    forms: SHIFT(0x78),
  },
  {
    mnemonic: 'shr',
    flags: 'CZSO*',
    summary: 'logical shift right; count masked to 5 bits',
    forms: SHIFT(0x7b),
  },
  {
    mnemonic: 'sar',
    flags: 'CZSO*',
    summary: 'arithmetic shift right; count masked to 5 bits',
    forms: SHIFT(0x7e),
  },
  {
    mnemonic: 'rol',
    flags: 'CO*',
    summary: 'rotate left; count masked to 5 bits; ZF SF unchanged',
    forms: SHIFT(0x81),
  },
  {
    mnemonic: 'ror',
    flags: 'CO*',
    summary: 'rotate right; count masked to 5 bits; ZF SF unchanged',
    forms: SHIFT(0x84),
  },
  {
    mnemonic: 'mul',
    flags: 'CZSO*',
    summary: 'edx:eax = eax * src, unsigned; CF = OF = (edx != 0)',
    forms: [
      [0x88, 'r', 4],
      [0x89, 'm', 8, 'intelLoad'],
    ],
  },
  {
    mnemonic: 'imul',
    flags: 'CZSO*',
    summary: 'one operand: edx:eax = eax * src, signed; two: dst = dst * src; CF = OF = result did not fit',
    forms: [
      [0x8a, 'r', 4],
      [0x8b, 'm', 8, 'intelLoad'],
      [0x8c, 'r,r', 3],
      [0x8d, 'r,m', 7, 'intelLoad'],
      [0x8e, 'r,i', 3],
    ],
  },
  {
    mnemonic: 'div',
    flags: '*',
    summary: 'eax = edx:eax / src, edx = remainder, unsigned; #DE on zero or overflow',
    forms: [
      [0x8f, 'r', 26],
      [0x90, 'm', 30, 'intelLoad'],
    ],
  },
  {
    mnemonic: 'idiv',
    flags: '*',
    summary: 'eax = edx:eax / src, edx = remainder, signed (truncating); #DE on zero or overflow',
    forms: [
      [0x91, 'r', 26],
      [0x92, 'm', 30, 'intelLoad'],
    ],
  },
  {
    mnemonic: 'push',
    flags: '',
    summary: 'esp -= 4; [esp] = src',
    forms: [
      [0x98, 'r', 1],
      [0x99, 'i', 1],
      [0x9a, 'm', 6, 'intelLoad'],
    ],
  },
  {
    mnemonic: 'pop',
    flags: '',
    summary: 'dst = [esp]; esp += 4',
    forms: [
      [0x9b, 'r', 5, 'intelLoad'],
      [0x9c, 'm', 6, 'intelLoad'],
    ],
  },
  {
    mnemonic: 'call',
    flags: '',
    summary: 'push the return address, jump',
    forms: [
      [0xa0, 'rel', 2],
      [0xa1, 'r', 2],
      [0xa2, 'm', 6, 'intelLoad'],
    ],
  },
  {
    mnemonic: 'jmp',
    flags: '',
    summary: 'jump',
    forms: [
      [0xa3, 'rel', 1],
      [0xa4, 'r', 2],
      [0xa5, 'm', 6, 'intelLoad'],
    ],
  },
  { mnemonic: 'jo', flags: '', summary: 'jump if OF', forms: [[0xb0, 'rel', 1]] },
  { mnemonic: 'jno', flags: '', summary: 'jump if !OF', forms: [[0xb1, 'rel', 1]] },
  { mnemonic: 'jb', aliases: ['jc', 'jnae'], flags: '', summary: 'jump if CF (unsigned <)', forms: [[0xb2, 'rel', 1]] },
  {
    mnemonic: 'jae',
    aliases: ['jnb', 'jnc'],
    flags: '',
    summary: 'jump if !CF (unsigned >=)',
    forms: [[0xb3, 'rel', 1]],
  },
  { mnemonic: 'je', aliases: ['jz'], flags: '', summary: 'jump if ZF', forms: [[0xb4, 'rel', 1]] },
  { mnemonic: 'jne', aliases: ['jnz'], flags: '', summary: 'jump if !ZF', forms: [[0xb5, 'rel', 1]] },
  { mnemonic: 'jbe', aliases: ['jna'], flags: '', summary: 'jump if CF or ZF (unsigned <=)', forms: [[0xb6, 'rel', 1]] },
  { mnemonic: 'ja', aliases: ['jnbe'], flags: '', summary: 'jump if !CF and !ZF (unsigned >)', forms: [[0xb7, 'rel', 1]] },
  { mnemonic: 'js', flags: '', summary: 'jump if SF', forms: [[0xb8, 'rel', 1]] },
  { mnemonic: 'jns', flags: '', summary: 'jump if !SF', forms: [[0xb9, 'rel', 1]] },
  { mnemonic: 'jl', aliases: ['jnge'], flags: '', summary: 'jump if SF != OF (signed <)', forms: [[0xbc, 'rel', 1]] },
  { mnemonic: 'jge', aliases: ['jnl'], flags: '', summary: 'jump if SF == OF (signed >=)', forms: [[0xbd, 'rel', 1]] },
  {
    mnemonic: 'jle',
    aliases: ['jng'],
    flags: '',
    summary: 'jump if ZF or SF != OF (signed <=)',
    forms: [[0xbe, 'rel', 1]],
  },
  {
    mnemonic: 'jg',
    aliases: ['jnle'],
    flags: '',
    summary: 'jump if !ZF and SF == OF (signed >)',
    forms: [[0xbf, 'rel', 1]],
  },
  {
    mnemonic: 'in',
    flags: '',
    summary: "dst = 32 bits read from the port; costs the device's access latency",
    forms: [
      [0xc0, 'r,port', 0, 'portIo'],
      [0xc1, 'r,r', 0, 'portIo'],
    ],
  },
  {
    mnemonic: 'out',
    flags: '',
    summary: "write 32 bits to the port; costs the device's access latency",
    forms: [
      [0xc2, 'port,r', 0, 'portIo'],
      [0xc3, 'r,r', 0, 'portIo'],
    ],
  },
  // ---- VMX (see docs/vmx.md). Their cost is the base cost of issuing the
  // instruction; VM entries and exits add the cost-model transition costs.
  {
    mnemonic: 'vmxon',
    flags: 'CZSO',
    summary: 'enter VMX root operation; the operand holds the VMXON region address',
    forms: [[0xd0, 'm', 27, 'vmxIssue']],
  },
  { mnemonic: 'vmxoff', flags: 'CZSO', summary: 'leave VMX operation', forms: [[0xd1, '', 27, 'vmxIssue']] },
  {
    mnemonic: 'vmptrld',
    flags: 'CZSO',
    summary: 'make the VMCS whose address the operand holds current',
    forms: [[0xd2, 'm', 27, 'vmxIssue']],
  },
  {
    mnemonic: 'vmptrst',
    flags: 'CZSO',
    summary: 'store the current-VMCS pointer to the operand',
    forms: [[0xd3, 'm', 27, 'vmxIssue']],
  },
  {
    mnemonic: 'vmclear',
    flags: 'CZSO',
    summary: 'write back and clear the VMCS whose address the operand holds',
    forms: [[0xd4, 'm', 27, 'vmxIssue']],
  },
  {
    mnemonic: 'vmread',
    flags: 'CZSO',
    summary: 'dst = the current VMCS field whose encoding the register holds',
    forms: [
      [0xd5, 'r,r', 7, 'kvmVmread'],
      [0xd6, 'm,r', 7, 'kvmVmread'],
    ],
  },
  {
    mnemonic: 'vmwrite',
    flags: 'CZSO',
    summary: 'the current VMCS field whose encoding the first register holds = src',
    forms: [
      [0xd7, 'r,r', 27, 'kvmVmwrite'],
      [0xd8, 'r,m', 27, 'kvmVmwrite'],
    ],
  },
  { mnemonic: 'vmlaunch', flags: 'CZSO', summary: 'enter the guest of the current (clear) VMCS', forms: [[0xd9, '', 27, 'vmxIssue']] },
  { mnemonic: 'vmresume', flags: 'CZSO', summary: 'enter the guest of the current (launched) VMCS', forms: [[0xda, '', 27, 'vmxIssue']] },
  { mnemonic: 'vmcall', flags: '', summary: 'call the hypervisor: a VM exit in a guest, VMfailValid(1) in root', forms: [[0xdb, '', 27, 'vmxIssue']] },
  {
    mnemonic: 'invept',
    flags: 'CZSO',
    summary: 'invalidate cached EPT translations; type in the register, descriptor {eptp: dq, 0: dq} in memory',
    forms: [[0xdc, 'r,m', 27, 'vmxIssue']],
  },
  // ---- the hw-mode thread extension (docs/modes.md): direct access to the
  // registers of a stalled subordinate thread.
  {
    mnemonic: 'rdtreg',
    flags: '',
    summary: 'dst = register number `sel` (0-15 general, 16 eip, 17 eflags) of the stalled guest thread',
    forms: [[0xdd, 'r,r', 3, 'threadRegister']],
  },
  {
    mnemonic: 'wrtreg',
    flags: '',
    summary: 'register number `sel` of the stalled guest thread = src',
    forms: [[0xde, 'r,r', 3, 'threadRegister']],
  },
];

function buildTable(): InstructionForm[] {
  const rows: InstructionForm[] = [];
  for (const f of FAMILIES) {
    for (const [opcode, ops, cycles, source] of f.forms) {
      rows.push({
        opcode,
        mnemonic: f.mnemonic,
        operands: ops === '' ? [] : (ops.split(',') as OperandKind[]),
        cycles,
        costSource: source ?? f.costSource ?? 'agner',
        flags: f.flags,
        summary: f.summary,
        aliases: f.aliases ?? [],
        commutative: f.commutative ?? false,
      });
    }
  }
  return rows;
}

/** Every instruction form, in table order. */
export const INSTRUCTIONS: readonly InstructionForm[] = buildTable();

/** Forms indexed by opcode byte; undefined for opcodes that decode to #UD. */
export const BY_OPCODE: readonly (InstructionForm | undefined)[] = (() => {
  const byOpcode: (InstructionForm | undefined)[] = new Array(256).fill(undefined);
  for (const form of INSTRUCTIONS) {
    if (byOpcode[form.opcode]) throw new Error(`opcode 0x${form.opcode.toString(16)} assigned twice`);
    byOpcode[form.opcode] = form;
  }
  return byOpcode;
})();

/** Forms by mnemonic and by alias, lower case. */
export const BY_MNEMONIC: ReadonlyMap<string, readonly InstructionForm[]> = (() => {
  const map = new Map<string, InstructionForm[]>();
  for (const form of INSTRUCTIONS) {
    for (const name of [form.mnemonic, ...form.aliases]) {
      const list = map.get(name) ?? [];
      list.push(form);
      map.set(name, list);
    }
  }
  return map;
})();

/** Cycle cost per opcode, for the interpreter's hot loop. */
export const CYCLES_BY_OPCODE: Int32Array = (() => {
  const cycles = new Int32Array(256);
  for (const form of INSTRUCTIONS) cycles[form.opcode] = form.cycles;
  return cycles;
})();

export const REGISTER_NAMES = [
  'eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
] as const;
export const REG = {
  eax: 0, ecx: 1, edx: 2, ebx: 3, esp: 4, ebp: 5, esi: 6, edi: 7,
} as const;
