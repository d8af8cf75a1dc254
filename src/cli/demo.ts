// `npm start`: runs every bundled program and prints what each did.

import { Machine } from '../machine/machine.ts';
import { bundledProgramPath, bundledPrograms, assemble } from './load.ts';
import { DEFAULT_MAX_INSTRUCTIONS } from './run.ts';

export function demoCommand(): number {
  const rows: string[][] = [['program', 'status', 'instructions', 'cycles', 'console (first line)']];
  let failures = 0;
  for (const name of bundledPrograms()) {
    const machine = new Machine();
    machine.loadProgram(assemble(bundledProgramPath(name)!));
    const result = machine.run({ maxInstructions: DEFAULT_MAX_INSTRUCTIONS });
    if (result.status !== 'exited' || result.exitCode !== 0) failures++;
    const firstLine = machine.serial.text().split('\n')[0];
    rows.push([
      name,
      result.status === 'exited' ? `exit ${result.exitCode}` : result.status,
      String(machine.cpu.instructions),
      String(machine.cpu.cycles),
      firstLine.length > 40 ? firstLine.slice(0, 37) + '...' : firstLine,
    ]);
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  const lines = rows.map((r) => r.map((cell, col) => (col >= 2 && col <= 3 ? cell.padStart(widths[col]) : cell.padEnd(widths[col]))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  console.log('smtnest: the bundled programs on the bare machine (depth 0)\n');
  console.log(lines.join('\n'));
  console.log('\nRun one yourself: npx smtnest run hello   (add --json for statistics, --trace FILE for a trace)');
  return failures === 0 ? 0 : 1;
}
