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
  const out = ['| encoding | field | width | type | shadowed for L1 | meaning |', '|---|---|---|---|---|---|'];
  for (const f of VMCS_FIELDS) {
    out.push(
      `| ${hex(f.encoding)} | \`${f.name}\` | ${fieldWidth(f.encoding)} | ${fieldType(f.encoding)} | ${f.shadow ?? '-'} | ${f.description} |`,
    );
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

/** The layout of vmcs12: the VMCS a hypervisor emulates for its guest
 * hypervisor, kept in the guest's own memory in a format of the emulating
 * hypervisor's choosing (here: a dword pair per field, in table order), as
 * KVM keeps struct vmcs12. Generated so that the hypervisor images and the
 * field table cannot drift apart. */
export function vmcs12Include(): string {
  const out = [
    '; vmcs12: the software VMCS a hypervisor emulates for its guest hypervisor,',
    '; in guest memory: revision dword, abort dword, launch state, then a',
    '; (low, high) dword pair per field, in the order of src/vmx/fields.ts.',
    ...HEADER('src/vmx/fields.ts'),
    'VMCS12_REVISION equ 0',
    'VMCS12_ABORT equ 4',
    'VMCS12_LAUNCH_STATE equ 8 ; 0 clear, 1 launched',
    'VMCS12_FIELDS equ 16',
  ];
  VMCS_FIELDS.forEach((f, i) => out.push(`VMCS12_${f.name} equ ${16 + 8 * i} ; ${hex(f.encoding)}`));
  out.push(`VMCS12_FIELD_COUNT equ ${VMCS_FIELDS.length}`);
  out.push(`VMCS12_SIZE equ ${16 + 8 * VMCS_FIELDS.length}`);
  const shadowRead = VMCS_FIELDS.filter((f) => f.shadow === 'read');
  const shadowWrite = VMCS_FIELDS.filter((f) => f.shadow === 'read-write');
  out.push(`VMCS12_SHADOW_READ_COUNT equ ${shadowRead.length} ; fields shadowed for vmread only`);
  out.push(`VMCS12_SHADOW_READ_WRITE_COUNT equ ${shadowWrite.length} ; fields shadowed for vmread and vmwrite`);
  out.push('');
  out.push('; vmcs12_tables: emits, where it is invoked, the encoding of each field in');
  out.push('; vmcs12 order (vmcs12_encodings, VMCS12_FIELD_COUNT dwords; field i is at');
  out.push('; VMCS12_FIELDS + 8*i) and the shadowed fields as (encoding, offset) pairs:');
  out.push('; vmcs12_shadow_read, then vmcs12_shadow_read_write.');
  out.push('%macro vmcs12_tables 0');
  out.push('vmcs12_encodings:');
  for (const f of VMCS_FIELDS) out.push(`    dd ${hex(f.encoding)} ; ${f.name}`);
  out.push('vmcs12_shadow_read:');
  for (const f of shadowRead) out.push(`    dd ${hex(f.encoding)}, VMCS12_${f.name}`);
  out.push('vmcs12_shadow_read_write:');
  for (const f of shadowWrite) out.push(`    dd ${hex(f.encoding)}, VMCS12_${f.name}`);
  out.push('%endmacro');
  out.push('');
  return out.join('\n');
}
