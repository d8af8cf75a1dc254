// guests/include/vmcs.inc, exit-reasons.inc, vmx.inc and the tables of
// docs/vmx.md, generated from the VMX tables.

import { VMX_CONSTANT_GROUPS } from './controls.ts';
import { EXIT_REASONS } from './exit-reasons.ts';
import { fieldType, fieldWidth, VMCS_FIELDS } from './fields.ts';

const hex = (n: number): string => '0x' + (n >>> 0).toString(16).toUpperCase();
const HEADER = (source: string) => [`; Generated from ${source} by \`npm run gen\`; do not edit.`, ''];

export function vmcsInclude(): string {
  const out = ['; VMCS field encodings (Intel numbers), for vmread and vmwrite.', ...HEADER('src/vmx/fields.ts')];
  for (const f of VMCS_FIELDS) out.push(`VMCS_${f.name} equ ${hex(f.encoding)} ; ${f.description}`);
  out.push('');
  return out.join('\n');
}

export function exitReasonsInclude(): string {
  const out = ['; Basic VM-exit reasons (Intel numbers, KVM names).', ...HEADER('src/vmx/exit-reasons.ts')];
  for (const r of EXIT_REASONS) out.push(`EXIT_REASON_${r.name} equ ${r.code} ; ${r.description}`);
  out.push(`EXIT_REASON_COUNT equ ${Math.max(...EXIT_REASONS.map((r) => r.code)) + 1} ; one more than the highest reason`);
  out.push('');
  return out.join('\n');
}

export function vmxInclude(): string {
  const out = ['; VMX control bits, error numbers, capability MSRs and formats.', ...HEADER('src/vmx/controls.ts')];
  for (const g of VMX_CONSTANT_GROUPS) {
    out.push(`; ${g.title}`);
    for (const k of g.constants) out.push(`${k.name} equ ${hex(k.value)} ; ${k.description}`);
    out.push('');
  }
  return out.join('\n');
}

export function fieldTable(): string {
  const out = ['| encoding | field | width | type | meaning |', '|---|---|---|---|---|'];
  for (const f of VMCS_FIELDS) {
    out.push(`| ${hex(f.encoding)} | \`${f.name}\` | ${fieldWidth(f.encoding)} | ${fieldType(f.encoding)} | ${f.description} |`);
  }
  return out.join('\n');
}

export function exitReasonTable(): string {
  const out = ['| code | reason | when |', '|---|---|---|'];
  for (const r of EXIT_REASONS) out.push(`| ${r.code} | \`${r.name}\` | ${r.description} |`);
  return out.join('\n');
}

export function constantTables(): string {
  const out: string[] = [];
  for (const g of VMX_CONSTANT_GROUPS) {
    out.push(`**${g.title}**`, '', '| name | value | meaning |', '|---|---|---|');
    for (const k of g.constants) out.push(`| \`${k.name}\` | ${hex(k.value)} | ${k.description} |`);
    out.push('');
  }
  return out.join('\n').trimEnd();
}
