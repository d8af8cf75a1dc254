// Files (or marked regions of hand-written files) generated from the tables.
// `npm run gen` writes them; test/generated.test.ts fails when one is stale.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isaReference } from './isa/reference.ts';
import { portsInclude, portTable } from './devices/reference.ts';
import { bootinfoInclude, bootinfoTable, costTable } from './machine/reference.ts';
import { tutorialDebugTranscript, tutorialExitTable } from './docs/tutorial.ts';
import { fidelityTable } from './docs/fidelity.ts';
import { NESTED_CPUID, NESTED_IO, trapSteps } from './docs/nesting.ts';
import { PROJECT_ROOT } from './paths.ts';
import { constantTables, exitReasonsInclude, exitReasonTable, fieldTable, vmcs12Include, vmcsInclude, vmxInclude } from './cpu/vmx/reference.ts';


export interface GeneratedFile {
  /** Path relative to the project root. */
  path: string;
  /** The whole file, or the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`. */
  region?: string;
  render(): string;
}

export const GENERATED: GeneratedFile[] = [
  { path: 'docs/isa.md', render: isaReference },
  { path: 'guests/include/ports.inc', render: portsInclude },
  { path: 'docs/machine.md', region: 'ports', render: portTable },
  { path: 'guests/include/vmcs.inc', render: vmcsInclude },
  { path: 'guests/include/exit-reasons.inc', render: exitReasonsInclude },
  { path: 'guests/include/vmx.inc', render: vmxInclude },
  { path: 'guests/include/vmcs12.inc', render: vmcs12Include },
  { path: 'guests/include/bootinfo.inc', render: bootinfoInclude },
  { path: 'docs/vmx.md', region: 'fields', render: fieldTable },
  { path: 'docs/vmx.md', region: 'exit-reasons', render: exitReasonTable },
  { path: 'docs/vmx.md', region: 'constants', render: constantTables },
  { path: 'docs/boot.md', region: 'layout', render: bootinfoTable },
  { path: 'docs/cost-model.md', region: 'parameters', render: costTable },
  { path: 'docs/writing-guests.md', region: 'tutorial-exits', render: tutorialExitTable },
  { path: 'docs/writing-guests.md', region: 'tutorial-debug', render: tutorialDebugTranscript },
  { path: 'docs/results.md', region: 'fidelity', render: () => fidelityTable() },
  {
    path: 'docs/nesting.md',
    region: 'cpuid-steps-off',
    render: () => trapSteps({ ...NESTED_CPUID, mode: 'baseline', shadowing: false }),
  },
  {
    path: 'docs/modes.md',
    region: 'modes-cpuid-baseline',
    render: () => trapSteps({ ...NESTED_CPUID, mode: 'baseline', shadowing: false }),
  },
  {
    path: 'docs/modes.md',
    region: 'modes-io-baseline',
    render: () => trapSteps({ ...NESTED_IO, mode: 'baseline', shadowing: false }),
  },
  {
    path: 'docs/modes.md',
    region: 'modes-cpuid-sw',
    render: () => trapSteps({ ...NESTED_CPUID, mode: 'sw', shadowing: false }),
  },
  {
    path: 'docs/modes.md',
    region: 'modes-io-sw',
    render: () => trapSteps({ ...NESTED_IO, mode: 'sw', shadowing: false }),
  },
  {
    path: 'docs/modes.md',
    region: 'modes-cpuid-hw',
    render: () => trapSteps({ ...NESTED_CPUID, mode: 'hw', shadowing: false }),
  },
  {
    path: 'docs/modes.md',
    region: 'modes-io-hw',
    render: () => trapSteps({ ...NESTED_IO, mode: 'hw', shadowing: false }),
  },
  {
    path: 'docs/nesting.md',
    region: 'cpuid-steps-on',
    render: () => trapSteps({ ...NESTED_CPUID, mode: 'baseline', shadowing: true }),
  },
];

/** What the file should contain, given what it contains now. */
export function expectedContent(file: GeneratedFile, current: string): string {
  if (!file.region) return file.render();
  const begin = `<!-- ${file.region}:begin -->`;
  const end = `<!-- ${file.region}:end -->`;
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`${file.path}: markers ${begin} ... ${end} not found`);
  return current.slice(0, start + begin.length) + '\n' + file.render() + '\n' + current.slice(stop);
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function writeGenerated(): string[] {
  const written: string[] = [];
  for (const file of GENERATED) {
    const path = join(PROJECT_ROOT, file.path);
    const current = readOrEmpty(path);
    const next = expectedContent(file, current);
    if (next !== current) {
      writeFileSync(path, next);
      written.push(file.path);
    }
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const written = writeGenerated();
  console.log(written.length ? `wrote ${written.join(', ')}` : 'generated files are up to date');
}
