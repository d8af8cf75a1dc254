// Containment: hostile guests that reach for memory they were not given,
// directly or by DMA (guests/tests/containment/, docs/security.md).
import { containmentSuite, outsideMemory, type Containment } from './harness.ts';

const refused: Containment = { continues: ['refused'] };

const ATTACKS: Record<string, Containment> = {
  'read-past-ram': outsideMemory,
  'write-past-ram': outsideMemory,
  'fetch-past-ram': outsideMemory,
  'read-top-of-space': outsideMemory,
  'write-top-of-space': outsideMemory,
  'rmw-past-ram': outsideMemory,
  'xchg-past-ram': outsideMemory,
  'cmpxchg-past-ram': outsideMemory,
  'byte-past-ram': outsideMemory,
  'indirect-call-past-ram': outsideMemory,
  'stack-past-ram': outsideMemory,
  'stack-wrap': outsideMemory,
  'idt-past-ram': outsideMemory,
  'handler-past-ram': outsideMemory,
  'huge-idt-count': outsideMemory,
  'monitor-past-ram': outsideMemory,
  'write-low-memory': { continues: [] },
  'touch-every-page': { continues: [] },
  'nic-tx-past-ram': refused,
  'nic-tx-straddle': refused,
  'nic-tx-wrap': refused,
  'nic-tx-host-address': refused,
  'nic-rx-past-ram': refused,
  'nic-rx-runs-past-end': refused,
  'nic-ring-past-ram': { continues: [] },
  'nic-ring-wrap': { continues: [] },
  'block-read-past-ram': refused,
  'block-read-straddle': refused,
  'block-write-from-past-ram': refused,
  'block-count-overflow': refused,
  'block-buffer-wrap': refused,
};

containmentSuite(ATTACKS);
