// The cost model: every cycle cost of a VMX transition is a named parameter
// here, with the published measurement it comes from. `--cost FILE` (JSON:
// {"name": cycles}) overrides any of them for a run. Per-instruction costs
// live in the instruction table (src/isa/table.ts), each with its source.
// No parameter is fitted to make a result come out.

export interface CostParameter {
  readonly name: string;
  readonly cycles: number;
  readonly source: string;
  /** The values an override may take (COST_RANGE unless given). */
  readonly range?: readonly [min: number, max: number];
}

/** What an override of a cycle cost may be: 0 (free) to ten million cycles
 * (5 ms at 2 GHz, a thousand times the slowest default). A bound keeps
 * every clock finite and exact: at the CLI's default budget of 2e9
 * instructions, even a cost this high on every one stays below 2^53. */
export const COST_RANGE: readonly [number, number] = [0, 10_000_000];

export const COST_PARAMETERS: readonly CostParameter[] = [
  {
    name: 'vmExit',
    cycles: 300,
    source:
      'KVM commit 5a8781607e67 "KVM: nVMX: Cache host_rsp on a per-VMCS basis" (Christopherson, 2019): an extra VMX transition, a VM exit and the VM entry back, costs 600+ cycles on the Intel servers KVM is tuned on; no published figure splits it, so half goes to the exit. With our L0\'s CPUID handler this gives a single-level CPUID round trip beside kvm-unit-tests\' vmexit.flat (docs/results.md, fidelity)',
  },
  {
    name: 'vmEntry',
    cycles: 300,
    source: 'the other half of the 600-cycle VMX transition of KVM commit 5a8781607e67 (see vmExit)',
  },
  {
    name: 'threadSwitch',
    cycles: 20,
    source:
      'hw mode: a VM entry or exit stalls one thread and resumes another, with no state saved or loaded: about a pipeline refill, which Agner Fog\'s microarchitecture guide puts at 15-20 cycles on Skylake (the branch-misprediction penalty)',
  },
  {
    name: 'mwaitWakeLatency',
    cycles: 200,
    source:
      'Intel 64 and IA-32 Architectures Optimization Reference Manual, table "Properties of Synchronization Objects": synchronizing through MONITOR/MWAIT costs hundreds of cycles (against thousands for OS objects); 200 cycles is 100 ns at the model\'s 2 GHz, the exit latency that Artem Bityutskiy\'s patch "intel_idle: add C0.2 state for Sapphire Rapids Xeon" (linux-pm, March 2023) gives Sapphire Rapids\' shallowest sleep, C0.2 (entered with UMWAIT, a user-level MWAIT, not MWAIT itself: no published figure isolates MWAIT\'s own wake-up on a thread whose sibling runs). The 2 us C1 exit latency of intel_idle on Skylake-SP is a whole core leaving C1, the worst case: a sweep point (smtnest sweep ... --param mwaitWakeLatency=...), not the default',
  },
  {
    name: 'networkLatency',
    cycles: 2000,
    source:
      'one way between the NIC and the peer: about 1 us, half the round trip of about 2 us that fast datacenter networks reach (Barroso, Marty, Patterson, Ranganathan, "Attack of the Killer Microseconds", CACM 60(4), 2017); 2,000 cycles at 2 GHz',
  },
  {
    name: 'wireCyclesPerKiB',
    cycles: 1638,
    source: 'a 10 Gb/s link (IEEE 802.3ae) carries a byte in 0.8 ns: a KiB in 819 ns, 1,638 cycles at 2 GHz',
  },
  {
    name: 'blockLatency',
    cycles: 20000,
    source:
      'Intel Optane SSD DC P4800X product brief: read latency under 10 us; 20,000 cycles at the model\'s 2 GHz',
  },
  {
    name: 'blockCyclesPerKiB',
    cycles: 853,
    source: 'the same drive\'s sequential read bandwidth, 2,400 MB/s: a KiB every 427 ns, 853 cycles at 2 GHz',
  },
  {
    name: 'smtCoreThroughput',
    cycles: 130,
    // Percent of one thread's throughput the core delivers while two or
    // more threads run: 0 would stop the clock (a division by it), and
    // above 200 two threads' cycles would shrink below one thread's.
    range: [10, 200],
    source:
      'not cycles but a percentage: the throughput of a core running two or more threads against one thread alone. Intel reported Hyper-Threading gains of up to 30% (Marr et al., Intel Technology Journal 6(1), 2002)',
  },
];

export type CostModel = Record<string, number>;

export function defaultCosts(): CostModel {
  return Object.fromEntries(COST_PARAMETERS.map((p) => [p.name, p.cycles]));
}

/** The range of parameter `name`'s values. */
export function costRange(name: string): readonly [number, number] {
  return COST_PARAMETERS.find((p) => p.name === name)?.range ?? COST_RANGE;
}

/** Why `value` cannot be cost parameter `name`, or null if it can. */
export function costValueError(name: string, value: unknown): string | null {
  const [min, max] = costRange(name);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return `cost parameter '${name}' must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`;
  }
  return null;
}

/** Applies overrides (from --cost); an unknown name or a value outside its range is an error. */
export function applyOverrides(base: CostModel, overrides: unknown, origin: string): CostModel {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new Error(`${origin}: expected a JSON object of cost parameters`);
  }
  const result = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in base)) throw new Error(`${origin}: unknown cost parameter '${name}' (known: ${Object.keys(base).join(', ')})`);
    const error = costValueError(name, value);
    if (error) throw new Error(`${origin}: ${error}`);
    result[name] = value;
  }
  return result;
}

/** Throws a RangeError if a cost model a caller built (the library API, a
 * sweep) misses a parameter or has one outside its range. */
export function checkCosts(costs: CostModel): void {
  for (const { name } of COST_PARAMETERS) {
    const error = costValueError(name, costs[name]);
    if (error) throw new RangeError(error);
  }
}
