// The smtnest library: build a machine, load a program, run it, inspect it.

export { Machine, DEFAULT_RAM_SIZE, EXIT_STATUS } from './machine/machine.ts';
export type { MachineOptions, RunOptions, RunResult, RunStatus } from './machine/machine.ts';
export { runReport } from './machine/run-report.ts';
export type { RunReport } from './machine/run-report.ts';
export type { MachineStats, ExitRow } from './machine/stats.ts';
export { Memory } from './memory/memory.ts';
export { Cpu, VECTOR_DE, VECTOR_UD, VECTOR_GP } from './cpu/cpu.ts';
export { INSTRUCTIONS, BY_MNEMONIC, BY_OPCODE, REGISTER_NAMES } from './isa/table.ts';
export { encode, decode } from './isa/encoding.ts';
export { disassemble, formatInstruction } from './isa/disasm.ts';
export { assembleFile, assembleSource, AssemblyError, formatDiagnostic } from './asm/index.ts';
export type { Program, Diagnostic, AssembleOptions } from './asm/index.ts';

// Scenarios: a workload at a depth and in a mode under the bundled L0 and L1.
export {
  buildMachine,
  assembleGuest,
  hypervisorsFor,
  INCLUDE_DIR,
  HYPERVISOR_PATHS,
  MAX_DEPTH,
  IMPLEMENTED_MODES,
  NESTED_RAM_SIZE,
} from './machine/scenario.ts';
export type { Scenario } from './machine/scenario.ts';
export type { Mode } from './machine/bootinfo.ts';
export { ImageCache, imageCache } from './machine/image-cache.ts';
export { COST_PARAMETERS, defaultCosts } from './timing/cost-model.ts';
export type { CostModel, CostParameter } from './timing/cost-model.ts';
export { gem5Stats } from './machine/stats-text.ts';

// The workloads and the paper's evaluation.
export { WORKLOADS, workloadSpec, workloadOfProgram } from './machine/workloads.ts';
export type { WorkloadSpec, Metric } from './machine/workloads.ts';
export { SUITE, CONFIGURATIONS, PAPER_FIGURES, improvement } from './machine/evaluation.ts';
export type { EvaluationRow, PaperFigure, ConfigurationKey } from './machine/evaluation.ts';
export { runEvaluation } from './cli/paper.ts';
export type { Evaluation, EvaluationOptions } from './cli/paper.ts';
export type { RunJob, RunOutcome } from './cli/pool.ts';
