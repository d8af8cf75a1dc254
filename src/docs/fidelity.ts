// The fidelity table: the model's micro figures, each measured by running
// the bundled images, beside what KVM on real Intel hardware measures, with
// the source of each anchor. `npm run gen` writes it into docs/results.md and
// `npm run bench` prints it. Nothing here is fitted: the figures are what the
// cost model (src/timing/cost-model.ts) and the images' instructions give.

import { join } from 'node:path';
import type { Mode } from '../machine/bootinfo.ts';
import { assembleGuest, buildMachine } from '../machine/scenario.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { profileNestedExit } from '../report/nested-exit.ts';
import { EXIT } from '../cpu/vmx/exit-reasons.ts';
import { NESTED_CPUID, oneTrap } from './nesting.ts';

const CPUID_ITERATIONS = 100;

/** A published figure of real hardware: a range (low = high for one value) and where it comes from. */
export interface Anchor {
  low: number;
  high: number;
  source: string;
}

export interface FidelityRow {
  figure: string;
  unit: 'cycles' | 'ratio' | 'share';
  value: number;
  /** The anchors the figure is set beside; the first is the one "within 30%" is judged by. */
  anchors: Anchor[];
}

const VMEXIT_FLAT_CPUID: Anchor = {
  low: 1018,
  high: 1110,
  source: 'kvm-unit-tests vmexit.flat `cpuid`, KVM list, December 2024',
};
const VMEXIT_FLAT_VMCALL: Anchor = {
  low: 1529,
  high: 1559,
  source: 'kvm-unit-tests vmexit.flat `vmcall`, Skylake-SP: Wanpeng Li, "KVM: VMX: Micro-optimize vmexit time when not exposing PMU", KVM list, March 2020',
};
const NESTED_2019: Anchor = {
  low: 13142,
  high: 14886,
  source: 'nested vmexit.flat `cpuid`, after and before Paolo Bonzini\'s "VMX optimizations" series (KVM list, June 2019); VMCS shadowing on, as KVM enables it',
};
const NESTED_2024: Anchor = {
  low: 6850,
  high: 9000,
  source:
    'nested CPUID round trip from L2, L1 KVM answering from its CPUID cache: Skylake-SP 6,850, Emerald Rapids 7,900, Ice Lake-SP 9,000 (Sean Christopherson, "KVM: x86: Cache CPUID.0xD XSTATE offsets+sizes during module init", commit 1201f226c863, December 2024)',
};

/** Cycles per exit of one row of the exit statistics of a cpuid workload run. */
function cpuidRoundTrip(depth: number, mode: Mode, shadowing: boolean): number {
  const workload = assembleGuest(join(PROJECT_ROOT, NESTED_CPUID.workload));
  const machine = buildMachine({ workload, depth, mode, shadowing, iterations: CPUID_ITERATIONS });
  const result = machine.run({ maxInstructions: 100_000_000 });
  if (result.status !== 'exited' || result.exitCode !== 0) throw new Error(`cpuid at depth ${depth} in ${mode}: ${result.reason}`);
  const from = `L${depth}`;
  const row = machine.stats().exits.find((r) => r.from === from && r.to === `L${depth - 1}` && r.reason === 'CPUID');
  if (!row) throw new Error(`cpuid at depth ${depth} in ${mode}: no CPUID exit to L${depth - 1}`);
  return row.cycles / row.count;
}

/** L0's own time in the two halves of one nested CPUID with shadowing: from
 * the L2 trap to L0's entry of L1, and from L1's VMRESUME trap to L0's entry
 * of L2, each without the exit and entry transitions themselves. */
function l0Handling(costs: { vmExit: number; vmEntry: number }): { reflect: number; resume: number } {
  const events = oneTrap({ ...NESTED_CPUID, mode: 'baseline', shadowing: true });
  const trap = events[0];
  const enterL1 = events.find((e) => e.kind === 'entry' && e.to === 1);
  const resumeTrap = events.find((e) => e.kind === 'exit' && e.from === 1 && e.code === EXIT.VMRESUME);
  const enterL2 = events[events.length - 1];
  if (!enterL1 || !resumeTrap) throw new Error('one nested CPUID with shadowing: no entry of L1 or no VMRESUME');
  const transition = costs.vmExit + costs.vmEntry;
  return { reflect: enterL1.cycle - trap.cycle - transition, resume: enterL2.cycle - resumeTrap.cycle - transition };
}

