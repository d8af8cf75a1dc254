// guests/include/bootinfo.inc and docs/boot.md's layout table, generated
// from the boot-info layout; docs/cost-model.md's table from the cost model.

import { COST_PARAMETERS } from '../timing/cost-model.ts';
import {
  BOOT_FLAG_SHADOWING,
  BOOTINFO_FIELDS,
  BOOTINFO_MAGIC,
  BOOTINFO_MAX_MODULES,
  BOOTINFO_MODULES,
  BOOTINFO_SIZE,
  BOOTINFO_VERSION,
  MODE_CODES,
  MODULE_DESCRIPTOR_SIZE,
  MODULE_FIELDS,
} from './bootinfo.ts';

const hex = (n: number): string => '0x' + (n >>> 0).toString(16).toUpperCase();

export function bootinfoInclude(): string {
  const out = [
    '; The boot-info block (its address is in ebx at start).',
    '; Generated from src/machine/bootinfo.ts by `npm run gen`; do not edit.',
    '',
    `BOOTINFO_MAGIC_VALUE equ ${hex(BOOTINFO_MAGIC)}`,
    `BOOTINFO_VERSION_VALUE equ ${BOOTINFO_VERSION}`,
    `BOOTINFO_SIZE equ ${BOOTINFO_SIZE} ; bytes, with room for ${BOOTINFO_MAX_MODULES} modules`,
    `BOOTINFO_MAX_MODULES equ ${BOOTINFO_MAX_MODULES}`,
  ];
  for (const f of BOOTINFO_FIELDS) out.push(`BOOTINFO_${f.name} equ ${f.offset} ; ${f.description}`);
  out.push(`BOOTINFO_MODULES equ ${BOOTINFO_MODULES} ; the first module descriptor`);
  out.push(`MODULE_DESCRIPTOR_SIZE equ ${MODULE_DESCRIPTOR_SIZE}`);
  for (const f of MODULE_FIELDS) out.push(`MODULE_${f.name} equ ${f.offset} ; ${f.description}`);
  for (const [mode, code] of Object.entries(MODE_CODES)) out.push(`MODE_${mode.toUpperCase()} equ ${code}`);
  out.push(`BOOT_FLAG_SHADOWING equ ${hex(BOOT_FLAG_SHADOWING)}`);
  out.push('');
  return out.join('\n');
}

export function bootinfoTable(): string {
  const out = ['| offset | field | meaning |', '|---|---|---|'];
  for (const f of BOOTINFO_FIELDS) out.push(`| ${f.offset} | \`${f.name}\` | ${f.description} |`);
  out.push(`| ${BOOTINFO_MODULES} | modules | ${BOOTINFO_MAX_MODULES} descriptors of ${MODULE_DESCRIPTOR_SIZE} bytes: |`);
  for (const f of MODULE_FIELDS) out.push(`| +${f.offset} | \`${f.name}\` | ${f.description} |`);
  return out.join('\n');
}

export function costTable(): string {
  const out = ['| parameter | cycles | source |', '|---|---|---|'];
  for (const p of COST_PARAMETERS) out.push(`| \`${p.name}\` | ${p.cycles} | ${p.source} |`);
  return out.join('\n');
}
