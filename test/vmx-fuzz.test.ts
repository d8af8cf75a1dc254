// VM entry with random VMCS contents, and guests of random bytes: whatever a
// hypervisor writes, the emulator answers with VMX semantics (a VMfail, a
// failed entry, an exit, a guest event), never with a crash.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { assembleSource, type Program } from '../src/asm/index.ts';
import { Machine } from '../src/machine/machine.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { VMCS_FIELDS } from '../src/cpu/vmx/fields.ts';

const ENDINGS = ['exited', 'halted', 'triple-fault', 'budget', 'deadlock'];
/** The most words of a random guest. */
const GUEST_WORDS = 32;

/** A hypervisor that writes the words at `values` into every field (then,
 * if `plausible`, a guest and host state that passes the entry checks and
 * controls adjusted to the capability MSRs, so that a good share of those
 * cases enter their guest of random bytes), and
 * vmlaunches the guest of words at `guest`, handling each exit by resuming.
 * Assembled once per `plausible`; each case writes its values and guest
 * into the image before the run (the guest's words past its length stay 0,
 * as the memory past the image would). */
function program(plausible: boolean): string {
  const writes = VMCS_FIELDS.map(
    (f, i) => `    mov r14, 0x${f.encoding.toString(16)}\n    mov r15, [values + ${4 * i}]\n    vmwrite r14, r15`,
  ).join('\n');
  return `
%include "vmx.inc"
_start:
    mov eax, VMCS_REVISION_ID
    mov [vmxon_region], eax
    mov [vmcs], eax
    vmxon [vmxon_ptr]
    vmptrld [vmcs_ptr]
${writes}
${
  plausible
    ? `%macro vmw 2
    mov r14, %1
    mov r15, %2
    vmwrite r14, r15
%endmacro
    vmw 0x681e, guest
    vmw 0x681c, 0x80000
    vmw 0x6820, 2
    vmw 0x6c16, on_exit
    vmw 0x6c14, 0x90000
    vmw 0x2800, -1
    vmw 0x2801, -1
    vmw 0x400a, 0               ; no CR3 targets
    vmw 0x400e, 0               ; no MSR lists
    vmw 0x4010, 0
    vmw 0x4014, 0
    vmw 0x4016, 0               ; no event to inject
    vmw 0x4824, 0               ; no interruptibility blocking
    mov r14, 0x4826             ; activity state: active or HLT, as the random low bit says
    vmread r15, r14
    and r15, 1
    vmwrite r14, r15
; Each control field keeps its random bits where the capability MSR allows
; them (edx: may be 1) and gets the bits it requires (eax: must be 1), as a
; hypervisor adjusts its wishes to the CPU; the rest stays random.
%macro ctl 2
    mov ecx, %2
    rdmsr
    mov r14, %1
    vmread r15, r14
    and r15, edx
    or r15, eax
    vmwrite r14, r15
%endmacro
    ctl 0x4000, MSR_IA32_VMX_PINBASED_CTLS
    ctl 0x4002, MSR_IA32_VMX_PROCBASED_CTLS
    ctl 0x401e, MSR_IA32_VMX_PROCBASED_CTLS2
    ctl 0x400c, MSR_IA32_VMX_EXIT_CTLS
    ctl 0x4012, MSR_IA32_VMX_ENTRY_CTLS`
    : ''
}
    vmlaunch
on_exit:
    vmresume
    hlt
values: times ${VMCS_FIELDS.length} dd 0
align 4096
vmxon_region: times 1024 dd 0
vmcs: times 1024 dd 0
vmxon_ptr: dd vmxon_region
vmcs_ptr: dd vmcs
guest:
    times ${GUEST_WORDS} dd 0
`;
}

const IMAGES = [false, true].map((plausible) =>
  assembleSource(program(plausible), 'fuzz.s', { includePaths: [join(PROJECT_ROOT, 'guests/include')] }),
);
const address = (image: Program, name: string) => image.symbols.find((s) => s.name === name)!.address;

describe('VMX under random inputs', () => {
  it('never crashes the emulator', () => {
    let entered = 0;
    let plausibleRuns = 0;
    const field = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.constantFrom(0, 1, 2, -1, 0x2000, 0x3000, 0x5000, 0x6000, 0x80000000 | 0),
    );
    fc.assert(
      fc.property(
        fc.array(field, { minLength: VMCS_FIELDS.length, maxLength: VMCS_FIELDS.length }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: GUEST_WORDS }),
        fc.boolean(),
        (values, guest, plausible) => {
          const image = IMAGES[Number(plausible)];
          const machine = new Machine({ ramSize: 1 << 20 });
          machine.loadProgram(image);
          values.forEach((v, i) => machine.memory.writeU32(address(image, 'values') + 4 * i, v >>> 0));
          guest.forEach((w, i) => machine.memory.writeU32(address(image, 'guest') + 4 * i, w >>> 0));
          const result = machine.run({ maxInstructions: 2000 });
          expect(ENDINGS).toContain(result.status);
          if (plausible && machine.stats().exits.length > 0) entered++;
          if (plausible) plausibleRuns++;
        },
      ),
      { numRuns: 200 },
    );
    // Not every case is refused at entry: some plausible ones reach their guest.
    expect(entered, `${entered} of ${plausibleRuns} plausible cases entered their guest`).toBeGreaterThan(plausibleRuns / 10);
  });
});
