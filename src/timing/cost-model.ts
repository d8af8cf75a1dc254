// The cost model: every cycle cost of a VMX transition is a named parameter
// here, with the published measurement it comes from. `--cost FILE` (JSON:
// {"name": cycles}) overrides any of them for a run. Per-instruction costs
// live in the instruction table (src/isa/table.ts), each with its source.
// No parameter is fitted to make a result come out.

export interface CostParameter {
  readonly name: string;
  readonly cycles: number;
  readonly source: string;
}

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
      'Intel 64 and IA-32 Architectures Optimization Reference Manual, table "Properties of Synchronization Objects": synchronizing through MONITOR/MWAIT costs hundreds of cycles (against thousands for OS objects); 200 cycles is 100 ns at the model\'s 2 GHz, the exit latency Linux intel_idle gives the shallowest MWAIT state on Sapphire Rapids (C0.2). The 2 us C1 exit latency of intel_idle on Skylake-SP is a whole core leaving C1, the worst case: a sweep point (smtnest sweep ... --param mwaitWakeLatency=...), not the default',
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
    source:
      'not cycles but a percentage: the throughput of a core running two or more threads against one thread alone. Intel reported Hyper-Threading gains of up to 30% (Marr et al., Intel Technology Journal 6(1), 2002)',
  },
];

export type CostModel = Record<string, number>;

export function defaultCosts(): CostModel {
  return Object.fromEntries(COST_PARAMETERS.map((p) => [p.name, p.cycles]));
}

/** Applies overrides (from --cost); an unknown name or a negative or non-integer value is an error. */
export function applyOverrides(base: CostModel, overrides: unknown, origin: string): CostModel {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new Error(`${origin}: expected a JSON object of cost parameters`);
  }
  const result = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in base)) throw new Error(`${origin}: unknown cost parameter '${name}' (known: ${Object.keys(base).join(', ')})`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new Error(`${origin}: cost parameter '${name}' must be a non-negative integer, got ${JSON.stringify(value)}`);
    }
    result[name] = value;
  }
  return result;
}
