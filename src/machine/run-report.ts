// The JSON report of a run (`smtnest run --json`): how it ended, what it
// printed, its configuration and its counters (src/machine/stats.ts). Key
// order is fixed, so the same run gives byte-identical JSON.

import type { ClientStats } from '../devices/client.ts';
import type { PeerStats } from '../devices/peer.ts';
import type { Machine, RegionOfInterest, RunResult } from './machine.ts';
import type { MachineStats } from './stats.ts';

export interface RunReport extends MachineStats {
  status: RunResult['status'];
  exitCode: number;
  reason: string;
  /** The first CONSOLE_KEPT_BYTES the guest printed (src/devices/serial.ts). */
  console: string;
  /** Console bytes printed after those: streamed to stdout, not kept. */
  consoleDropped: number;
  /** Tracepoint writes the machine refused (src/devices/tracepoint.ts). */
  rejectedTracepoints: number;
  mode: string;
  depth: number;
  shadowing: boolean;
  /** The workload's measured phase (PORT_ROI), or null when it marked none. */
  roi: RegionOfInterest | null;
  /** 'run': the counters cover the whole run; 'roi': only its region of interest. */
  scope: 'run' | 'roi';
  network: NetworkReport;
}

/** What crossed the NIC's wire: the peer's view, and what the NIC dropped. */
export interface NetworkReport {
  peer: string;
  /** Packets and bytes that reached the peer. */
  packets: number;
  bytes: number;
  /** A client peer's completed and wrong transactions; null for echo and sink. */
  transactions: number | null;
  mismatches: number | null;
  /** Packets from the peer the NIC dropped for want of a receive buffer. */
  rxDrops: number;
}

function networkReport(machine: Machine): NetworkReport {
  const stats = machine.peer.stats as PeerStats & Partial<ClientStats>;
  return {
    peer: machine.peer.kind,
    packets: stats.packets,
    bytes: stats.bytes,
    transactions: stats.transactions ?? null,
    mismatches: stats.mismatches ?? null,
    rxDrops: machine.nic.drops,
  };
}

/** The JSON report of a run; with `scope` 'roi', every counter is limited to
 * the region of interest (there must be one: machine.regions.roi). */
export function runReport(machine: Machine, result: RunResult, scope: 'run' | 'roi' = 'run'): RunReport {
  const stats = scope === 'roi' ? machine.regions.roi : machine.stats();
  if (!stats) throw new RangeError('the run marked no region of interest (PORT_ROI) to limit the counters to');
  return {
    status: result.status,
    exitCode: result.exitCode,
    reason: result.reason,
    console: machine.serial.text(),
    consoleDropped: machine.serial.dropped,
    rejectedTracepoints: machine.tracepoint.rejected,
    mode: machine.bootInfo?.mode ?? 'baseline',
    depth: machine.bootInfo?.depth ?? 0,
    shadowing: machine.bootInfo?.shadowing ?? false,
    roi: machine.roi,
    scope,
    network: networkReport(machine),
    ...stats,
  };
}
