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
    cycles: 1000,
    source:
      'SplitX (Landau, Ben-Yehuda, Gordon; WIOV 2011) measured the direct cost of an exit and entry pair, the world switch, at about 2,000 cycles on a Xeon X5570; we charge half to the exit',
  },
  {
    name: 'vmEntry',
    cycles: 1000,
    source: 'the other half of the SplitX world switch (see vmExit)',
  },
  {
    name: 'threadSwitch',
    cycles: 20,
    source:
      'hw mode: a VM entry or exit stalls one thread and resumes another, with no state saved or loaded: about a pipeline refill, which Agner Fog\'s microarchitecture guide puts at 15-20 cycles on Skylake (the branch-misprediction penalty)',
  },
  {
    name: 'mwaitWakeLatency',
    cycles: 4000,
    source:
      "Linux intel_idle lists 2 us as the exit latency of C1 (MWAIT hint 0x00) on Skylake; 4,000 cycles at the model's 2 GHz (the clock the port I/O latency also assumes). A worst-case figure: shallower C0 hints wake faster",
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