export function fidelityRows(): FidelityRow[] {
  const costs = buildMachine({ workload: assembleGuest(join(PROJECT_ROOT, NESTED_CPUID.workload)), depth: 0 }).costs;
  const single = cpuidRoundTrip(1, 'baseline', false);
  const nestedOn = cpuidRoundTrip(2, 'baseline', true);
  const nestedOff = cpuidRoundTrip(2, 'baseline', false);
  const { breakdown } = profileNestedExit('baseline', true);
  const { reflect, resume } = l0Handling({ vmExit: costs.vmExit, vmEntry: costs.vmEntry });
  const ghz = 2.1; // HyperTurtle's Xeon Silver 4216
  return [
    { figure: 'single-level CPUID round trip', unit: 'cycles', value: single, anchors: [VMEXIT_FLAT_CPUID, VMEXIT_FLAT_VMCALL] },
    { figure: 'nested CPUID round trip, shadowing on', unit: 'cycles', value: nestedOn, anchors: [NESTED_2019, NESTED_2024] },
    {
      figure: 'nested over single-level, shadowing on',
      unit: 'ratio',
      value: nestedOn / single,
      anchors: [{ low: 8, high: 15, source: 'the two rows above: 13,142-14,886 over 1,018-1,559 (2019); 6,850-9,000 over about 1,000 gives 7-9 (2024)' }],
    },
    {
      figure: 'world switches in a nested CPUID, shadowing on (breakdown)',
      unit: 'share',
      value: breakdown.parts['world switches'] / breakdown.cycles,
      anchors: [{ low: 0.33, high: 0.33, source: 'the SVt paper (ISCA 2019) on a nested CPUID of about 10 us, as HyperTurtle (USENIX ATC 2025) cites it' }],
    },
    {
      figure: "L0's handling of an L2 CPUID (trap to entering L1, transitions excluded)",
      unit: 'cycles',
      value: reflect,
      anchors: [{ low: 2.77 * 1000 * ghz, high: 2.77 * 1000 * ghz, source: 'HyperTurtle (USENIX ATC 2025) Table 1: 2.77 us on a Xeon Silver 4216 at 2.1 GHz' }],
    },
    {
      figure: "L0's handling of L1's VMRESUME (trap to entering L2, transitions excluded)",
      unit: 'cycles',
      value: resume,
      anchors: [{ low: 8.0 * 1000 * ghz, high: 8.0 * 1000 * ghz, source: 'HyperTurtle (USENIX ATC 2025) Table 1: 8.0 us at 2.1 GHz' }],
    },
    { figure: 'nested CPUID round trip, shadowing off', unit: 'cycles', value: nestedOff, anchors: [] },
    { figure: 'nested CPUID round trip in sw, shadowing on', unit: 'cycles', value: cpuidRoundTrip(2, 'sw', true), anchors: [] },
    { figure: 'nested CPUID round trip in hw, shadowing on', unit: 'cycles', value: cpuidRoundTrip(2, 'hw', true), anchors: [] },
  ];
}

const show = (value: number, unit: FidelityRow['unit']): string =>
  unit === 'share' ? `${(value * 100).toFixed(0)}%` : unit === 'ratio' ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');

/** Within 30% of the anchor's range. */
export function within30(value: number, anchor: Anchor): boolean {
  return value >= anchor.low * 0.7 && value <= anchor.high * 1.3;
}

export function fidelityTable(rows: FidelityRow[] = fidelityRows()): string {
  const out = ['| figure | smtnest | anchor | within 30% | source of the anchor |', '|---|---|---|---|---|'];
  for (const row of rows) {
    if (row.anchors.length === 0) {
      out.push(`| ${row.figure} | ${show(row.value, row.unit)} | - | - | (no published figure: the model's own) |`);
      continue;
    }
    for (const [i, anchor] of row.anchors.entries()) {
      const range = anchor.low === anchor.high ? show(anchor.low, row.unit) : `${show(anchor.low, row.unit)}-${show(anchor.high, row.unit)}`;
      out.push(`| ${i === 0 ? row.figure : ''} | ${i === 0 ? show(row.value, row.unit) : ''} | ${range} | ${within30(row.value, anchor) ? 'yes' : 'no'} | ${anchor.source} |`);
    }
  }
  return out.join('\n');
}
