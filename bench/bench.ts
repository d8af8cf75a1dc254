// npm run bench: guest MIPS (millions of guest instructions per host second)
// of the interpreter on three loops, each measured in a fresh machine after
// a warm-up run. Host timing is used here and only here.

import { join } from 'node:path';
import { assembleFile } from '../src/asm/index.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { Machine } from '../src/machine/machine.ts';
import { fidelityTable } from '../src/docs/fidelity.ts';
import { startupTable } from './startup.ts';


const LOOPS = ['alu', 'loadstore', 'callret'];
const RUNS = 5;

function measure(name: string): { mips: number[]; instructions: number } {
  const program = assembleFile(join(PROJECT_ROOT, 'bench', `${name}.s`), {
    includePaths: [join(PROJECT_ROOT, 'guests/include')],
  });
  const mips: number[] = [];
  let instructions = 0;
  for (let run = 0; run <= RUNS; run++) {
    const machine = new Machine({ ramSize: 1 << 20 });
    machine.loadProgram(program);
    const start = process.hrtime.bigint();
    const result = machine.run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 'exited') throw new Error(`${name}: ${result.reason}`);
    instructions = machine.cpu.instructions;
    if (run > 0) mips.push(instructions / seconds / 1e6); // run 0 warms up the JIT
  }
  return { mips: mips.sort((a, b) => a - b), instructions };
}

console.log(`smtnest interpreter speed, ${RUNS} runs each after a warm-up (node ${process.version})`);
console.log('loop        instructions   median MIPS   best MIPS');
for (const name of LOOPS) {
  const { mips, instructions } = measure(name);
  const median = mips[Math.floor(mips.length / 2)];
  const best = mips[mips.length - 1];
  console.log(`${name.padEnd(10)} ${String(instructions).padStart(13)}   ${median.toFixed(1).padStart(11)}   ${best.toFixed(1).padStart(9)}`);
}

// ---- the model's micro figures beside KVM's on real hardware (the same
// table npm run gen writes into docs/results.md).
console.log('\nFidelity: the model against measured KVM (docs/results.md)');
console.log(fidelityTable());

console.log('');
console.log(startupTable());
