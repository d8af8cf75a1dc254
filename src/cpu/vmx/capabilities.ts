// The VMX capability MSRs: what this machine's VMX supports, as software
// discovers it with rdmsr (SDM vol. 3D appendix A).

import {
  ALLOWED_ENTRY_CTLS,
  ALLOWED_EXIT_CTLS,
  ALLOWED_PIN,
  ALLOWED_PROC,
  ALLOWED_PROC2,
  ALLOWED_PROC2_HW,
  EPT,
  MISC_VMWRITE_ANY_FIELD,
  PREEMPTION_TIMER_RATE,
  VMCS_REGION_SIZE,
  VMCS_REVISION_ID,
  VMX_MSR,
} from './controls.ts';

/** [low, high] halves of each capability MSR. Control MSRs: allowed-0
 * settings (bits that must be 1: none) low, allowed-1 settings high. */
const CAPABILITY_MSRS: ReadonlyMap<number, readonly [number, number]> = new Map([
  [VMX_MSR.IA32_VMX_BASIC, [VMCS_REVISION_ID, VMCS_REGION_SIZE]],
  [VMX_MSR.IA32_VMX_PINBASED_CTLS, [0, ALLOWED_PIN]],
  [VMX_MSR.IA32_VMX_PROCBASED_CTLS, [0, ALLOWED_PROC]],
  [VMX_MSR.IA32_VMX_EXIT_CTLS, [0, ALLOWED_EXIT_CTLS]],
  [VMX_MSR.IA32_VMX_ENTRY_CTLS, [0, ALLOWED_ENTRY_CTLS]],
  [VMX_MSR.IA32_VMX_MISC, [PREEMPTION_TIMER_RATE | MISC_VMWRITE_ANY_FIELD, 0]],
  [VMX_MSR.IA32_VMX_PROCBASED_CTLS2, [0, ALLOWED_PROC2]],
  [
    VMX_MSR.IA32_VMX_EPT_VPID_CAP,
    [EPT.CAP_WRITE_BACK | EPT.CAP_INVEPT | EPT.CAP_INVEPT_SINGLE_CONTEXT | EPT.CAP_INVEPT_ALL_CONTEXT, 0],
  ],
]);

/** [low, high] of capability MSR `index`, or undefined; with the hw-mode
 * thread extension the secondary controls allow its two bits. */
export function vmxCapability(index: number, threadExtension: boolean): readonly [number, number] | undefined {
  if (threadExtension && index === VMX_MSR.IA32_VMX_PROCBASED_CTLS2) return [0, ALLOWED_PROC2_HW];
  return CAPABILITY_MSRS.get(index);
}
