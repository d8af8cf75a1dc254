// The paper's evaluation, as data: which runs make up one row (the workload
// bare, under one level, and under two levels in each mode), the paper's
// figures a row is set beside, and how an improvement over baseline is
// counted. `smtnest paper` runs it; docs/results.md discusses it.

import type { Mode } from './bootinfo.ts';
import type { WorkloadSpec } from './workloads.ts';

/** The five runs of a row: native (depth 0), single level (depth 1, L0
 * only) and nested (depth 2) in each implemented mode. A table is made with
 * VMCS shadowing on (KVM enables it on every Intel CPU that has it, Haswell
 * and later, as any server of the paper's time) or off; the runs below depth
 * 2 do not depend on it (shadowing concerns a guest hypervisor). */
export const CONFIGURATIONS = [
  { key: 'native', depth: 0, mode: 'baseline' },
  { key: 'single', depth: 1, mode: 'baseline' },
  { key: 'baseline', depth: 2, mode: 'baseline' },
  { key: 'sw', depth: 2, mode: 'sw' },
  { key: 'hw', depth: 2, mode: 'hw' },
] as const satisfies readonly { key: string; depth: number; mode: Mode }[];

export type ConfigurationKey = (typeof CONFIGURATIONS)[number]['key'];

/** A figure the paper reports, as the "up to" value of its abstract
 * (Vilanova, Amit, Etsion, "Using SMT to accelerate nested virtualization",
 * ISCA 2019): the hardware model gives up to 2.3x better I/O latency and
 * 2.6x better I/O bandwidth; the software prototype up to 1.3x and 1.5x,
 * and 1.2-2.2x on real applications. null: the paper gives no figure. */
export interface PaperFigure {
  sw: number | null;
  hw: number | null;
  /** How the paper states it, for the text table. */
  claim: string;
}

const IO_LATENCY: PaperFigure = { sw: 1.3, hw: 2.3, claim: 'up to 1.3x sw, 2.3x hw' };
const IO_BANDWIDTH: PaperFigure = { sw: 1.5, hw: 2.6, claim: 'up to 1.5x sw, 2.6x hw' };
const APPLICATIONS: PaperFigure = { sw: 2.2, hw: null, claim: '1.2-2.2x sw (applications)' };
const NO_FIGURE: PaperFigure = { sw: null, hw: null, claim: 'no figure (no I/O)' };

/** Which of the paper's figures each workload of the suite stands beside. */
export const PAPER_FIGURES: Readonly<Record<string, PaperFigure>> = {
  'io-rr': IO_LATENCY,
  'io-stream': IO_BANDWIDTH,
  kv: APPLICATIONS,
  web: APPLICATIONS,
  compute: NO_FIGURE,
};

/** The workloads of the evaluation, in the order of the table. */
export const SUITE = Object.keys(PAPER_FIGURES);

/** How many times better than `baseline` a figure is: baseline/figure for
 * a latency (lower is better), figure/baseline otherwise. null when either
 * run gave no figure. */
export function improvement(spec: WorkloadSpec, baseline: number | null, figure: number | null): number | null {
  if (baseline === null || figure === null || baseline <= 0 || figure <= 0) return null;
  return spec.lowerIsBetter ? baseline / figure : figure / baseline;
}

/** One row of the table: a workload's figure in every configuration. */
export interface EvaluationRow {
  workload: string;
  metric: string;
  unit: string;
  native: number | null;
  single: number | null;
  baseline: number | null;
  sw: number | null;
  hw: number | null;
  swImprovement: number | null;
  hwImprovement: number | null;
  paper: { sw: number | null; hw: number | null };
  /** Whether L0 shadowed vmcs12 for L1 in the nested runs. */
  shadowing: boolean;
}

/** The row of `spec` from its figures, rounded so that the JSON reads as
 * the text table does (improvements to 3 decimals, figures to 1). */
export function evaluationRow(spec: WorkloadSpec, figures: Record<ConfigurationKey, number | null>, shadowing: boolean): EvaluationRow {
  const round = (value: number | null, digits: number) => (value === null ? null : Number(value.toFixed(digits)));
  const paper = PAPER_FIGURES[spec.name] ?? NO_FIGURE;
  return {
    workload: spec.name,
    metric: spec.metric,
    unit: spec.unit,
    native: round(figures.native, 1),
    single: round(figures.single, 1),
    baseline: round(figures.baseline, 1),
    sw: round(figures.sw, 1),
    hw: round(figures.hw, 1),
    swImprovement: round(improvement(spec, figures.baseline, figures.sw), 3),
    hwImprovement: round(improvement(spec, figures.baseline, figures.hw), 3),
    paper: { sw: paper.sw, hw: paper.hw },
    shadowing,
  };
}
