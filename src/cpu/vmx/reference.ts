// guests/include/vmcs.inc, exit-reasons.inc, vmx.inc and the tables of
// docs/vmx.md, generated from the VMX tables.

import { VMX_CONSTANT_GROUPS } from './controls.ts';
import { EXIT_REASONS } from './exit-reasons.ts';
import { fieldType, fieldWidth, HOST_STATE_CONSTANTS, VMCS_FIELDS, type VmcsField } from './fields.ts';

const hex = (n: number): string => '0x' + (n >>> 0).toString(16).toUpperCase();
const HEADER = (source: string) => [`; Generated from ${source} by \`npm run gen\`; do not edit.`, ''];

export function vmcsInclude(): string {
  const out = ['; VMCS field encodings (Intel numbers), for vmread and vmwrite.', ...HEADER('src/cpu/vmx/fields.ts')];
  for (const f of VMCS_FIELDS) out.push(`VMCS_${f.name} equ ${hex(f.encoding)} ; ${f.description}`);
  out.push('');
  return out.join('\n');
}

export function exitReasonsInclude(): string {
  const out = ['; Basic VM-exit reasons (Intel numbers, KVM names).', ...HEADER('src/cpu/vmx/exit-reasons.ts')];
  for (const r of EXIT_REASONS) out.push(`EXIT_REASON_${r.name} equ ${r.code} ; ${r.description}`);
  out.push(`EXIT_REASON_COUNT equ ${Math.max(...EXIT_REASONS.map((r) => r.code)) + 1} ; one more than the highest reason`);
  out.push('');
  return out.join('\n');
}

export function vmxInclude(): string {
  const out = ['; VMX control bits, error numbers, capability MSRs and formats.', ...HEADER('src/cpu/vmx/controls.ts')];
  for (const g of VMX_CONSTANT_GROUPS) {
    out.push(`; ${g.title}`);
    for (const k of g.constants) out.push(`${k.name} equ ${hex(k.value)} ; ${k.description}`);
    out.push('');
  }
  return out.join('\n');
}

export function fieldTable(): string {
  const out = [
    '| encoding | field | width | type | used here | shadowed for L1 | L0 copies into vmcs02 | back into vmcs12 | meaning |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const f of VMCS_FIELDS) {
    const back = f.exit ?? (f.loads ? `loads ${f.loads}` : '-');
    out.push(
      `| ${hex(f.encoding)} | \`${f.name}\` | ${fieldWidth(f.encoding)} | ${fieldType(f.encoding)} | ${f.used ? 'yes' : '-'} | ${f.shadow ?? '-'} | ${f.entry ?? '-'} | ${back} | ${f.description} |`,
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
    '; (low, high) dword pair per field, in the order of src/cpu/vmx/fields.ts.',
    ...HEADER('src/cpu/vmx/fields.ts'),
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
  out.push('; VMCS12_FIELDS + 8*i), a byte per field saying whether it is synced');
  out.push('; rarely (vmcs12_sync_rare_fields), and the shadowed fields as (encoding,');
  out.push('; offset) pairs: vmcs12_shadow_read, then vmcs12_shadow_read_write.');
  // The nested-VMX copy lists, each a list of (encoding, vmcs12 offset)
  // pairs with a 64-bit field's high half (encoding + 1, offset + 4) after its
  // low one (a full-encoding write clears the high half), and its count.
  const offset = (f: VmcsField) => `VMCS12_${f.name}`;
  const halves = (f: VmcsField, encoding = f.encoding, at = offset(f)): string[] =>
    fieldWidth(f.encoding) === 64 ? [`    dd ${hex(encoding)}, ${at}`, `    dd ${hex(encoding + 1)}, ${at} + 4`] : [`    dd ${hex(encoding)}, ${at}`];
  const byName = new Map(VMCS_FIELDS.map((f) => [f.name, f]));
  const lists: { label: string; what: string; rows: string[] }[] = [
    { label: 'prepare_every', what: 'prepare_vmcs02, every entry: vmcs12 -> vmcs02', rows: VMCS_FIELDS.filter((f) => f.entry === 'every').flatMap((f) => halves(f)) },
    { label: 'prepare_rare', what: 'prepare_vmcs02_rare, when vmcs12 is dirty: vmcs12 -> vmcs02', rows: VMCS_FIELDS.filter((f) => f.entry === 'rare').flatMap((f) => halves(f)) },
    { label: 'sync_every', what: 'sync_vmcs02_to_vmcs12, every exit to L1: vmcs02 -> vmcs12', rows: VMCS_FIELDS.filter((f) => f.exit === 'every').flatMap((f) => halves(f)) },
    { label: 'sync_rare', what: 'sync_vmcs02_to_vmcs12_rare, when L1 next needs them: vmcs02 -> vmcs12', rows: VMCS_FIELDS.filter((f) => f.exit === 'rare').flatMap((f) => halves(f)) },
    {
      label: 'host_loads',
      what: "load_vmcs12_host_state: vmcs12's host field -> vmcs01's guest field (the encoding is the guest field's)",
      rows: VMCS_FIELDS.filter((f) => f.loads).flatMap((f) => halves(f, byName.get(f.loads!)!.encoding)),
    },
  ];
  for (const l of lists) out.push(`VMCS12_${l.label.toUpperCase()}_COUNT equ ${l.rows.length} ; ${l.what}`);
  const constants = HOST_STATE_CONSTANTS.map((c) => `    dd ${hex(byName.get(c.field)!.encoding)}, ${hex(c.value)} ; ${c.why}`);
  out.push(`VMCS12_HOST_CONSTANTS_COUNT equ ${constants.length} ; load_vmcs12_host_state: (vmcs01 guest field, value) pairs`);
  out.push('');
  out.push('; vmcs12_copy_lists: emits the lists above, each labelled vmcs12_<name>.');
  out.push('%macro vmcs12_copy_lists 0');
  for (const l of lists) out.push(`vmcs12_${l.label}:`, ...l.rows);
  out.push('vmcs12_host_constants:', ...constants);
  out.push('%endmacro');
  out.push('');
  out.push('%macro vmcs12_tables 0');
  out.push('vmcs12_encodings:');
  for (const f of VMCS_FIELDS) out.push(`    dd ${hex(f.encoding)} ; ${f.name}`);
  out.push('vmcs12_sync_rare_fields: ; per field, in vmcs12 order: 1 if sync_vmcs02_to_vmcs12_rare brings it back');
  out.push(`    db ${VMCS_FIELDS.map((f) => (f.exit === 'rare' ? 1 : 0)).join(', ')}`);
  out.push('vmcs12_shadow_read:');
  for (const f of shadowRead) out.push(`    dd ${hex(f.encoding)}, VMCS12_${f.name}`);
  out.push('vmcs12_shadow_read_write:');
  for (const f of shadowWrite) out.push(`    dd ${hex(f.encoding)}, VMCS12_${f.name}`);
  out.push('%endmacro');
  out.push('');
  return out.join('\n');
}
