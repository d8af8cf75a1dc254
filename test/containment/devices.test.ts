// Containment: hostile guests that reach for ports, threads, MSRs and
// instructions they were not given (guests/tests/containment/,
// docs/security.md).
import { badPort, containmentSuite, type Containment } from './harness.ts';

const gp: Containment = { continues: ['fault 13'] };
const ud: Containment = { continues: ['fault 6'] };

const ATTACKS: Record<string, Containment> = {
  'thread-start': badPort,
  'thread-start-eip': badPort,
  'thread-id': badPort,
  'timer-target': badPort,
  'unknown-port-out': badPort,
  'unknown-port-in': badPort,
  'trace-level': badPort,
  'trace-forward-flood': badPort,
  'nic-irq-target': { continues: [] },
  'rdmsr-vmx-basic': gp,
  'wrmsr-feature-control': gp,
  'wrmsr-ipi': gp,
  'rdmsr-unknown': gp,
  vmxon: ud,
  vmptrld: ud,
  invept: ud,
  rdtreg: ud,
  wrtreg: ud,
  'hypercall-unknown': { continues: [] },
};

containmentSuite(ATTACKS);
