// guests/include/ports.inc and docs/machine.md's port table, generated from
// the port map.

import * as P from './ports.ts';
import { PORTS, TIMER_DEFAULT_VECTOR, TIMER_ONE_SHOT, TIMER_PERIODIC, TIMER_STOP } from './ports.ts';

/** The device constants (ports.ts's other numeric exports) guests need. */
const DEVICE_CONSTANTS = (
  Object.entries(P).filter(([name, value]) => typeof value === 'number' && /^(NIC|BLOCK|ROI)_/.test(name)) as [string, number][]
).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const hex = (n: number): string => '0x' + n.toString(16).toUpperCase();

export function portsInclude(): string {
  const out = [
    '; Port numbers of the smtnest machine.',
    '; Generated from src/devices/ports.ts by `npm run gen`; do not edit.',
    '',
  ];
  for (const p of Object.values(PORTS)) out.push(`PORT_${p.name} equ ${hex(p.port)} ; ${p.description}`);
  out.push('');
  out.push(`TIMER_DEFAULT_VECTOR equ ${hex(TIMER_DEFAULT_VECTOR)}`);
  out.push(`TIMER_MODE_STOP equ ${TIMER_STOP}`);
  out.push(`TIMER_MODE_PERIODIC equ ${TIMER_PERIODIC}`);
  out.push(`TIMER_MODE_ONE_SHOT equ ${TIMER_ONE_SHOT}`);
  out.push('');
  for (const [name, value] of DEVICE_CONSTANTS) out.push(`${name} equ ${hex(value)}`);
  out.push('');
  return out.join('\n');
}

export function portTable(): string {
  const out = ['| port | name | device | access | meaning |', '|---|---|---|---|---|'];
  for (const p of Object.values(PORTS)) {
    out.push(`| ${hex(p.port)} | \`PORT_${p.name}\` | ${p.device} | ${p.access} | ${p.description} |`);
  }
  return out.join('\n');
}
